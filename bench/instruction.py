#!/usr/bin/env python
"""Benchmark of the instruction back office with 10,000 candidatures; prints figures, asserts nothing.

1. A fresh SQLite database: migrations, `import_referentiels`, then `generer_candidatures`.
2. The admin list of the candidatures (superuser, Django test client): SQL queries and time
   for the first page, a filtered page, a search and the last page.
3. The CSV export of all the candidatures: time to the first byte and to the last, size, rows.

Usage: .venv/bin/python bench/instruction.py [--nombre 10000] [--garder-base]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PYTHON, ROOT, manage  # noqa: E402

MESURES = r"""
import sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from candidatures.models import Candidature

User = get_user_model()
admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
    "bench-admin", "bench-admin@example.org", "bench-mot-de-passe"
)
client = Client()
client.force_login(admin)
total = Candidature.objects.count()
print(f"   {total} candidatures en base")

print("\n2. Liste des candidatures dans l'administration (superutilisateur)")
liste = reverse("admin:candidatures_candidature_changelist")
dernier = (total + 99) // 100
for libelle, params in [
    ("première page", {}),
    ("filtre état = en instruction", {"etat__exact": "en_instruction"}),
    ("recherche « Marseille »", {"q": "Marseille"}),
    (f"dernière page (p={dernier - 1})", {"p": dernier - 1}),
]:
    client.get(liste, params)  # warm-up: Python imports, templates
    with CaptureQueriesContext(connection) as ctx:
        debut = time.perf_counter()
        response = client.get(liste, params)
        duree = time.perf_counter() - debut
    requetes = len(ctx.captured_queries)
    print(f"   {libelle:<36} HTTP {response.status_code}  {requetes:>3} requêtes  {duree * 1000:>6.0f} ms")

print("\n3. Export CSV de toutes les candidatures")
try:
    url = reverse("admin:candidatures_candidature_export_csv")
except NoReverseMatch:
    print("   EXPORT ABSENT : aucune URL « admin:candidatures_candidature_export_csv » dans candidatures/admin.py")
    sys.exit(0)
with CaptureQueriesContext(connection) as ctx:
    debut = time.perf_counter()
    response = client.get(url)
    premier = None
    taille = lignes = 0
    contenu = response.streaming_content if response.streaming else [response.content]
    for morceau in contenu:
        if premier is None:
            premier = time.perf_counter() - debut
        taille += len(morceau)
        lignes += morceau.count(b"\n")
    duree = time.perf_counter() - debut
print(f"   {url}  HTTP {response.status_code}  {'streamé' if response.streaming else 'NON streamé'}"
      f"  {response.get('Content-Type', '')}")
print(f"   premier octet {(premier or 0) * 1000:.0f} ms, export complet {duree:.2f} s, "
      f"{taille / 1e6:.1f} Mo, {lignes} lignes (en-tête compris), {len(ctx.captured_queries)} requêtes SQL")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nombre", type=int, default=10000, help="candidatures à générer (défaut 10000)")
    parser.add_argument("--garder-base", action="store_true", help="keep the temporary database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-instruction-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        DEBUG="0",
        PYTHONPATH=str(ROOT),
        PRIVATE_MEDIA_ROOT=str(workdir / "prive"),
    )
    env.setdefault("REFERENCE_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    try:
        print(f"Base de mesure : {workdir / 'bench.sqlite3'}")
        print("\n1. Préparation")
        print(f"   migrate : {manage(env, 'migrate', '--noinput', '-v0'):.1f} s")
        print(f"   import_referentiels : {manage(env, 'import_referentiels', '-v0'):.1f} s")
        secondes = manage(env, "generer_candidatures", "--nombre", str(args.nombre), "-v0")
        print(f"   generer_candidatures --nombre {args.nombre} : {secondes:.1f} s")
        subprocess.run([PYTHON, "-c", MESURES], cwd=ROOT, env=env, check=True)
    finally:
        if not args.garder_base:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
