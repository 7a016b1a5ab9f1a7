"""Commune centroids for the map, from the geometries of the ANCT open-data files.

The COG package carries no coordinates. Two ANCT files place communes:
- the QPV file (`qpv/centroide-4326_qpv.geojson`): one Point per commune that has a QPV, keyed
  by `insee_com` — unambiguous;
- the cités file (`cites_educatives/citeduc_geom_2024-03-05.geojson`): a Point or MultiPoint at
  the centroids of the communes of `liste_geo`, but the points of a MultiPoint are **not** in
  the order of `liste_geo`. A commune missing from the QPV file gets the one point of its
  feature that matches no commune already placed, when exactly one is left.

Existing coordinates of communes absent from both files are left as they are.

One commune of a cité is in neither file: Saint-Martin (97801, a collectivité d'outre-mer), whose
feature in the cités file is an empty GeometryCollection. It is placed at its chef-lieu, Marigot,
from public coordinates stated below (`COORDONNEES_COMPLEMENTAIRES`), only while no file places it.
"""

import math

from django.db import transaction

from cites.cache import public_cache_invalidate
from cites.imports.importers import RejetEnregistre, Resultat
from cites.imports.mappers import COMMUNE_IN_LISTE_GEO_RE
from cites.imports.readers import Source, geojson_features_read
from cites.models import Commune, CommuneRattachee

# Communes that no open-data file of the portal places, with public coordinates of their
# chef-lieu: (latitude, longitude, where they come from). Used only when no file gives a position.
COORDONNEES_COMPLEMENTAIRES = {
    "97801": (
        18.0667,
        -63.0833,
        "chef-lieu Marigot, 18° 04′ N 63° 05′ O (notices « Marigot » de GeoNames et de Wikipédia)",
    ),
}

# Two points closer than this (in degrees, about 100 m) are the same commune centroid.
MEME_POINT = 1e-3
DECIMALES = 6


def _points(geometry: dict | None) -> list[tuple[float, float]]:
    """The (longitude, latitude) points of a Point, MultiPoint or GeometryCollection of them."""
    if not isinstance(geometry, dict):
        return []
    kind = geometry.get("type")
    if kind == "Point":
        coordinates = [geometry.get("coordinates")]
    elif kind == "MultiPoint":
        coordinates = geometry.get("coordinates") or []
    elif kind == "GeometryCollection":
        return [point for part in geometry.get("geometries") or [] for point in _points(part)]
    else:
        return []
    points = []
    for item in coordinates:
        if not isinstance(item, list | tuple) or len(item) < 2:
            continue
        try:
            longitude, latitude = float(item[0]), float(item[1])
        except (TypeError, ValueError):
            continue
        if math.isfinite(longitude) and math.isfinite(latitude) and -180 <= longitude <= 180 and -90 <= latitude <= 90:
            points.append((longitude, latitude))
    return points


def _commune_index() -> dict[str, int]:
    """INSEE code → id of the current commune (déléguées, associées, arrondissements resolved)."""
    index = dict(CommuneRattachee.objects.values_list("code", "commune_id"))
    index.update(Commune.objects.values_list("code", "pk"))
    return index


def _rejet(source: Source, number: int, motif: str) -> RejetEnregistre:
    return RejetEnregistre(number, f"{motif} ({source.nom})", "entité")


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < MEME_POINT and abs(a[1] - b[1]) < MEME_POINT


def commune_coordonnees_import(*, qpv_source: Source | None = None, cites_source: Source | None = None) -> Resultat:
    """Set `Commune.latitude/longitude` from the ANCT QPV and cités GeoJSON files.

    Raises `ImportErreur` when a file cannot be read; a feature that cannot place a commune is
    reported in `rejets` with its number (1-based) and the reason.
    """
    sources = [source.nom for source in (qpv_source, cites_source) if source is not None]
    result = Resultat("Coordonnées des communes (carte)", " + ".join(sources))
    index = _commune_index()
    positions: dict[int, tuple[float, float]] = {}

    if qpv_source is not None:
        for number, feature in enumerate(geojson_features_read(source=qpv_source), start=1):
            properties = feature.get("properties") or {}
            code = str(properties.get("insee_com") or "").strip()
            points = _points(feature.get("geometry"))
            if code not in index:
                result.rejets.append(_rejet(qpv_source, number, f"commune {code or '(vide)'} inconnue du COG"))
            elif len(points) != 1:
                result.rejets.append(_rejet(qpv_source, number, f"pas de point unique pour la commune {code}"))
            else:
                positions.setdefault(index[code], points[0])

    if cites_source is not None:
        for number, feature in enumerate(geojson_features_read(source=cites_source), start=1):
            properties = feature.get("properties") or {}
            codes = COMMUNE_IN_LISTE_GEO_RE.findall(str(properties.get("liste_geo") or ""))
            unknown_codes = [code for code in codes if code not in index]
            if unknown_codes:
                result.rejets.append(_rejet(cites_source, number, f"commune {unknown_codes[0]} inconnue du COG"))
                continue
            ids = list(dict.fromkeys(index[code] for code in codes))
            missing = [commune_id for commune_id in ids if commune_id not in positions]
            if not missing:
                continue
            placed = [positions[commune_id] for commune_id in ids if commune_id in positions]
            free = [point for point in _points(feature.get("geometry")) if not any(_near(point, p) for p in placed)]
            if len(missing) == 1 and len(free) == 1:
                positions[missing[0]] = free[0]
            else:
                codes_missing = ", ".join(code for code in codes if index[code] in missing)
                reason = "aucune coordonnée" if not free else "coordonnées ambiguës"
                result.rejets.append(_rejet(cites_source, number, f"{reason} pour la commune {codes_missing}"))

    complements = {}
    for code, (latitude, longitude, origine) in COORDONNEES_COMPLEMENTAIRES.items():
        if code in index and index[code] not in positions:
            positions[index[code]] = (longitude, latitude)
            complements[index[code]] = f"commune {code} placée d'après les coordonnées publiques du {origine}"

    with transaction.atomic():
        changed = []
        for commune in Commune.objects.filter(pk__in=list(positions)).only("pk", "latitude", "longitude"):
            longitude, latitude = (round(value, DECIMALES) for value in positions[commune.pk])
            if (commune.latitude, commune.longitude) == (latitude, longitude):
                result.inchanges += 1
                continue
            commune.latitude, commune.longitude = latitude, longitude
            changed.append(commune)
        Commune.objects.bulk_update(changed, ["latitude", "longitude"], batch_size=500)
        result.mis_a_jour = len(changed)
    result.details.extend(complements.values())
    if changed:
        public_cache_invalidate()
    return result
