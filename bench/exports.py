#!/usr/bin/env python
"""Benchmark of the agents' exports at national size; prints figures, asserts nothing.

For each size (10,000 then 100,000 candidatures by default), the database is topped up with
`generer_candidatures`, then, for the whole list seen by a national agent (superuser):

1. CSV in the process (Django test client): time to the first byte, total time, size, rows, SQL
   queries; then a second pass under tracemalloc for the peak of Python memory.
2. CSV through gunicorn (the README's command: sync workers, default 30 s timeout), over HTTP on
   127.0.0.1: status, first byte, last byte, rows received — complete or cut by the timeout.
3. XLSX built by the background task (services.export_request → export_build, immediate backend):
   time, rows, size; then a second pass under tracemalloc for the peak of Python memory.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cites_bench .venv/bin/python bench/exports.py \
        [--paliers 10000,100000] [--port 8110] [--sans-memoire-xlsx]
Without DATABASE_URL, a temporary SQLite database. The database is kept (candidatures are added
to what it holds: a second run starts where the first stopped).
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PYTHON, ROOT, manage  # noqa: E402

COMPTE = r"""
import django
django.setup()
from candidatures.models import Candidature
from cites.models import Commune
print(Commune.objects.count(), Candidature.objects.count())
"""

MESURES = r"""
import os, signal, subprocess, sys, time, tracemalloc, urllib.request
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidatures import services
from candidatures.models import Candidature, Export

PORT = int(sys.argv[1])
MEMOIRE_XLSX = sys.argv[2] == "1"
if connection.vendor == "postgresql":
    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")  # plans of freshly generated tables
User = get_user_model()
admin = User.objects.filter(username="bench-exports").first() or User.objects.create_superuser(
    "bench-exports", "bench-exports@example.org", "bench-mot-de-passe"
)
client = Client()
client.force_login(admin)
total = Candidature.objects.exclude(etat="brouillon").count()
print(f"   charge de la machine (load average 1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
print(f"   {Candidature.objects.count()} candidatures en base, {total} dans la liste des agents (hors brouillons)")
url = reverse("admin:candidatures_candidature_export_csv")


def csv_dans_le_processus():
    debut = time.perf_counter()
    cpu = time.process_time()
    response = client.get(url)
    premier = None
    taille = lignes = 0
    for morceau in response.streaming_content:
        if premier is None:
            premier = time.perf_counter() - debut
        taille += len(morceau)
        lignes += morceau.count(b"\r\n")
    return response, premier, time.perf_counter() - debut, taille, lignes, time.process_time() - cpu


print("\n   CSV dans le processus (client de test)")
csv_dans_le_processus()  # warm-up: imports, templates
with CaptureQueriesContext(connection) as ctx:
    response, premier, duree, taille, lignes, cpu = csv_dans_le_processus()
print(f"     HTTP {response.status_code}  {'streamé' if response.streaming else 'NON streamé'}  "
      f"premier octet {premier * 1000:.0f} ms  total {duree:.2f} s (dont {cpu:.2f} s de CPU du processus Django)  "
      f"{taille / 1e6:.1f} Mo  {lignes - 1} lignes  {len(ctx.captured_queries)} requêtes SQL")
tracemalloc.start()
csv_dans_le_processus()
_, pic = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(f"     pic de mémoire Python (tracemalloc, passe séparée) : {pic / 1e6:.1f} Mo")

print("\n   CSV à travers gunicorn (gunicorn.conf.py : travailleurs sync, délai par défaut 30 s)")
env = dict(os.environ, GUNICORN_BIND=f"127.0.0.1:{PORT}", GUNICORN_WORKERS="1", LOG_FORMAT="text")
env.pop("GUNICORN_TIMEOUT", None)
serveur = subprocess.Popen(
    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--log-level", "warning",
     "bench.wsgi:application"],
    env=env, start_new_session=True,
)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/sante/vivant/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    # Warm-up of the worker (imports, admin): an export of nothing.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{PORT}{url}?q=CE-0000-0", headers=cookie)).read()
    requete = urllib.request.Request(f"http://127.0.0.1:{PORT}{url}", headers=cookie)
    debut = time.perf_counter()
    premier = None
    taille = lignes = 0
    statut = "?"
    try:
        with urllib.request.urlopen(requete, timeout=120) as reponse:
            statut = reponse.status
            precedent = b""
            while morceau := reponse.read1(65536):
                if premier is None:
                    premier = time.perf_counter() - debut
                taille += len(morceau)
                lignes += morceau.count(b"\r\n") + (precedent == b"\r" and morceau[:1] == b"\n")
                precedent = morceau[-1:]
    except Exception as exc:  # a worker killed by the timeout cuts the response
        statut = f"{statut} coupé ({exc.__class__.__name__})"
    duree = time.perf_counter() - debut
    complet = "complet" if lignes - 1 == total else f"INCOMPLET ({lignes - 1} sur {total})"
    print(f"     HTTP {statut}  premier octet {(premier or 0) * 1000:.0f} ms  dernier octet {duree:.2f} s  "
          f"{taille / 1e6:.1f} Mo  {complet}")
