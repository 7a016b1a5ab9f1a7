"""Reads of the map and of the open data: the published cités and the QPVs as plain rows, as
GeoJSON and as CSV, built from `.values()` queries (a fixed number, whatever the number of rows)
and kept in Django's cache under the public pages' version (see `cites.cache`), so that any
change of a cité or an import of reference data forgets them.
"""

import csv
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef, Q

from cites import selectors
from cites.cache import public_cache_version
from cites.formats import texte_tableur
from cites.generalisation import qpv_couverture_rows
from cites.models import CiteEducative, Commune, Etablissement, EvenementLabel, IndicePositionSociale, Qpv
from cites.selectors import CiteListFilters
from cites.territoire import ips_par_uai

GEOJSON_CONTENT_TYPE = "application/geo+json"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
LICENCE = {
    "nom": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
CSV_COLONNES = [
    "identifiant",
    "nom",
    "communes",
    "codes_insee",
    "departements",
    "codes_departements",
    "regions",
    "codes_regions",
    "annee_label",
    "annee_label_deduite",
    "url",
]


# --- Rows -----------------------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def _joined(items: dict[str, str], *, with_code: bool = True) -> str:
    return ", ".join(f"{nom} ({code})" if with_code else nom for code, nom in items.items())


def cite_list_carte(*, filters: CiteListFilters | None = None) -> list[dict]:
    """Published cités matching `filters` (the list's own filtering), as flat rows: names and
    codes of their communes, départements and régions, and a position (the mean of their
    communes' centroids, None when none is known). Two queries."""
    queryset = selectors.cite_list_published(filters=filters).prefetch_related(None)
    cites = list(queryset.values("pk", "identifiant", "nom", "slug", "annee_label", "annee_label_deduite"))
    communes_by_cite: dict[int, list[tuple]] = {cite["pk"]: [] for cite in cites}
    if cites:
        liens = (
            CiteEducative.communes.through.objects.filter(citeeducative_id__in=list(communes_by_cite))
            .order_by("commune__nom", "commune__code")
            .values_list(
                "citeeducative_id",
                "commune__code",
                "commune__nom",
                "commune__latitude",
                "commune__longitude",
                "commune__departement__code",
                "commune__departement__nom",
                "commune__departement__region__code",
                "commune__departement__region__nom",
            )
        )
        for cite_id, *commune in liens:
            communes_by_cite[cite_id].append(commune)
    rows = []
    for cite in cites:
        communes, departements, regions = {}, {}, {}
        latitudes, longitudes = [], []
        for code, nom, latitude, longitude, dep_code, dep_nom, reg_code, reg_nom in communes_by_cite[cite["pk"]]:
            communes[code] = nom
            departements[dep_code] = dep_nom
            if reg_code:
                regions[reg_code] = reg_nom
            if latitude is not None and longitude is not None:
                latitudes.append(latitude)
                longitudes.append(longitude)
        departements = dict(sorted(departements.items()))
        regions = dict(sorted(regions.items(), key=lambda item: item[1]))
        rows.append(
            {
                **cite,
                "communes": _joined(communes),
                "codes_insee": ", ".join(communes),
                "departements": _joined(departements),
                "codes_departements": ", ".join(departements),
                "regions": _joined(regions, with_code=False),
                "codes_regions": ", ".join(regions),
                "latitude": _mean(latitudes),
                "longitude": _mean(longitudes),
            }
        )
    return rows


def qpv_list_carte(*, region: str = "", departement: str = "", generation: int | None = None) -> list[dict]:
    """QPVs with a commune in `region` / `departement`, as flat rows with a geometry: the
    contour when known, else the QPV's centroid, else the centroid of its communes. Two queries."""
    queryset = Qpv.objects.all()
    if region:
        queryset = queryset.filter(
            Exists(Commune.objects.filter(qpvs=OuterRef("pk"), departement__region__code=region))
        )
    if departement:
        queryset = queryset.filter(Exists(Commune.objects.filter(qpvs=OuterRef("pk"), departement__code=departement)))
    if generation is not None:
        queryset = queryset.filter(generation=generation)
    qpvs = list(queryset.order_by("code").values("pk", "code", "nom", "generation", "latitude", "longitude", "contour"))
    communes_by_qpv: dict[int, list[tuple]] = {qpv["pk"]: [] for qpv in qpvs}
    if qpvs:
        liens = (
            Qpv.communes.through.objects.filter(qpv_id__in=list(communes_by_qpv))
            .order_by("commune__nom")
            .values_list("qpv_id", "commune__code", "commune__nom", "commune__latitude", "commune__longitude")
        )
        for qpv_id, *commune in liens:
            communes_by_qpv[qpv_id].append(commune)
    rows = []
    for qpv in qpvs:
        communes = communes_by_qpv[qpv.pop("pk")]
        contour = qpv.pop("contour")
        if contour:
            geometry, position = contour, "contour"
        elif qpv["latitude"] is not None and qpv["longitude"] is not None:
            geometry, position = {"type": "Point", "coordinates": [qpv["longitude"], qpv["latitude"]]}, "qpv"
        else:
            placed = [(lon, lat) for _code, _nom, lat, lon in communes if lat is not None and lon is not None]
            if placed:
                geometry = {
                    "type": "Point",
                    "coordinates": [_mean([p[0] for p in placed]), _mean([p[1] for p in placed])],
                }
                position = "commune"
            else:
                geometry, position = None, ""
        rows.append(
            {
                "code": qpv["code"],
                "nom": qpv["nom"],
                "generation": qpv["generation"],
                "communes": _joined({code: nom for code, nom, _lat, _lon in communes}),
                "codes_insee": ", ".join(code for code, _nom, _lat, _lon in communes),
                "position": position,
                "geometry": geometry,
            }
        )
    return rows


def qpv_contours_exist(*, region: str = "", departement: str = "") -> bool:
    """Whether any QPV with a commune in `region` / `departement` has a contour (2015, Occitanie)."""
    queryset = Qpv.objects.exclude(contour=None)
    if region:
        queryset = queryset.filter(communes__departement__region__code=region)
    if departement:
        queryset = queryset.filter(communes__departement__code=departement)
    return queryset.exists()


# --- Formats --------------------------------------------------------------------------------


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def cite_geojson_build(*, filters: CiteListFilters | None = None, base_url: str = "") -> bytes:
    """A FeatureCollection of the published cités (a Point, or no geometry when unknown)."""
    features = []
    for row in cite_list_carte(filters=filters):
        properties = {key: row[key] for key in CSV_COLONNES if key != "url"}
        properties["slug"] = row["slug"]
        properties["url"] = base_url + CiteEducative(slug=row["slug"]).get_absolute_url()
        geometry = None
        if row["latitude"] is not None:
            geometry = {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
        features.append(
            {"type": "Feature", "id": row["identifiant"] or row["slug"], "geometry": geometry, "properties": properties}
        )
    return _json_bytes({"type": "FeatureCollection", "features": features})


def qpv_geojson_build(*, region: str = "", departement: str = "", generation: int | None = None) -> bytes:
    features = []
    for row in qpv_list_carte(region=region, departement=departement, generation=generation):
        geometry = row.pop("geometry")
        features.append({"type": "Feature", "id": row["code"], "geometry": geometry, "properties": row})
    return _json_bytes({"type": "FeatureCollection", "features": features})


def cite_csv_build(*, base_url: str = "") -> bytes:
    """Every published cité, one row each: `;`-separated, UTF-8 with BOM, CRLF — what French
    spreadsheet software opens correctly."""
    lignes = []
    for row in cite_list_carte():
        row["annee_label"] = row["annee_label"] or ""
        row["annee_label_deduite"] = "oui" if row["annee_label_deduite"] else "non"
        row["url"] = base_url + CiteEducative(slug=row["slug"]).get_absolute_url()
        lignes.append(row)
    return _csv_bytes(colonnes=CSV_COLONNES, lignes=lignes)


def _cellule(valeur) -> object:
    if valeur is None:
        return ""
    return texte_tableur(valeur) if isinstance(valeur, str) else valeur


def _csv_bytes(*, colonnes: list[str], lignes) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(colonnes)
    for ligne in lignes:
        # Text (names typed by agents…) that looks like a formula is written as text, never computed.
        writer.writerow([_cellule(ligne.get(nom)) for nom in colonnes])
    return ("\ufeff" + buffer.getvalue()).encode()


def _ips_texte(valeur: float | None) -> str:
    return f"{valeur:.1f}" if valeur is not None else ""


def cite_etablissements_rows(*, base_url: str = "") -> list[dict]:
    """The schools of each published cité, one row per (cité, UAI): those of its recorded
    perimeter (a cité labelled on the portal), else the REP and REP+ schools of its communes in
    the annuaire — what its page lists. A fixed number of queries."""
    cites = list(selectors.cite_list_published().prefetch_related(None).values("pk", "identifiant", "slug", "nom"))
    ids = [cite["pk"] for cite in cites]
    retenus: dict[int, list[int]] = defaultdict(list)
    for cite_id, etablissement_id in CiteEducative.etablissements.through.objects.filter(
        citeeducative_id__in=ids
    ).values_list("citeeducative_id", "etablissement_id"):
        retenus[cite_id].append(etablissement_id)
    communes: dict[int, list[int]] = defaultdict(list)
    for cite_id, commune_id in CiteEducative.communes.through.objects.filter(citeeducative_id__in=ids).values_list(
        "citeeducative_id", "commune_id"
    ):
        communes[cite_id].append(commune_id)
    champs = (
        "pk",
        "uai",
        "nom",
        "type",
        "commune_id",
        "commune__code",
        "commune__nom",
        "education_prioritaire",
        "statut",
    )
    prioritaires = Etablissement.objects.filter(
        Q(commune_id__in={c for liste in communes.values() for c in liste}, education_prioritaire__in=["REP", "REP+"])
        | Q(pk__in={e for liste in retenus.values() for e in liste})
    ).values(*champs)
    par_pk = {row["pk"]: row for row in prioritaires}
    par_commune: dict[int, list[dict]] = defaultdict(list)
    for row in par_pk.values():
        if row["education_prioritaire"]:
            par_commune[row["commune_id"]].append(row)
    ips = ips_par_uai(uais=[row["uai"] for row in par_pk.values()])
    lignes = []
    for cite in cites:
        if retenus[cite["pk"]]:
            ecoles, rattachement = [par_pk[pk] for pk in retenus[cite["pk"]] if pk in par_pk], "perimetre"
        else:
            ecoles = [row for commune_id in communes[cite["pk"]] for row in par_commune[commune_id]]
            rattachement = "commune"
        for ecole in sorted(ecoles, key=lambda row: row["uai"]):
            valeur, rentree = ips.get(ecole["uai"], (None, None))
            lignes.append(
                {
                    "identifiant_cite": cite["identifiant"] or "",
                    "slug_cite": cite["slug"],
                    "nom_cite": cite["nom"],
                    "uai": ecole["uai"],
                    "nom": ecole["nom"],
                    "type": ecole["type"],
                    "code_commune": ecole["commune__code"],
                    "commune": ecole["commune__nom"],
                    "education_prioritaire": ecole["education_prioritaire"],
                    "secteur": {"public": "public", "prive": "privé"}.get(ecole["statut"], ""),
                    "ips": _ips_texte(valeur),
                    "rentree_ips": f"{rentree}-{rentree + 1}" if rentree else "",
                    "rattachement": rattachement,
                }
            )
    return lignes


def cite_etablissements_csv_build(*, base_url: str = "") -> bytes:
    return _csv_bytes(colonnes=schema_colonnes("cites-etablissements"), lignes=cite_etablissements_rows())


def cite_evenements_csv_build(*, base_url: str = "") -> bytes:
    """The label events of the published cités (label, extension, prolongation, renewal, end)."""
    rows = (
        EvenementLabel.objects.filter(cite__publiee=True)
        .order_by("cite__identifiant", "cite__slug", "annee", "date", "pk")
        .values(
            "pk",
            "cite__identifiant",
            "cite__slug",
            "cite__nom",
            "type",
            "annee",
            "date",
            "reference_decision",
            "fin_financement",
            "description",
        )
    )
    types = dict(EvenementLabel.Type.choices)
    lignes = [
        {
            "evenement": row["pk"],
            "identifiant_cite": row["cite__identifiant"] or "",
            "slug_cite": row["cite__slug"],
            "nom_cite": row["cite__nom"],
            "type": row["type"],
            "type_libelle": types.get(row["type"], row["type"]),
            "annee": row["annee"],
            "date": row["date"].isoformat() if row["date"] else "",
            "reference_decision": row["reference_decision"],
            "fin_financement": row["fin_financement"].isoformat() if row["fin_financement"] else "",
            "description": " ".join(row["description"].split()),
        }
        for row in rows
    ]
    return _csv_bytes(colonnes=schema_colonnes("cites-evenements"), lignes=lignes)


def _montant_texte(valeur) -> str:
    return f"{valeur:.2f}" if valeur is not None else ""


def cite_financements_csv_build(*, base_url: str = "") -> bytes:
    """Money per published cité and per year (issue 13): amounts in euros, point as decimal mark
    (Table Schema `number`)."""
    from cites.financements import MONTANTS, financement_rows_publiques

    lignes = []
    for row in financement_rows_publiques():
        lignes.append({**row, **{cle: _montant_texte(row[cle]) for cle in MONTANTS}})
    return _csv_bytes(colonnes=schema_colonnes("cites-financements"), lignes=lignes)


def cite_financements_json_build(*, base_url: str = "") -> bytes:
    from cites.financements import MONTANTS, financement_rows_publiques

    rows = [
        {**row, **{cle: float(row[cle]) if row[cle] is not None else None for cle in MONTANTS}}
        for row in financement_rows_publiques()
    ]
    return _json_bytes({"licence": LICENCE, "schema": table_schema("cites-financements"), "financements": rows})


def qpv_couverture_csv_build(*, base_url: str = "") -> bytes:
    """Every 2024 QPV, with or without a cité (the road to the generalisation)."""
    lignes = []
    for row in qpv_couverture_rows():
        lignes.append(
            {
                "code": row["code"],
                "nom": row["nom"],
                "communes": row["communes"],
                "codes_insee": row["codes_insee"],
                "departements": _joined(row["departements"]),
                "codes_departements": ", ".join(row["departements"]),
                "regions": _joined(row["regions"], with_code=False),
                "codes_regions": ", ".join(row["regions"]),
                "cite": "oui" if row["couvert"] else "non",
                "cites": ", ".join(row["cites"].values()),
                "latitude": row["latitude"],
                "longitude": row["longitude"],
            }
        )
    return _csv_bytes(colonnes=schema_colonnes("qpv-generalisation"), lignes=lignes)


def qpv_couverture_geojson_build() -> bytes:
    """The 2024 QPVs as points (centre of their communes), each saying whether a cité covers it."""
    features = []
    for row in qpv_couverture_rows():
        geometry = None
        if row["latitude"] is not None:
            geometry = {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
        features.append(
            {
                "type": "Feature",
                "id": row["code"],
                "geometry": geometry,
                "properties": {
                    "code": row["code"],
                    "nom": row["nom"],
                    "communes": row["communes"],
                    "cite": row["couvert"],
                    "cites": list(row["cites"].values()),
                },
            }
        )
    return _json_bytes({"type": "FeatureCollection", "features": features})


# --- Table schemas (Table Schema, frictionless) ----------------------------------------------

_OUI_NON = {"trueValues": ["oui"], "falseValues": ["non"]}
_CODE_INSEE_LISTE = r"^(\w{5}(, \w{5})*)?$"

# The columns that place a row (a cité, a QPV) in its communes, départements and régions.
_CHAMPS_TERRITOIRE = [
    {"name": "communes", "title": "Communes (nom et code INSEE)", "type": "string"},
    {
        "name": "codes_insee",
        "title": "Codes INSEE des communes",
        "type": "string",
        "constraints": {"pattern": _CODE_INSEE_LISTE},
    },
    {"name": "departements", "title": "Départements", "type": "string"},
    {"name": "codes_departements", "title": "Codes des départements", "type": "string"},
    {"name": "regions", "title": "Régions", "type": "string"},
    {"name": "codes_regions", "title": "Codes des régions", "type": "string"},
]

SCHEMAS: dict[str, dict] = {
    "cites-educatives": {
        "titre": "Cités éducatives labellisées",
        "description": "Une ligne par cité éducative publiée.",
        "fields": [
            {
                "name": "identifiant",
                "title": "Identifiant ANCT",
                "description": "Identifiant de la liste de l'ANCT (cite-001…), stable d'un import à l'autre ; "
                "vide pour une cité labellisée sur le portail et pas encore dans cette liste.",
                "type": "string",
                "constraints": {"unique": True, "pattern": r"^cite-\d{3,}$"},
            },
            {"name": "nom", "title": "Nom", "type": "string", "constraints": {"required": True}},
            *_CHAMPS_TERRITOIRE,
            {
                "name": "annee_label",
                "title": "Année du label",
                "type": "integer",
                "constraints": {"minimum": 2019},
            },
            {
                "name": "annee_label_deduite",
                "title": "Année déduite",
                "description": "oui quand l'année vient du numéro d'ordre de la liste ANCT, non d'une décision.",
                "type": "boolean",
                **_OUI_NON,
                "constraints": {"required": True},
            },
            {
                "name": "url",
                "title": "Adresse de la fiche",
                "type": "string",
                "format": "uri",
                "constraints": {"required": True, "unique": True},
            },
        ],
        "primaryKey": ["url"],
    },
    "cites-etablissements": {
        "titre": "Écoles et collèges des cités éducatives",
        "description": "Une ligne par cité et par établissement (UAI) : ceux du périmètre d'une cité labellisée "
        "sur le portail, sinon les écoles et collèges REP et REP+ de ses communes d'après l'annuaire de "
        "l'éducation (les communes dont l'annuaire n'est pas chargé n'en ont pas).",
        "fields": [
            {"name": "identifiant_cite", "title": "Identifiant ANCT de la cité", "type": "string"},
            {
                "name": "slug_cite",
                "title": "Identifiant de la cité sur le portail",
                "type": "string",
                "constraints": {"required": True},
            },
            {"name": "nom_cite", "title": "Nom de la cité", "type": "string", "constraints": {"required": True}},
            {
                "name": "uai",
                "title": "UAI",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^\d{7}[A-Z]$"},
            },
            {"name": "nom", "title": "Nom de l'établissement", "type": "string", "constraints": {"required": True}},
            {"name": "type", "title": "Type (annuaire)", "type": "string"},
            {
                "name": "code_commune",
                "title": "Code INSEE de la commune",
                "type": "string",
                "constraints": {"pattern": r"^\w{5}$"},
            },
            {"name": "commune", "title": "Commune", "type": "string"},
            {
                "name": "education_prioritaire",
                "title": "Éducation prioritaire",
                "type": "string",
                "constraints": {"enum": ["REP", "REP+", ""]},
            },
            {"name": "secteur", "title": "Secteur", "type": "string", "constraints": {"enum": ["public", "privé", ""]}},
            {
                "name": "ips",
                "title": "Indice de position sociale (IPS)",
                "type": "number",
                "description": "Dernière rentrée connue (DEPP).",
            },
            {
                "name": "rentree_ips",
                "title": "Rentrée de l'IPS",
                "type": "string",
                "constraints": {"pattern": r"^(\d{4}-\d{4})?$"},
            },
            {
                "name": "rattachement",
                "title": "Rattachement",
                "type": "string",
                "description": "perimetre : établissement du périmètre de la cité ; commune : établissement REP "
                "ou REP+ d’une de ses communes.",
                "constraints": {"required": True, "enum": ["perimetre", "commune"]},
            },
        ],
        "primaryKey": ["slug_cite", "uai"],
    },
    "cites-evenements": {
        "titre": "Historique du label des cités éducatives",
        "description": "Une ligne par événement du label : labellisation, extension, prolongation, renouvellement, "
        "fin. Les montants par année sont dans « Financement des cités éducatives par année ».",
        "fields": [
            {
                "name": "evenement",
                "title": "Numéro de l'événement",
                "type": "integer",
                "constraints": {"required": True, "unique": True},
            },
            {"name": "identifiant_cite", "title": "Identifiant ANCT de la cité", "type": "string"},
            {
                "name": "slug_cite",
                "title": "Identifiant de la cité sur le portail",
                "type": "string",
                "constraints": {"required": True},
            },
            {"name": "nom_cite", "title": "Nom de la cité", "type": "string", "constraints": {"required": True}},
            {
                "name": "type",
                "title": "Type",
                "type": "string",
                "constraints": {"required": True, "enum": list(EvenementLabel.Type.values)},
            },
            {"name": "type_libelle", "title": "Type (libellé)", "type": "string"},
            {"name": "annee", "title": "Année", "type": "integer", "constraints": {"required": True, "minimum": 2019}},
            {"name": "date", "title": "Date de la décision", "type": "date"},
            {"name": "reference_decision", "title": "Référence de la décision", "type": "string"},
            {"name": "fin_financement", "title": "Fin du financement décidée", "type": "date"},
            {"name": "description", "title": "Description", "type": "string"},
        ],
        "primaryKey": ["evenement"],
    },
    "cites-financements": {
        "titre": "Financement des cités éducatives par année",
        "description": "Une ligne par cité publiée et par année : dotation de l'État (programme 147), fonds de la "
        "cité, cofinancement de la collectivité, autres financements et dépenses réalisées, en euros, saisis "
        "par les agents de l'État.",
        "fields": [
            {"name": "identifiant_cite", "title": "Identifiant ANCT de la cité", "type": "string"},
            {
                "name": "slug_cite",
                "title": "Identifiant de la cité sur le portail",
                "type": "string",
                "constraints": {"required": True},
            },
            {"name": "nom_cite", "title": "Nom de la cité", "type": "string", "constraints": {"required": True}},
            {"name": "annee", "title": "Année", "type": "integer", "constraints": {"required": True, "minimum": 2019}},
            {"name": "dotation_etat", "title": "Dotation de l'État (euros)", "type": "number"},
            {"name": "fonds_cite", "title": "Fonds de la cité (euros)", "type": "number"},
            {"name": "cofinancement", "title": "Cofinancement de la collectivité (euros)", "type": "number"},
            {"name": "autres", "title": "Autres financements (euros)", "type": "number"},
            {"name": "depenses", "title": "Dépenses réalisées (euros, vide si inconnues)", "type": "number"},
            {"name": "commentaire", "title": "Commentaire", "type": "string"},
        ],
        "primaryKey": ["slug_cite", "annee"],
    },
    "qpv-generalisation": {
        "titre": "Quartiers prioritaires avec et sans cité éducative",
        "description": "Chaque quartier prioritaire 2024 et les cités éducatives publiées qui le couvrent (par son "
        "périmètre enregistré ou par ses communes).",
        "fields": [
            {
                "name": "code",
                "title": "Code du QPV",
                "type": "string",
                "constraints": {"required": True, "unique": True, "pattern": r"^Q[NP]\w{6}$"},
            },
            {"name": "nom", "title": "Nom", "type": "string", "constraints": {"required": True}},
            *_CHAMPS_TERRITOIRE,
            {
                "name": "cite",
                "title": "Couvert par une cité éducative",
                "type": "boolean",
                **_OUI_NON,
                "constraints": {"required": True},
            },
            {"name": "cites", "title": "Cités éducatives", "type": "string"},
            {"name": "latitude", "title": "Latitude (centre des communes)", "type": "number"},
            {"name": "longitude", "title": "Longitude (centre des communes)", "type": "number"},
        ],
        "primaryKey": ["code"],
    },
}


def schema_colonnes(nom: str) -> list[str]:
    return [champ["name"] for champ in SCHEMAS[nom]["fields"]]


def table_schema(nom: str) -> dict:
    """The Table Schema (frictionless) of one CSV of the open data."""
    schema = SCHEMAS[nom]
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "title": schema["titre"],
        "description": schema["description"],
        "fields": schema["fields"],
        "primaryKey": schema["primaryKey"],
        "missingValues": [""],
    }


# --- Cache ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contenu:
    """Bytes to serve, and the same gzip-compressed (compressed once, when cached)."""

    brut: bytes
    gzip: bytes

    @property
    def taille(self) -> int:
        return len(self.brut)


def donnees_cached(*, key: str, build: Callable[[], bytes]) -> Contenu:
    """`build()` once per version of the public data (PUBLIC_PAGE_CACHE_SECONDS at most)."""
    timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
    if timeout <= 0:
        raw = build()
        return Contenu(raw, gzip.compress(raw, compresslevel=6))
    full_key = f"donnees:{public_cache_version()}:{key}"
    contenu = cache.get(full_key)
    if contenu is None:
        raw = build()
        contenu = Contenu(raw, gzip.compress(raw, compresslevel=6))
        cache.set(full_key, contenu, timeout)
    return contenu


# --- Sources of the reference data ----------------------------------------------------------

SOURCES = [
    {
        "jeu": "Cités éducatives labellisées",
        "producteur": "Agence nationale de la cohésion des territoires (ANCT)",
        "description": "Liste des territoires labellisés et de leurs communes (liste ANCT du 17 août 2023, "
        "COG 2023). L'année du label n'y figure pas : elle est déduite de l'identifiant ANCT quand "
        "aucune décision connue ne la donne, et signalée comme telle.",
        "lien": "https://github.com/anct-carto/superposeur-anct",
        "licence": "Licence Ouverte 2.0",
        "modele": CiteEducative,
    },
    {
        "jeu": "Quartiers prioritaires de la politique de la ville (QPV 2024)",
        "producteur": "ANCT, sur data.gouv.fr",
        "description": "Codes, noms et communes des QPV (décret n° 2023-1314 modifié ; outre-mer au "
        "1er janvier 2025). La position d'un QPV sur la carte est le centre de sa commune.",
        "lien": "https://www.data.gouv.fr/fr/datasets/quartiers-prioritaires-de-la-politique-de-la-ville-qpv/",
        "licence": "Licence Ouverte 2.0",
        "modele": Qpv,
    },
    {
        "jeu": "Annuaire de l'éducation",
        "producteur": "Ministère de l'Éducation nationale",
        "description": "Écoles, collèges et lycées, avec leur appartenance au réseau d'éducation "
        "prioritaire (REP, REP+).",
        "lien": "https://data.education.gouv.fr/explore/dataset/fr-en-annuaire-education/",
        "licence": "Licence Ouverte 2.0",
        "modele": Etablissement,
    },
    {
        "jeu": "Indice de position sociale (IPS) des écoles et des collèges",
        "producteur": "Ministère de l'Éducation nationale (DEPP)",
        "description": "Indice du milieu social des élèves de chaque école (élémentaire ou primaire) et de chaque "
        "collège, public ou privé sous contrat, par rentrée scolaire : affiché à côté de chaque établissement.",
        "lien": "https://data.education.gouv.fr/explore/dataset/fr-en-ips-ecoles-ap2022/",
        "licence": "Licence Ouverte 2.0",
        "modele": IndicePositionSociale,
    },
    {
        "jeu": "Code officiel géographique (régions, départements, communes)",
        "producteur": "INSEE, via le paquet @etalab/decoupage-administratif",
        "description": "Découpage administratif : communes, départements, régions et intercommunalités.",
        "lien": "https://github.com/datagouv/decoupage-administratif",
        "licence": "Licence Ouverte 2.0",
        "modele": Commune,
    },
]


def donnees_sources() -> list[dict]:
    """The reference datasets, each with the files it was imported from and the last import
    date recorded on its rows (one query per dataset)."""
    sources = []
    for source in SOURCES:
        modele = source["modele"]
        rows = list(modele.objects.exclude(source="").order_by().values("source").annotate(derniere=Max("importe_le")))
        dates = [row["derniere"] for row in rows if row["derniere"]]
        sources.append(
            {
                **{key: value for key, value in source.items() if key != "modele"},
                "fichiers": sorted(row["source"] for row in rows),
                "importe_le": max(dates) if dates else None,
            }
        )
    return sources
