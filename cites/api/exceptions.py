"""One body for every API error, in French: {"erreur": "...", "details": ...}."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _error_message(exc, request) -> tuple[str, object]:
    if isinstance(exc, exceptions.ValidationError):
        return "Paramètres invalides : voir le détail par paramètre.", exc.detail
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait) if exc.wait is not None else None
        message = "Trop de requêtes pour un client anonyme."
        if wait is not None:
            message += f" Réessayez dans {wait} seconde{'s' if wait > 1 else ''}."
        return message, {"attente_secondes": wait}
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = request.method if request is not None else ""
        return f"Méthode {method} non autorisée : cette API est en lecture seule.", None
    if isinstance(exc, Http404 | exceptions.NotFound):
        detail = getattr(exc, "detail", None)
        if detail is None or str(detail) == str(exceptions.NotFound.default_detail):
            return "Ressource introuvable.", None
        return str(detail), None
    if isinstance(exc, exceptions.NotAcceptable):
        return "Format de réponse non disponible : demandez application/json.", None
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        return (str(detail), None) if isinstance(detail, str) else ("Requête invalide.", detail)
    return "Requête invalide.", None


def exception_handler(exc, context):
    """DRF's handler, with the body rewritten as {"erreur": <French sentence>, "details": <data or null>}.

    Unexpected exceptions (not API errors) are left to Django: logged, and answered by the 500 page.
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    erreur, details = _error_message(exc, request)
    response.data = {"erreur": erreur, "details": details}
    return response
