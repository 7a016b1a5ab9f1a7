#!/usr/bin/env python
"""National-size benchmark (issue 10): each public page, agent screen and export at the size of
today's data (208 cités, the annuaire samples, 10,000 candidatures) and at national size
(2,000 cités, 65,000 schools, 100,000 candidatures), side by side: time, SQL queries, ratios.
Prints figures, asserts nothing. Needs PostgreSQL (DATABASE_URL); the database is filled, not
emptied: run it on a database of its own.

1. Today's size: migrate, `import_referentiels` (real data), `generer_candidatures` up to 10,000.
   Measures.
2. National size: a national annuaire written to a temporary file from the real rows (new UAIs,
   communes spread over France), imported by the real importer under tracemalloc (peak memory),
   then the schools placed; cités added up to 2,000 (communes with a QPV, their QPVs and
   schools); candidatures generated up to --candidatures (100,000 by default); ANALYZE. Measures.
3. The table: for each URL, time (median of --repetitions, public cache off) and queries at both
   sizes, and the ratios.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cites_wt10c .venv/bin/python bench/national.py \
      [--candidatures 100000] [--cites 2000] [--ecoles 65000] [--repetitions 3] [--sans-xlsx]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PYTHON, manage  # noqa: E402

PAGES_PUBLIQUES = [
    "/",
    "/cites/",
    "/cites/?q=saint",
    "/cites/?q=saint-etienne",
    "/cites/?region=84",
    "/cites/?page=last",
    "/cites/toulouse-grand-mirail/",
    "/carte/",
    "/statistiques/",
    "/generalisation/",
    "/partenaires/",
    "/donnees/",
    "/donnees/cites.geojson",
    "/donnees/cites.csv",
    "/api/cites/",
    "/api/cites/?q=saint",
    "/api/communes/?q=saint",
    "/api/etablissements/?type=college",
    "/api/etablissements/?departement=31",
    "/eligibilite/?cle=commune-31555",
]
ECRANS_AGENTS = [
    "/admin/",
    "/admin/candidatures/candidature/",
    "/admin/candidatures/candidature/?etat__exact=en_instruction",
    "/admin/candidatures/candidature/?q=Marseille",
    "/admin/candidatures/candidature/?p=last",
    "/admin/candidatures/candidature/tableau-de-bord/",
    "instruction",
    "/admin/cites/citeeducative/",
    "/admin/cites/etablissement/",
    "/admin/cites/etablissement/?q=college",
    "/admin/partenaires/action/?valide=0",
]
EXPORTS = [
    "/admin/candidatures/candidature/export.csv",
    "/admin/candidatures/candidature/export.xlsx",
]

# --- Measures, run in a subprocess with django.setup() ------------------------------------------

MESURES = r"""
import json, statistics, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidatures.models import Candidature
from cites.models import CiteEducative

urls, repetitions = json.loads(sys.argv[1]), int(sys.argv[2])
User = get_user_model()
admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
    "bench-admin", "bench-admin@example.org", "bench-mot-de-passe"
)
# An error page is a figure too (its status), not the end of the run.
public, agent = Client(raise_request_exception=False), Client(raise_request_exception=False)
agent.force_login(admin)
total = Candidature.objects.count()
cites = CiteEducative.objects.filter(publiee=True).count()
instruction = Candidature.objects.filter(etat="en_instruction").order_by("pk").values_list("pk", flat=True).first()


def resolve(url):
    if url == "instruction":
        return f"/admin/candidatures/candidature/{instruction}/change/"
    if url.endswith("?page=last"):
        return url.replace("page=last", f"page={max(1, (cites + 19) // 20)}")
    if url.endswith("?p=last"):
        return url.replace("p=last", f"p={max(0, (total + 99) // 100 - 1)}")
    return url


def one(client, url):
    with CaptureQueriesContext(connection) as ctx:
        debut = time.perf_counter()
        response = client.get(url)
        taille = 0
        for morceau in (response.streaming_content if response.streaming else [response.content]):
            taille += len(morceau)
        duree = time.perf_counter() - debut
    return response.status_code, len(ctx.captured_queries), duree, taille


