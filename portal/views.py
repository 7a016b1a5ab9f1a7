import sys

from django.core import exceptions as django_exceptions
from django.http import HttpResponseServerError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader

from cites.cache import cache_public_page
from cites.selectors import chiffres_cles
from portal import errors


@cache_public_page
def accueil(request):
    return render(
        request,
        "portal/accueil.html",
        # The DSFR puts no breadcrumb on the home page.
        {"title": "Accueil", "breadcrumb_data": None, "chiffres": chiffres_cles()},
    )


# --- Error handlers (ROOT_URLCONF's handler400…500, CSRF_FAILURE_VIEW) -------------------------

RETOUR_SAISIE = (
    "Si vous étiez en train d’écrire, votre texte est toujours dans la page précédente : revenez-y avec le "
    "bouton « Précédent » de votre navigateur, copiez votre texte, rechargez la page, collez-le et envoyez "
    "à nouveau."
)


def _bad_request_message(exception) -> tuple[str, str]:
    """(message, explanation) for what made the request unusable."""
    if isinstance(exception, django_exceptions.DisallowedHost):
        return (
            "Ce serveur ne sert pas l’adresse demandée.",
            "Vérifiez le nom de domaine dans la barre d’adresse de votre navigateur.",
        )
    if isinstance(exception, django_exceptions.RequestDataTooBig):
        return "Les données envoyées sont trop volumineuses.", RETOUR_SAISIE
    if isinstance(exception, django_exceptions.TooManyFieldsSent | django_exceptions.TooManyFilesSent):
        return "Le formulaire envoyé contient trop de champs ou de fichiers.", RETOUR_SAISIE
    if isinstance(exception, MultiPartParserError):
        return "Le formulaire envoyé est mal formé ou incomplet.", RETOUR_SAISIE
    return "La requête est mal formée : le serveur ne peut pas la traiter.", ""


def bad_request(request, exception):
    message, explication = _bad_request_message(exception)
    return errors.error_response(
        request,
        status=400,
        titre="Requête invalide",
        message=message,
        explication=explication,
        erreur_api=f"Requête invalide : {message[0].lower()}{message[1:]}",
    )


def permission_denied(request, exception):
    return errors.error_response(
        request,
        status=403,
        titre="Accès refusé",
        message="Vous n’avez pas accès à cette page.",
        explication="Si vous pensez que c’est une erreur, connectez-vous avec le compte qui y donne accès.",
    )


def page_not_found(request, exception):
    if errors.is_api(request):
        return errors.json_error(status=404, erreur="Ressource introuvable.")
    return render(
        request,
        "404.html",
        {"title": "Page non trouvée", "breadcrumb_data": {"current": "Page non trouvée"}},
        status=404,
    )


def server_error(request):
    # A database outage met outside a view (e.g. while a middleware read the session) is a 503.
    exception = sys.exc_info()[1]
    if errors.database_unavailable(exception):
        return errors.service_unavailable(request)
    if errors.is_api(request):
        return errors.json_error(status=500, erreur="Erreur inattendue du serveur. Réessayez un peu plus tard.")
    # No context processors may be trusted here: render a page that needs none.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))


def csrf_failure(request, reason=""):
    """The form could not be checked (expired page, cookies refused): say so, and where the text is."""
    if not request.COOKIES:
        explication = (
            "Votre navigateur n’a pas envoyé de cookie : ce site en a besoin pour vérifier les formulaires. "
            "Autorisez les cookies pour ce site, puis réessayez. " + RETOUR_SAISIE
        )
    else:
        explication = RETOUR_SAISIE
    return errors.error_response(
        request,
        status=403,
        titre="Formulaire expiré",
        message="Votre envoi n’a pas été enregistré : la page du formulaire avait expiré ou a été ouverte "
        "dans une autre session.",
        explication=explication,
        erreur_api="Requête refusée : jeton CSRF absent ou invalide.",
    )
