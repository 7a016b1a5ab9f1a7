from django.shortcuts import render
from django.template import loader
from django.http import HttpResponseServerError


def accueil(request):
    from cites.selectors import chiffres_cles

    return render(request, "portal/accueil.html", {"chiffres": chiffres_cles()})


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
