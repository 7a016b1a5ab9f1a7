"""All reference data in one go: from a folder laid out like ../shared/data, or from the
official URLs when there is no folder. What cannot be had is said, and the rest goes on."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .geometrie import commune_coordonnees_import
from .importers import (
    Progression,
    Resultat,
    cites_import,
    cog_files_find,
    cog_import,
    etablissements_import,
    etablissements_place,
    no_progress,
    qpv_import,
)
from .ips import ips_import
from .readers import ImportErreur, Source

QPV_FICHIERS = ("qpv/centroide-4326_qpv.geojson", "qpv/hackaviz2021_occitanie_qp2015_contours.geojson")
CITES_FICHIER = "cites_educatives/citeduc_geom_2024-03-05.geojson"
ANNUAIRE_DOSSIER = "annuaire_education"
IPS_DOSSIER = "ips"


@dataclass
class Probleme:
    """Something the import could not get. `illisible` when a file was there but unreadable."""

    message: str
    illisible: bool = False


def cog_package_dir() -> Path:
    return Path(settings.NODE_MODULES_DIR) / "@etalab" / "decoupage-administratif" / "data"


def _cog_step(dossier: Path | None, progression: Progression) -> Iterator[Resultat | Probleme]:
    package = cog_package_dir()
    cog = dossier / "cog" if dossier is not None else None
    if cog is None or not cog.is_dir():
        if not package.is_dir():
            yield Probleme(
                "COG introuvable : ni dossier cog/ dans les données de référence, ni paquet npm "
                f"@etalab/decoupage-administratif dans {package} (lancez « npm install »). "
                "Sans communes, les autres données ne peuvent pas être rattachées."
            )
            return
        cog = package
    epci = None
    if "epci" not in cog_files_find(dossier=cog) and (package / "epci.json").is_file():
        epci = package / "epci.json"  # the copied cog/ folder has no EPCI: take them from the npm package
    try:
        yield from cog_import(dossier=cog, progression=progression, epci=epci)
    except ImportErreur as error:
        yield Probleme(f"COG non importé : {error}", illisible=True)


def _file_step(importer, source: Source, progression: Progression) -> Iterator[Resultat | Probleme]:
    if not source.est_url and not Path(source.emplacement).is_file():
        yield Probleme(f"fichier absent, non importé : {source.emplacement}")
        return
    try:
        yield importer(source=source, progression=progression)
    except ImportErreur as error:
        # A download that fails is data we could not get; a local file that fails is broken.
        yield Probleme(f"non importé : {error}", illisible=not source.est_url)


def _commune_coordinates_step(qpv_sources: list[Source], cites_sources: list[Source]):
    """Commune centroids for the map, from the geometries of the ANCT GeoJSON files (when local)."""

    def usable(source: Source) -> Source | None:
        is_geojson = source.emplacement.endswith(".geojson") and "contours" not in source.emplacement
        return source if is_geojson and not source.est_url and Path(source.emplacement).is_file() else None

    qpv_source = next((source for source in map(usable, qpv_sources) if source), None)
    cites_source = next((source for source in map(usable, cites_sources) if source), None)
    if qpv_source is None and cites_source is None:
        return
    try:
        yield commune_coordonnees_import(qpv_source=qpv_source, cites_source=cites_source)
    except ImportErreur as error:
        yield Probleme(f"coordonnées des communes non importées : {error}", illisible=True)


def referentiels_import(
    *, dossier: Path | None, progression: Progression = no_progress
) -> Iterator[Resultat | Probleme]:
    """Import everything, in dependency order; yield each dataset's result or problem.

    With a folder: cog/ (or the npm package), qpv/, cites_educatives/, annuaire_education/*.csv,
    ips/*.csv. Without (dossier None): the npm package for the COG and settings.REFERENCE_DATA_URLS.
    Schools are placed in QPVs at the end.
    """
    yield from _cog_step(dossier, progression)
    if dossier is not None:
        qpv_sources = [Source(str(dossier / name)) for name in QPV_FICHIERS]
        cites_sources = [Source(str(dossier / CITES_FICHIER))]
        annuaire = dossier / ANNUAIRE_DOSSIER
        etablissements_sources = [Source(str(path)) for path in sorted(annuaire.glob("*.csv"))]
        if not etablissements_sources:
            yield Probleme(f"aucun fichier de l'annuaire de l'éducation (*.csv) dans {annuaire}")
        ips_sources = [Source(str(path)) for path in sorted((dossier / IPS_DOSSIER).glob("*.csv"))]
        if not ips_sources:
            yield Probleme(f"aucun fichier d'indice de position sociale (*.csv) dans {dossier / IPS_DOSSIER}")
    else:
        urls = settings.REFERENCE_DATA_URLS

        def url_sources(key: str) -> list[Source]:
            values = urls.get(key) or []
            return [Source(url) for url in ([values] if isinstance(values, str) else values) if url]

        qpv_sources, cites_sources = url_sources("qpv"), url_sources("cites")
        etablissements_sources = url_sources("etablissements")
        ips_sources = url_sources("ips")
        for key, label in (
            ("qpv", "QPV"),
            ("cites", "cités éducatives"),
            ("etablissements", "annuaire"),
            ("ips", "indice de position sociale"),
        ):
            if not url_sources(key):
                yield Probleme(f"aucune adresse configurée pour : {label} (REFERENCE_DATA_URLS)")
    imported: list[Source] = []
    for importer, sources in ((qpv_import, qpv_sources), (cites_import, cites_sources)):
        for source in sources:
            for etape in _file_step(importer, source, progression):
                if isinstance(etape, Resultat):
                    imported.append(source)
                yield etape
    yield from _commune_coordinates_step(
        [source for source in qpv_sources if source in imported],
        [source for source in cites_sources if source in imported],
    )
    for source in etablissements_sources:
        yield from _file_step(etablissements_import, source, progression)
    for source in ips_sources:
        yield from _file_step(ips_import, source, progression)
    yield etablissements_place(progression=progression)
