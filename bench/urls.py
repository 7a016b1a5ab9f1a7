from django.http import HttpResponse
from django.urls import include, path


def vide(request):
    """The empty Django view every page is measured against."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/vide/", vide),
    path("", include("portal.urls")),
]