resultats = {}
for cle, client_name, repet in urls:
    client = agent if client_name == "agent" else public
    url = resolve(cle)
    one(client, url)  # warm-up: imports, templates
    mesures = [one(client, url) for _ in range(repet)]
    status, requetes, _d, taille = mesures[-1]
    resultats[cle] = {
        "url": url, "status": status, "requetes": requetes, "taille": taille,
        "ms": statistics.median(m[2] for m in mesures) * 1000,
    }
    print(f"   {url[:70]:<70} {status}  {requetes:>4} req  {resultats[cle]['ms']:>8.0f} ms", flush=True)
print("RESULTATS " + json.dumps({"candidatures": total, "cites": cites, "mesures": resultats}))
"""


# An empty Django view, measured in the same run as the pages: the machine's load at the time of
# each phase (other processes, CPU frequency) shows in it, so the table also gives each ratio
# divided by the empty view's ratio.
VIDE = "/bench/vide/"


def mesurer(env: dict, *, repetitions: int, xlsx: bool) -> dict:
    urls = [(VIDE, "public", max(20, repetitions))]
    urls += [(u, "public", repetitions) for u in PAGES_PUBLIQUES]
    urls += [(u, "agent", repetitions) for u in ECRANS_AGENTS]
    urls += [(u, "agent", 1) for u in EXPORTS if xlsx or not u.endswith(".xlsx")]
    out = subprocess.run(
        [PYTHON, "-c", MESURES, json.dumps(urls), str(repetitions)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULTATS "):
            return json.loads(line.removeprefix("RESULTATS "))
        print(line, flush=True)
    raise RuntimeError("mesures sans résultat")


# --- Scaling up, run in a subprocess with django.setup() ---------------------------------------

AGRANDIR = r"""
import csv, json, random, sys, tempfile, time, tracemalloc
from pathlib import Path
import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from cites.imports.importers import etablissements_import, etablissements_place
from cites.imports.readers import Source
from cites.models import CiteEducative, Commune, Etablissement, EvenementLabel, Qpv
from cites.search import search_fold_text

ecoles_voulues, cites_voulues, dossier = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
rng = random.Random(2026)
data = Path(sys.argv[4])

# 1. A national annuaire, written from the real rows.
fichier = dossier / "fr-en-annuaire-education_national.csv"
deja = Etablissement.objects.count()
if deja < ecoles_voulues:
    sources = sorted((data / "annuaire_education").glob("*.csv"))
    modeles, entete = [], None
    for source in sources:
        with open(source, encoding="utf-8-sig", newline="") as f:
            lecteur = csv.DictReader(f, delimiter=";")
            if entete is None:
                entete = lecteur.fieldnames
            modeles += [row for row in lecteur if row.get("Identifiant_de_l_etablissement")]
    communes = list(
        Commune.objects.exclude(latitude=None).values_list("code", "departement__code", "latitude", "longitude")
    )
    with open(fichier, "w", encoding="utf-8", newline="") as f:
        ecrivain = csv.DictWriter(f, fieldnames=entete, delimiter=";", extrasaction="ignore")
        ecrivain.writeheader()
        for n in range(ecoles_voulues):
            row = dict(modeles[n % len(modeles)])
            code, dep, lat, lon = communes[rng.randrange(len(communes))]
            row["Identifiant_de_l_etablissement"] = f"{9000000 + n:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[n % 23]}"
            row["Code_commune"], row["Code_departement"] = code, dep.zfill(3)
            row["latitude"] = f"{lat + rng.uniform(-0.02, 0.02):.6f}"
            row["longitude"] = f"{lon + rng.uniform(-0.02, 0.02):.6f}"
            ecrivain.writerow(row)
    taille = fichier.stat().st_size
    tracemalloc.start()
    debut = time.perf_counter()
    resultat = etablissements_import(source=Source(str(fichier)))
    duree = time.perf_counter() - debut
    _courant, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"   annuaire national : {ecoles_voulues} lignes, {taille / 1e6:.1f} Mo ; {resultat.resume()}")
    print(f"   import en {duree:.1f} s, pic de mémoire Python (tracemalloc) {pic / 1e6:.1f} Mo")
    debut = time.perf_counter()
    place = etablissements_place()
    print(f"   {place.resume()} en {time.perf_counter() - debut:.1f} s ; {place.details[0]}")

