"""The map (/carte/), the open-data page (/donnees/) and its files (GeoJSON, CSV)."""

import hashlib
import json
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from cites import donnees, selectors
from cites.cache import cache_public_page
from cites.charts import stacked_bar_chart
from cites.formats import taille
from cites.forms import CiteFilterForm
from cites.generalisation import generalisation_statistiques
from cites.views import _with_pages_list, page_not_found_message

FILTRES = ("region", "departement", "annee", "q")
GZIP_RE = re.compile(r"\bgzip\b")


class FiltresInvalides(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("filtres invalides")
        self.errors = errors


def _filters_read(
    request, *, page: bool = False
) -> tuple[CiteFilterForm | None, selectors.CiteListFilters, dict[str, list[str]]]:
    """The filters of the list of cités (same form, same rules as /cites/) and their errors.

    The form (3 queries for its choices) is only built for a page or when there are filters.
    """
    bound = any(request.GET.get(name) for name in FILTRES)
    if not bound and not page:
        return None, selectors.CiteListFilters(), {}
    form = CiteFilterForm(request.GET if bound else None, choices=selectors.cite_filter_choices())
    if not bound:
        return form, selectors.CiteListFilters(), {}
    form.is_valid()
    return form, form.filters(), {name: list(errors) for name, errors in form.errors.items()}


def _filters_query(filters: selectors.CiteListFilters, *, names=FILTRES) -> str:
    values = {name: getattr(filters, name) for name in names}
    return urlencode({name: value for name, value in values.items() if value not in ("", None)})


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _raw_filters_key(request, *names: str) -> str:
    """Cache key part for the filters as given (valid or not: invalid ones are never cached)."""
    raw = [(name, request.GET.get(name, "").strip()) for name in names]
    return hashlib.sha256(repr([item for item in raw if item[1]]).encode()).hexdigest()[:32]


def _serve(request, contenu: donnees.Contenu, *, content_type: str, filename: str = "") -> HttpResponse:
    """The bytes, gzip-compressed when the client accepts it (compressed once, in the cache)."""
    if GZIP_RE.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(contenu.gzip, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(contenu.brut, content_type=content_type)
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Access-Control-Allow-Origin"] = "*"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad_filters(errors: dict[str, list[str]]) -> HttpResponse:
    body = {"erreur": "Paramètres de filtre invalides.", "details": errors}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=400, content_type="application/json; charset=utf-8"
    )


def _size(octets: int) -> str:
    """A file size as the DSFR writes it: "29 ko", "1,2 Mo" (cites.formats)."""
    return taille(octets)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Pages ----------------------------------------------------------------------------------


CARTE_PAR_PAGE = 20
METROPOLE = (41.3, -5.2, 51.1, 9.6)  # south, west, north, east


def _est_outre_mer(code_region: str) -> bool:
    """Overseas régions (01–06) and collectivités d'outre-mer (three-character codes)."""
    return len(code_region) == 3 or (len(code_region) == 2 and code_region < "11")


def carte_vues(*, cites: list[dict]) -> list[dict]:
    """One-click views of the map: mainland France, then each overseas territory that has a cité
    in `cites`, framed on its cités (south, west, north, east, with a margin)."""
    vues = []
    territoires: dict[str, dict] = {}
    metropole = False
    for cite in cites:
        code = cite["codes_regions"].split(", ")[0] if cite["codes_regions"] else ""
        if cite["latitude"] is None or not code:
            continue
        if not _est_outre_mer(code):
            metropole = True
            continue
        territoire = territoires.setdefault(code, {"nom": cite["regions"].split(", ")[0], "points": []})
        territoire["points"].append((cite["latitude"], cite["longitude"]))
    if metropole:
        vues.append({"nom": "France métropolitaine", "bounds": ",".join(str(v) for v in METROPOLE)})
    for code in sorted(territoires):
        points = territoires[code]["points"]
        marge = 0.25
        bounds = (
            min(p[0] for p in points) - marge,
            min(p[1] for p in points) - marge,
            max(p[0] for p in points) + marge,
            max(p[1] for p in points) + marge,
        )
        vues.append({"nom": territoires[code]["nom"], "bounds": ",".join(f"{v:.4f}" for v in bounds)})
    return vues


@cache_public_page(params=(*FILTRES, "page"), uncached_params=("q",))
def carte(request):
    form, filters, errors = _filters_read(request, page=True)
    cites = donnees.cite_list_carte(filters=filters)
    query = _filters_query(filters)
    qpv_query = _filters_query(filters, names=("region", "departement"))
    contours = donnees.qpv_contours_exist(region=filters.region, departement=filters.departement)
    # The list beside the map is paginated: the map itself reads every cité from the GeoJSON.
    paginator = Paginator(cites, CARTE_PAR_PAGE)
    try:
        page = _with_pages_list(paginator.page(request.GET.get("page", "1")))
    except InvalidPage:
        pages = paginator.num_pages
        message = f"Cette page de la liste n’existe pas : elle compte {pages} page{'s' if pages > 1 else ''}."
        return page_not_found_message(request, message=message)
    return render(
        request,
        "cites/carte.html",
        {
            "title": "Carte des cités éducatives",
            "breadcrumb_data": {"links": [], "current": "Carte des cités éducatives"},
            "form": form,
            "cites": page.object_list,
            "page_obj": page,
            "nombre": len(cites),
            "vues": carte_vues(cites=cites),
            "sans_position": [cite for cite in cites if cite["latitude"] is None],
            "filtres_actifs": bool(query),
            "erreurs_filtres": [error for field_errors in errors.values() for error in field_errors],
            "cites_geojson_url": _with_query(reverse("cites:cites_geojson"), query),
            "qpv_geojson_url": _with_query(
                reverse("cites:qpv_geojson"), "&".join(filter(None, [qpv_query, "generation=2024"]))
            ),
            "contours_geojson_url": _with_query(
                reverse("cites:qpv_geojson"), "&".join(filter(None, [qpv_query, "generation=2015"]))
            )
            if contours
            else "",
            "liste_url": _with_query(reverse("cites:liste"), query),
            "tuiles_url": settings.MAP_TILES_URL,
            "tuiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        },
        # A filter value that names nothing is the client's error: said on the page, never cached.
        status=400 if errors else 200,
    )


@cache_public_page
def donnees_page(request):
    base_url = _base_url(request)
    csv = donnees.donnees_cached(key=f"cites.csv:{base_url}", build=lambda: donnees.cite_csv_build(base_url=base_url))
    geojson = donnees.donnees_cached(
        key=f"cites.geojson:{base_url}:{_raw_filters_key(request)}",
        build=lambda: donnees.cite_geojson_build(base_url=base_url),
    )
    qpv = donnees.donnees_cached(key=f"qpv.geojson:{_raw_filters_key(request)}", build=donnees.qpv_geojson_build)
    fichiers = [
        {
            "titre": "Cités éducatives labellisées (CSV)",
            "description": "Une ligne par cité : identifiant, nom, communes et codes INSEE, départements, "
            "régions, année du label et si elle est déduite, adresse de sa fiche. Séparateur « ; », "
            "encodage UTF-8 avec BOM : le fichier s'ouvre directement dans un tableur.",
            "url": reverse("cites:cites_csv"),
            "nom_fichier": "cites-educatives.csv",
            "format": "CSV",
            "taille": _size(csv.taille),
            "schema_url": reverse("cites:schema", kwargs={"nom": "cites-educatives"}),
        },
        {
            "titre": "Cités éducatives labellisées (GeoJSON)",
            "description": "Les mêmes informations, chaque cité placée au centre de ses communes "
            "(WGS 84). Filtrable comme la liste : ?region=76, ?departement=93, ?annee=2019.",
            "url": reverse("cites:cites_geojson"),
            "nom_fichier": "cites-educatives.geojson",
            "format": "GeoJSON",
            "taille": _size(geojson.taille),
        },
    ]
    for nom, (build, titre, description) in CSV_FICHIERS.items():
        if nom == "cites-educatives":
            continue
        contenu = donnees.donnees_cached(key=f"{nom}.csv:{base_url}", build=lambda b=build: b(base_url=base_url))
        fichiers.append(
            {
                "titre": titre,
                "description": description,
                "url": reverse("cites:csv", kwargs={"nom": nom}),
                "nom_fichier": f"{nom}.csv",
                "format": "CSV",
                "taille": _size(contenu.taille),
                "schema_url": reverse("cites:schema", kwargs={"nom": nom}),
            }
        )
    fichiers.append(
        {
            "titre": "Quartiers prioritaires (GeoJSON)",
            "description": "Les QPV et leurs communes ; un QPV 2024 est placé au centre de sa commune, "
            "un QPV 2015 d’Occitanie par son contour. Filtrable : ?region=, ?departement=, "
            "?generation=2024.",
            "url": reverse("cites:qpv_geojson"),
            "nom_fichier": "quartiers-prioritaires.geojson",
            "format": "GeoJSON",
            "taille": _size(qpv.taille),
        }
    )
    return render(
        request,
        "cites/donnees.html",
        {
            "title": "Données ouvertes",
            "breadcrumb_data": {"links": [], "current": "Données ouvertes"},
            "fichiers": fichiers,
            "datapackage_url": reverse("cites:datapackage"),
            "sources": donnees.donnees_sources(),
            "licence": donnees.LICENCE,
            "genere_le": timezone.now(),
        },
    )


# --- Files ----------------------------------------------------------------------------------


def cites_geojson(request):
    """The published cités as GeoJSON, with the filters of the list (400 on a bad filter)."""
    base_url = _base_url(request)

    def build() -> bytes:
        _form, filters, errors = _filters_read(request)
        if errors:
            raise FiltresInvalides(errors)
        return donnees.cite_geojson_build(filters=filters, base_url=base_url)

    try:
        contenu = donnees.donnees_cached(
            key=f"cites.geojson:{base_url}:{_raw_filters_key(request, *FILTRES)}", build=build
        )
    except FiltresInvalides as error:
        return _bad_filters(error.errors)
    return _serve(request, contenu, content_type=donnees.GEOJSON_CONTENT_TYPE)


def qpv_geojson(request):
    """The QPVs as GeoJSON, filtered by `region`, `departement` and `generation` (2015 or 2024)."""

    def build() -> bytes:
        _form, filters, errors = _filters_read(request)
        errors = {name: value for name, value in errors.items() if name in ("region", "departement")}
        generation = request.GET.get("generation", "").strip()
        if generation and generation not in ("2015", "2024"):
            errors["generation"] = [f"Génération inconnue : « {generation[:10]} ». Indiquez 2015 ou 2024."]
        if errors:
            raise FiltresInvalides(errors)
        return donnees.qpv_geojson_build(
            region=filters.region, departement=filters.departement, generation=int(generation) if generation else None
        )

    try:
        contenu = donnees.donnees_cached(
            key=f"qpv.geojson:{_raw_filters_key(request, 'region', 'departement', 'generation')}", build=build
        )
    except FiltresInvalides as error:
        return _bad_filters(error.errors)
    return _serve(request, contenu, content_type=donnees.GEOJSON_CONTENT_TYPE)


def cites_csv(request):
    base_url = _base_url(request)
    contenu = donnees.donnees_cached(
        key=f"cites.csv:{base_url}", build=lambda: donnees.cite_csv_build(base_url=base_url)
    )
    return _serve(request, contenu, content_type=donnees.CSV_CONTENT_TYPE, filename="cites-educatives.csv")


# --- More open data: schools and label events of the cités, QPVs with and without a cité ----

CSV_FICHIERS = {
    # name of the file (and of its table schema) → builder, title, description
    "cites-educatives": (
        donnees.cite_csv_build,
        "Cités éducatives labellisées (CSV)",
        "Une ligne par cité : identifiant ANCT, nom, communes et codes INSEE, départements, régions, année du "
        "label et si elle est déduite, adresse de sa fiche.",
    ),
    "cites-etablissements": (
        donnees.cite_etablissements_csv_build,
        "Écoles et collèges des cités (CSV)",
        "Une ligne par cité et par établissement (UAI) : les écoles et collèges REP et REP+ de ses communes, ou "
        "ceux de son périmètre quand il est enregistré, avec leur indice de position sociale (IPS).",
    ),
    "cites-evenements": (
        donnees.cite_evenements_csv_build,
        "Historique du label (CSV)",
        "Une ligne par événement : labellisation, extension, prolongation, renouvellement, avec sa date et la "
        "référence de la décision quand elles sont connues.",
    ),
    "cites-financements": (
        donnees.cite_financements_csv_build,
        "Financement des cités par année (CSV)",
        "Une ligne par cité et par année : dotation de l’État (programme 147), fonds de la cité, cofinancement de "
        "la collectivité, autres financements et dépenses réalisées, en euros. Aussi en JSON : "
        "/donnees/cites-financements.json.",
    ),
    "qpv-generalisation": (
        donnees.qpv_couverture_csv_build,
        "Quartiers prioritaires avec et sans cité (CSV)",
        "Chaque quartier prioritaire 2024, ses communes, et les cités éducatives qui le couvrent : la liste de "
        "ceux qui en attendent une d’ici 2027.",
    ),
}


def csv_fichier(request, nom: str):
    """One CSV of the open data (`;`, UTF-8 with BOM), built once per version of the public data."""
    if nom not in CSV_FICHIERS or nom == "cites-educatives":
        raise Http404("Fichier inconnu")
    build = CSV_FICHIERS[nom][0]
    base_url = _base_url(request)
    contenu = donnees.donnees_cached(key=f"{nom}.csv:{base_url}", build=lambda: build(base_url=base_url))
    return _serve(request, contenu, content_type=donnees.CSV_CONTENT_TYPE, filename=f"{nom}.csv")


def table_schema(request, nom: str):
    """The Table Schema (frictionless) of one CSV."""
    if nom not in donnees.SCHEMAS:
        raise Http404("Schéma inconnu")
    contenu = donnees.donnees_cached(
        key=f"{nom}.schema.json", build=lambda: donnees._json_bytes(donnees.table_schema(nom))
    )
    return _serve(request, contenu, content_type="application/json")


def _csv_url(nom: str) -> str:
    return reverse("cites:cites_csv") if nom == "cites-educatives" else reverse("cites:csv", kwargs={"nom": nom})


def datapackage(request):
    """The open data as a Data Package (frictionless): each CSV, its dialect and its schema."""
    base_url = _base_url(request)

    def build() -> bytes:
        return donnees._json_bytes(
            {
                "name": "cites-educatives",
                "title": "Portail des cités éducatives — données ouvertes",
                "licenses": [{"name": "etalab-2.0", "title": donnees.LICENCE["nom"], "path": donnees.LICENCE["url"]}],
                "resources": [
                    {
                        "name": nom,
                        "title": titre,
                        "description": description,
                        "path": base_url + _csv_url(nom),
                        "format": "csv",
                        "mediatype": "text/csv",
                        "encoding": "utf-8-sig",
                        "dialect": {"delimiter": ";", "lineTerminator": "\r\n", "header": True},
                        "schema": base_url + reverse("cites:schema", kwargs={"nom": nom}),
                    }
                    for nom, (_build, titre, description) in CSV_FICHIERS.items()
                ],
            }
        )

    contenu = donnees.donnees_cached(key=f"datapackage.json:{base_url}", build=build)
    return _serve(request, contenu, content_type="application/json")


def qpv_generalisation_geojson(request):
    contenu = donnees.donnees_cached(key="qpv-generalisation.geojson", build=donnees.qpv_couverture_geojson_build)
    return _serve(request, contenu, content_type=donnees.GEOJSON_CONTENT_TYPE)


# --- The road to 2027 -----------------------------------------------------------------------


@cache_public_page
def generalisation(request):
    stats = generalisation_statistiques()
    territoires = [*stats["regions"], *stats["collectivites"]]
    graphique = stacked_bar_chart(
        items=[(region.nom, region.couverts, region.sans_cite) for region in territoires],
        title="Quartiers prioritaires avec et sans cité éducative, par région",
        description="Diagramme en barres : "
        + " ; ".join(f"{r.nom} : {r.couverts} avec cité sur {r.qpvs}" for r in territoires)
        + ". Les mêmes chiffres figurent dans le tableau qui suit.",
        legend=("avec une cité éducative", "sans cité éducative"),
    )
    return render(
        request,
        "cites/generalisation.html",
        {
            "title": "Vers la généralisation des cités éducatives",
            "breadcrumb_data": {"links": [], "current": "Vers la généralisation"},
            "generalisation": stats,
            "graphique": graphique,
            "geojson_url": reverse("cites:qpv_generalisation_geojson"),
            "csv_url": reverse("cites:csv", kwargs={"nom": "qpv-generalisation"}),
            "schema_url": reverse("cites:schema", kwargs={"nom": "qpv-generalisation"}),
            "tuiles_url": settings.MAP_TILES_URL,
            "tuiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        },
    )


def financements_json(request):
    """The money per cité and per year as JSON (same rows and schema as the CSV)."""
    contenu = donnees.donnees_cached(key="cites-financements.json", build=donnees.cite_financements_json_build)
    return _serve(request, contenu, content_type="application/json")