finally:
    os.killpg(serveur.pid, signal.SIGTERM)
    serveur.wait(timeout=30)

print("\n   XLSX par la tâche en arrière-plan (services.export_request → export_build)")
debut = time.perf_counter()
cpu = time.process_time()
export = services.export_request(agent=admin, format="xlsx", nom="bench")
export.refresh_from_db()
duree = time.perf_counter() - debut
cpu = time.process_time() - cpu
print(f"     {export.get_statut_display()}  {duree:.1f} s (dont {cpu:.1f} s de CPU)  {export.nombre_lignes} lignes  "
      f"{(export.taille or 0) / 1e6:.1f} Mo{'  ' + export.erreur if export.erreur else ''}")
if MEMOIRE_XLSX:
    tracemalloc.start()
    services.export_request(agent=admin, format="xlsx", nom="bench")
    _, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"     pic de mémoire Python (tracemalloc, passe séparée) : {pic / 1e6:.1f} Mo")
for export in Export.objects.filter(agent=admin):
    export.fichier.delete(save=False)
    export.delete()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paliers", default="10000,100000", help="tailles mesurées (défaut 10000,100000)")
    parser.add_argument("--port", type=int, default=8110, help="port de gunicorn sur 127.0.0.1 (défaut 8110)")
    parser.add_argument("--sans-memoire-xlsx", action="store_true", help="skip the tracemalloc pass of the XLSX")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        PYTHONPATH=str(ROOT),
        PRIVATE_MEDIA_ROOT=str(workdir / "prive"),
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    env.setdefault("REFERENCE_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    print(f"Base de mesure : {env['DATABASE_URL']}")
    print(f"   migrate : {manage(env, 'migrate', '--noinput', '-v0'):.1f} s")

    def compte() -> tuple[int, int]:
        sortie = subprocess.run([PYTHON, "-c", COMPTE], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        communes, candidatures = sortie.stdout.split()
        return int(communes), int(candidatures)

    communes, existantes = compte()
    if not communes:
        print(f"   import_referentiels : {manage(env, 'import_referentiels', '-v0'):.1f} s")
    for palier in [int(p) for p in args.paliers.split(",")]:
        print(f"\n== {palier} candidatures ==")
        _, existantes = compte()
        if existantes < palier:
            secondes = manage(
                env, "generer_candidatures", "--nombre", str(palier - existantes), "--graine", str(palier), "-v0"
            )
            print(f"   generer_candidatures --nombre {palier - existantes} : {secondes:.1f} s")
        subprocess.run(
            [PYTHON, "-u", "-c", MESURES, str(args.port), "0" if args.sans_memoire_xlsx else "1"],
            cwd=ROOT,
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