# 2. Cités up to the national count.
existantes = CiteEducative.objects.count()
if existantes < cites_voulues:
    par_commune = {}
    liens = Qpv.communes.through.objects.filter(qpv__generation=2024).values_list("qpv_id", "commune_id")
    for qpv_id, commune_id in liens:
        par_commune.setdefault(commune_id, []).append(qpv_id)
    prises = set(CiteEducative.communes.through.objects.values_list("commune_id", flat=True))
    libres = [c for c in sorted(par_commune) if c not in prises]
    rng.shuffle(libres)
    noms = dict(Commune.objects.filter(pk__in=libres).values_list("pk", "nom"))
    ecoles = {}
    for pk, commune_id in Etablissement.objects.filter(commune_id__in=libres).values_list("pk", "commune_id"):
        ecoles.setdefault(commune_id, []).append(pk)
    slugs = set(CiteEducative.objects.values_list("slug", flat=True))
    manquantes = cites_voulues - existantes
    now = timezone.now()
    with transaction.atomic():
        nouvelles, perimetres = [], []
        for i in range(manquantes):
            communes = [libres[(2 * i) % len(libres)]] + ([libres[(2 * i + 1) % len(libres)]] if i % 3 == 0 else [])
            nom = " / ".join(noms[c] for c in communes)
            if i >= len(libres) // 2:
                nom += f" {i}"
            slug, k = slugify(nom)[:200], 2
            while slug in slugs:
                slug, k = f"{slugify(nom)[:200]}-{k}", k + 1
            slugs.add(slug)
            annee = 2019 + i % 7
            nouvelles.append(CiteEducative(
                identifiant=f"cite-{209 + i:04d}", nom=nom, nom_recherche=search_fold_text(nom), slug=slug,
                annee_label=annee, source="bench national", importe_le=now,
            ))
            perimetres.append(communes)
        CiteEducative.objects.bulk_create(nouvelles, batch_size=1000)
        liens_c, liens_q, liens_e, evenements = [], [], [], []
        for cite, communes in zip(nouvelles, perimetres):
            for c in communes:
                liens_c.append(CiteEducative.communes.through(citeeducative_id=cite.pk, commune_id=c))
                liens_q += [CiteEducative.qpvs.through(citeeducative_id=cite.pk, qpv_id=q) for q in par_commune[c]]
                liens_e += [CiteEducative.etablissements.through(citeeducative_id=cite.pk, etablissement_id=e)
                            for e in ecoles.get(c, [])[:40]]
            evenements.append(
                EvenementLabel(cite=cite, type="label", annee=cite.annee_label, description="Labellisation.")
            )
        for modele, lignes in ((CiteEducative.communes.through, liens_c), (CiteEducative.qpvs.through, liens_q),
                               (CiteEducative.etablissements.through, liens_e), (EvenementLabel, evenements)):
            modele.objects.bulk_create(lignes, batch_size=2000, ignore_conflicts=True)
    print(f"   {manquantes} cités ajoutées ({len(liens_c)} communes, {len(liens_q)} QPV, {len(liens_e)} écoles)")

