from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from cites.cache import cache_public_page
from cites.selectors import chiffres_cles


@cache_public_page
def accueil(request):
    return render(
        request,
        "portal/accueil.html",
        # The DSFR puts no breadcrumb on the home page.
        {"title": "Accueil", "breadcrumb_data": None, "chiffres": chiffres_cles()},
    )


def page_not_found(request, exception):
    return render(
        request,
        "404.html",
        {"title": "Page non trouvée", "breadcrumb_data": {"current": "Page non trouvée"}},
        status=404,
    )


def server_error(request):
    # No context processors may be trusted here: render a page that needs none.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
