"""The public face of the API: /api/ (a DSFR page in French for browsers, the JSON root for
programs) and /api/docs/ (the documentation, written from the OpenAPI schema of drf-spectacular,
so that it follows the API without being written twice, and readable by everyone: DSFR, no
authorisation form on an anonymous read-only API)."""

import functools
import re

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from drf_spectacular.generators import SchemaGenerator

from cites.cache import cache_public_page
from cites.donnees import LICENCE

UNITES = {"second": "seconde", "minute": "minute", "hour": "heure", "day": "jour"}
TYPES = {
    "string": "texte",
    "integer": "entier",
    "number": "nombre",
    "boolean": "booléen (true, false)",
    "array": "liste",
    "object": "objet",
}


def debit_libelle(rate: str | None) -> str:
    """'120/minute' → '120 requêtes par minute'."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\w+)\s*", rate or "")
    if not match:
        return "limité"
    nombre, periode = match.groups()
    unite = next((fr for en, fr in UNITES.items() if en.startswith(periode[:1])), periode)
    return f"{nombre} requêtes par {unite}"


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    return "text/html" not in request.headers.get("Accept", "")


@functools.cache
def api_schema() -> dict:
    """The OpenAPI schema of the public API (built once per process: it changes only with the code)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _type(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " ou ".join(_type(part, components) for part in schema["allOf"])
    if "enum" in schema:
        return "une valeur parmi : " + ", ".join(str(v) for v in schema["enum"] if v not in ("", None))
    kind = TYPES.get(schema.get("type", ""), schema.get("type", ""))
    if schema.get("type") == "array":
        return f"liste de {_type(schema.get('items', {}), components)}"
    if schema.get("format") == "uri":
        return "adresse (URL)"
    if schema.get("nullable"):
        kind += ", peut être null"
    return kind


ENUM_LIGNE = re.compile(r"^\*\s*`([^`]*)`\s*-\s*(.*)$")


def _description(texte: str) -> tuple[str, list[tuple[str, str]]]:
    """drf-spectacular's description of a choice, 'Objectif.\n\n* `ecole` - Conforter…', as the
    sentence and the (value, meaning) pairs."""
    phrases, valeurs = [], []
    for ligne in (texte or "").splitlines():
        match = ENUM_LIGNE.match(ligne.strip())
        if match:
            valeurs.append(match.groups())
        elif ligne.strip():
            phrases.append(ligne.strip())
    return " ".join(phrases), valeurs


def _champs(nom: str, components: dict) -> list[dict]:
    schema = components.get("schemas", {}).get(nom, {})
    champs = []
    for champ, definition in schema.get("properties", {}).items():
        description, valeurs = _description(definition.get("description", ""))
        champs.append(
            {"nom": champ, "type": _type(definition, components), "description": description, "valeurs": valeurs}
        )
    return champs


def api_endpoints() -> list[dict]:
    """The API's resources (one per tag), each with its list and detail operations."""
    schema = api_schema()
    components = schema.get("components", {})
    ressources: dict[str, dict] = {}
    for path, operations in schema.get("paths", {}).items():
        operation = operations.get("get")
        if operation is None:
            continue
        tag = (operation.get("tags") or [path.strip("/").split("/")[-1]])[0]
        ressource = ressources.setdefault(
            tag, {"nom": tag, "description": operation.get("description", "").strip(), "operations": []}
        )
        reponse = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        reponse_schema = reponse.get("schema", {})
        modele = reponse_schema.get("$ref", "").rsplit("/", 1)[-1]
        if modele.startswith("Paginated") and modele.endswith("List"):
            element = modele.removeprefix("Paginated").removesuffix("List")
            liste = True
        else:
            element, liste = modele, False
        parametres = []
        for parametre in operation.get("parameters", []):
            description, valeurs = _description(parametre.get("description", ""))
            parametres.append(
                {
                    "nom": parametre["name"],
                    "ou": "chemin" if parametre.get("in") == "path" else "requête",
                    "requis": parametre.get("required", False),
                    "type": _type(parametre.get("schema", {}), components),
                    "description": description,
                    "valeurs": valeurs,
                }
            )
        ressource["operations"].append(
            {
                "chemin": path,
                "liste": liste,
                "titre": "Liste paginée" if liste else "Un élément",
                "exemple": path if liste and "{" not in path else "",
                "parametres": parametres,
            }
        )
        if element and "champs" not in ressource:
            ressource["element"] = element
            ressource["champs"] = _champs(element, components)
    for ressource in ressources.values():
        ressource["operations"].sort(key=lambda operation: not operation["liste"])
    return sorted(ressources.values(), key=lambda ressource: ressource["nom"])


def _contexte(titre: str) -> dict:
    rest = settings.REST_FRAMEWORK
    return {
        "title": titre,
        "licence": LICENCE,
        "debit": debit_libelle(rest.get("DEFAULT_THROTTLE_RATES", {}).get("anon")),
        "par_page": rest.get("PAGE_SIZE"),
        "schema_url": reverse("api:schema"),
        "docs_url": reverse("api:docs"),
    }


def api_accueil(request, *, json_view):
    """/api/: the JSON root (links to each resource) for programs, a page in French for people."""
    response = json_view(request) if _wants_json(request) else _api_accueil_page(request)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    patch_vary_headers(response, ["Accept"])
    return response


@cache_public_page
def _api_accueil_page(request):
    return render(
        request,
        "portal/api_accueil.html",
        {
            **_contexte("API des cités éducatives"),
            "breadcrumb_data": {"links": [], "current": "API"},
            "ressources": api_endpoints(),
        },
    )


@cache_public_page
def api_documentation(request):
    return render(
        request,
        "portal/api_documentation.html",
        {
            **_contexte("Documentation de l’API"),
            "breadcrumb_data": {
                "links": [{"url": reverse("api:api-root"), "title": "API"}],
                "current": "Documentation",
            },
            "ressources": api_endpoints(),
        },
    )
