"""The social position index (IPS) of écoles and collèges (DEPP, PROVENANCE.md §5).

Reader → mapper → importer, like the other reference data:
- the reader accepts both published headers, the label style of the older series
  (`Rentrée scolaire;…;UAI;…;IPS`) and the field names of the `-ap2022` datasets
  (`rentree_scolaire;…;uai;…;ips`): each header is folded to the field name;
- the mapper turns one row into the fields of `IndicePositionSociale`, or a reason to skip it;
- the importer upserts on (UAI, rentrée) in one transaction and returns the counts.

Every row is kept, whether or not the annuaire de l'éducation holds the school: the annuaire
imported covers only some régions, the IPS files the whole country.
"""

import re
import unicodedata
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cites.cache import public_cache_invalidate
from cites.models import Departement, IndicePositionSociale

from .importers import Progression, RejetEnregistre, Resultat, commune_index_build, no_progress, tables_analyze
from .mappers import UAI_RE, CommuneIndex, Rejet, departement_code_normalize
from .readers import ImportErreur, LigneRejetee, Source, csv_read

COLONNES = [
    "rentree_scolaire",
    "code_du_departement",
    "uai",
    "nom_de_l_etablissment",
    "code_insee_de_la_commune",
    "secteur",
    "ips",
]
SECTEURS = {"public": IndicePositionSociale.Secteur.PUBLIC, "prive sous contrat": IndicePositionSociale.Secteur.PRIVE}
RENTREE_RE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
CHAMPS = [
    "niveau",
    "nom",
    "code_commune",
    "commune_id",
    "departement_id",
    "secteur",
    "effectifs",
    "ips",
    "ecart_type",
]


def colonne_normalize(nom: str) -> str:
    """`Nom de l'établissment` → `nom_de_l_etablissment`: the label header folded to the field name."""
    decomposed = unicodedata.normalize("NFKD", nom.strip().lower())
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")


def niveau_from_name(nom: str) -> str | None:
    """The level a file holds, from its name (`…ips-colleges…`, `…ips_ecoles…`), else None."""
    nom = colonne_normalize(nom)
    if "college" in nom:
        return IndicePositionSociale.Niveau.COLLEGE
    if "ecole" in nom:
        return IndicePositionSociale.Niveau.ECOLE
    return None


def _number(value: str, *, nom: str) -> float:
    try:
        return float((value or "").strip().replace(",", "."))
    except ValueError:
        raise Rejet(f"{nom} {value!r} n'est pas un nombre") from None


def ips_map(row: dict, *, niveau: str, communes: CommuneIndex, departements: dict[str, int]) -> dict:
    """One row of an IPS file (headers already folded) → fields of IndicePositionSociale."""
    uai = (row.get("uai") or "").strip().upper()
    if not UAI_RE.match(uai):
        raise Rejet(f"UAI {uai!r} invalide" if uai else "UAI manquant")
    rentree = RENTREE_RE.match((row.get("rentree_scolaire") or "").strip())
    if not rentree or int(rentree.group(2)) != int(rentree.group(1)) + 1:
        raise Rejet(f"rentrée scolaire {row.get('rentree_scolaire')!r} invalide (attendu : 2022-2023)")
    nom = " ".join((row.get("nom_de_l_etablissment") or "").split())[:250]
    if not nom:
        raise Rejet(f"nom manquant pour l'UAI {uai}")
    code_departement = departement_code_normalize(row.get("code_du_departement") or "")
    if code_departement not in departements:
        raise Rejet(f"département {row.get('code_du_departement')!r} inconnu")
    code_commune = (row.get("code_insee_de_la_commune") or "").strip()
    try:
        commune_id = communes.resolve(code_commune)
    except Rejet:
        if not re.fullmatch(r"\w{5}", code_commune):
            raise Rejet(f"code commune {code_commune!r} invalide") from None
        commune_id = None  # a merged commune the COG no longer knows: the row stays with its département
    secteur = colonne_normalize(row.get("secteur") or "").replace("_", " ")
    if secteur not in SECTEURS:
        raise Rejet(f"secteur {row.get('secteur')!r} inconnu (public ou privé sous contrat attendu)")
    ips = _number(row.get("ips"), nom="IPS")
    if not 0 < ips < 300:
        raise Rejet(f"IPS {ips} hors de l'échelle de l'indice")
    effectifs = row.get("effectifs")
    ecart_type = row.get("ecart_type_de_l_ips")
    return {
        "uai": uai,
        "rentree": int(rentree.group(1)),
        "niveau": niveau,
        "nom": nom,
        "code_commune": code_commune,
        "commune_id": commune_id,
        "departement_id": departements[code_departement],
        "secteur": SECTEURS[secteur],
        "effectifs": round(_number(effectifs, nom="effectif")) if effectifs not in (None, "") else None,
        "ips": round(ips, 1),
        "ecart_type": round(_number(ecart_type, nom="écart-type"), 1) if ecart_type not in (None, "") else None,
    }


