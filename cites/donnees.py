"""Reads of the map and of the open data: the published cités and the QPVs as plain rows, as
GeoJSON and as CSV, built from `.values()` queries (a fixed number, whatever the number of rows)
and kept in Django's cache under the public pages' version (see `cites.cache`), so that any
change of a cité or an import of reference data forgets them.
"""

import csv
import gzip
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef

from cites import selectors
from cites.cache import public_cache_version
from cites.formats import texte_tableur
from cites.models import CiteEducative, Commune, Etablissement, Qpv
from cites.selectors import CiteListFilters

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
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLONNES)
    for row in cite_list_carte():
        row["annee_label"] = row["annee_label"] or ""
        row["annee_label_deduite"] = "oui" if row["annee_label_deduite"] else "non"
        row["url"] = base_url + CiteEducative(slug=row["slug"]).get_absolute_url()
        # Names are typed by agents: a formula-like one is written as text, never computed.
        writer.writerow([texte_tableur(str(row[key])) for key in CSV_COLONNES])
    return ("\ufeff" + buffer.getvalue()).encode()


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
