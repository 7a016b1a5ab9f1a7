"""Error answers in French: a DSFR page for pages, a JSON body under /api/ (DESIGN.md §10).

The JSON body is the API's one shape, {"erreur": "<French sentence>", "details": null}
(cites.api.exceptions writes the same for errors raised inside the API views). The pages
rendered here need no database, no session and no context processor, so they can be served
while PostgreSQL is down or the host name is refused.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.template import loader

API_PREFIX = "/api/"


DATA_FILES_PREFIX = "/donnees/"


def is_api(request: HttpRequest) -> bool:
    """Whether the client expects JSON: the API, and the open-data files (/donnees/cites.geojson…)."""
    path = request.path_info
    return path.startswith(API_PREFIX) or (path.startswith(DATA_FILES_PREFIX) and "." in path.rsplit("/", 1)[-1])


def json_error(*, status: int, erreur: str, details=None, headers: dict | None = None) -> HttpResponse:
    return HttpResponse(
        json.dumps({"erreur": erreur, "details": details}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
        headers=headers,
    )


def error_response(
    request: HttpRequest,
    *,
    status: int,
    titre: str,
    message: str,
    explication: str = "",
    erreur_api: str = "",
    headers: dict | None = None,
) -> HttpResponse:
    """`status` with a French message: JSON under /api/ (`erreur_api`, else `message`), else a page."""
    if is_api(request):
        return json_error(status=status, erreur=erreur_api or message, headers=headers)
    body = loader.get_template("erreurs/erreur.html").render(
        {"request": request, "titre": titre, "code": status, "message": message, "explication": explication}
    )
    return HttpResponse(body, status=status, headers=headers)


# --- Database outage ------------------------------------------------------------------------

RETRY_AFTER_SECONDS = 30


def database_unavailable(exception) -> bool:
    """Whether `exception` says the database cannot be reached or did not answer in time."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, OperationalError | InterfaceError)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the service is down for a while, the request may be tried again."""
    return error_response(
        request,
        status=503,
        titre="Service momentanément indisponible",
        message="Le portail ne peut pas répondre pour le moment : sa base de données est injoignable.",
        explication="Réessayez dans quelques minutes. Si vous étiez en train d’écrire, votre texte est "
        "toujours dans la page précédente : ne la fermez pas.",
        erreur_api="Service momentanément indisponible : réessayez dans quelques minutes.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