def ips_import(*, source: Source, niveau: str | None = None, progression: Progression = no_progress) -> Resultat:
    """Upsert the IPS of one file on (UAI, rentrée). `niveau` (école or collège) defaults to
    what the file name says; a file whose name says neither needs it."""
    niveau = niveau or niveau_from_name(source.emplacement if source.est_url else Path(source.emplacement).name)
    if niveau not in IndicePositionSociale.Niveau.values:
        raise ImportErreur(
            f"le niveau des établissements du fichier {source.nom} est inconnu : indiquez --niveau ecole ou college."
        )
    fichier = csv_read(source=source, required=[])
    colonnes = [colonne_normalize(nom) for nom in fichier.colonnes]
    manquantes = [nom for nom in COLONNES if nom not in colonnes]
    if manquantes:
        raise ImportErreur(f"colonnes obligatoires absentes du fichier {source.nom} : {', '.join(manquantes)}.")
    renommage = dict(zip(fichier.colonnes, colonnes, strict=True))
    index = commune_index_build()
    departements = dict(Departement.objects.values_list("code", "pk"))
    resultat = Resultat(f"IPS des {'collèges' if niveau == 'college' else 'écoles'}", source.nom)
    rows: dict[tuple[str, int], dict] = {}
    premiere_ligne: dict[tuple[str, int], int] = {}
    for numero, row in progression(fichier.lignes, "IPS", None):
        if isinstance(row, LigneRejetee):
            resultat.rejets.append(RejetEnregistre(numero, row))
            continue
        try:
            mapped = ips_map(
                {renommage.get(k, k): v for k, v in row.items()},
                niveau=niveau,
                communes=index,
                departements=departements,
            )
        except Rejet as rejet:
            resultat.rejets.append(RejetEnregistre(numero, str(rejet)))
            continue
        cle = (mapped["uai"], mapped["rentree"])
        if cle in rows:
            resultat.rejets.append(
                RejetEnregistre(numero, f"UAI {cle[0]} en double (déjà lu ligne {premiere_ligne[cle]}) : ignorée")
            )
            continue
        rows[cle], premiere_ligne[cle] = mapped, numero
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (uai, rentree): (pk, tuple(values))
            for uai, rentree, pk, *values in IndicePositionSociale.objects.filter(
                rentree__in={rentree for _uai, rentree in rows}
            )
            .values_list("uai", "rentree", "pk", *CHAMPS, "source")
            .iterator()
        }
        to_create, to_update = [], []
        for cle, mapped in rows.items():
            wanted = (*(mapped[name] for name in CHAMPS), source.nom)
            if cle not in existing:
                to_create.append(IndicePositionSociale(**mapped, source=source.nom, importe_le=now))
            elif existing[cle][1] != wanted:
                to_update.append(
                    IndicePositionSociale(pk=existing[cle][0], **mapped, source=source.nom, importe_le=now)
                )
            else:
                resultat.inchanges += 1
        IndicePositionSociale.objects.bulk_create(to_create, batch_size=2000)
        IndicePositionSociale.objects.bulk_update(to_update, [*CHAMPS, "source", "importe_le"], batch_size=1000)
        resultat.crees, resultat.mis_a_jour = len(to_create), len(to_update)
        if to_create or to_update:
            public_cache_invalidate()
    tables_analyze(IndicePositionSociale)
    sans_commune = sum(1 for row in rows.values() if row["commune_id"] is None)
    rentrees = ", ".join(f"{r}-{r + 1}" for r in sorted({rentree for _uai, rentree in rows}))
    detail = f"{len(rows)} établissements lus (rentrée {rentrees})"
    if sans_commune:
        detail += f" ; {sans_commune} dans une commune inconnue du COG, rattachés à leur seul département"
    resultat.details.append(detail)
    return resultat
