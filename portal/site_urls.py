from django.contrib.sitemaps.views import sitemap
from django.urls import path

from cites.cache import cache_public_page
from portal import pages, views
from portal.sitemaps import SITEMAPS

app_name = "portal"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("accessibilite/", pages.page_site, {"page": "accessibilite"}, name="accessibilite"),
    path("mentions-legales/", pages.page_site, {"page": "mentions_legales"}, name="mentions_legales"),
    path("donnees-personnelles/", pages.page_site, {"page": "donnees_personnelles"}, name="donnees_personnelles"),
    path("sources/", pages.page_site, {"page": "sources"}, name="sources"),
    path("robots.txt", pages.robots_txt, name="robots"),
    # Cached as a public page: on its own parameter only, forgotten when a cité changes.
    path("sitemap.xml", cache_public_page(params=("p",))(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