if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidatures", type=int, default=100_000, help="candidatures à taille nationale")
    parser.add_argument("--base", type=int, default=10_000, help="candidatures du cas actuel (défaut 10000)")
    parser.add_argument("--cites", type=int, default=2000)
    parser.add_argument("--ecoles", type=int, default=65_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--sans-xlsx", action="store_true", help="sans l'export XLSX (long à grande taille)")
    parser.add_argument("--dossier", default="/tmp/bench-national", help="fichiers temporaires (annuaire)")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL doit désigner une base PostgreSQL à part (elle est remplie).")
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", DEBUG="0", PYTHONPATH=str(ROOT), PUBLIC_PAGE_CACHE_SECONDS="0")
    # A slow page is measured, not cut at the production limit (and no 503 for the next ones).
    env.update(DB_STATEMENT_TIMEOUT=os.environ.get("DB_STATEMENT_TIMEOUT", "120"), DB_RETRY_SECONDS="0")
    env.setdefault("REFERENCE_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    env.setdefault("PRIVATE_MEDIA_ROOT", str(Path(args.dossier) / "prive"))
    Path(args.dossier).mkdir(parents=True, exist_ok=True)

    def compter(modele: str) -> int:
        module, classe = modele.rsplit(".", 1)
        code = f"import django; django.setup(); from {module} import {classe} as M; print(M.objects.count())"
        sortie = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        return int(sortie.stdout)

    def generer(nombre: int) -> None:
        secondes = manage(env, "generer_candidatures", "--nombre", str(nombre), "-v0")
        print(f"   generer_candidatures --nombre {nombre} : {secondes:.1f} s")

    print("1. Taille actuelle : données réelles, candidatures générées")
    print(f"   migrate : {manage(env, 'migrate', '--noinput', '-v0'):.1f} s")
    print(f"   import_referentiels : {manage(env, 'import_referentiels', '-v0'):.1f} s")
    manquantes = args.base - compter("candidatures.models.Candidature")
    if manquantes > 0:
        generer(manquantes)
    manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
    actuel = mesurer(env, repetitions=args.repetitions, xlsx=not args.sans_xlsx)

    print("\n2. Taille nationale")
    debut = time.perf_counter()
    subprocess.run(
        [PYTHON, "-c", AGRANDIR, str(args.ecoles), str(args.cites), args.dossier, env["REFERENCE_DATA_DIR"]],
        cwd=ROOT,
        env=env,
        check=True,
    )
    manquantes = args.candidatures - compter("candidatures.models.Candidature")
    if manquantes > 0:
        generer(manquantes)
    manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
    print(f"   préparation : {time.perf_counter() - debut:.0f} s")
    national = mesurer(env, repetitions=args.repetitions, xlsx=not args.sans_xlsx)

    print(
        f"\n3. {actuel['cites']} cités / {actuel['candidatures']} candidatures → "
        f"{national['cites']} cités / {national['candidatures']} candidatures (cache des pages coupé, "
        f"médiane de {args.repetitions})"
    )
    vide_a, vide_n = actuel["mesures"][VIDE]["ms"], national["mesures"][VIDE]["ms"]
    charge = vide_n / vide_a if vide_a else 1.0
    print(f"   vue vide : {vide_a:.1f} ms puis {vide_n:.1f} ms (× {charge:.2f} : la charge de la machine)")
    print(f"   {'adresse':<62} {'ms':>7} {'ms':>7} {'×':>5} {'×/vide':>6}  {'req':>4} {'req':>4}  statut")
    pires = []
    for cle, a in actuel["mesures"].items():
        if cle == VIDE:
            continue
        n = national["mesures"][cle]
        ratio = n["ms"] / a["ms"] if a["ms"] else 0
        corrige = ratio / charge if charge else ratio
        pires.append((corrige, n["url"]))
        statut = f"{a['status']}/{n['status']}"
        marque = "  <-- plus de 2×" if corrige > 2 else ""
        print(
            f"   {n['url'][:62]:<62} {a['ms']:>7.0f} {n['ms']:>7.0f} {ratio:>5.1f} {corrige:>6.1f}  "
            f"{a['requetes']:>4} {n['requetes']:>4}  {statut}{marque}"
        )
    pires.sort(reverse=True)
    print(f"\n   Plus fort ralentissement (rapporté à la vue vide) : {pires[0][0]:.1f}× ({pires[0][1]})")


if __name__ == "__main__":
    main()
