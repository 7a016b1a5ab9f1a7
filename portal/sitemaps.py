from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from cites.models import CiteEducative


class PagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "portal:accueil",
            "cites:liste",
            "cites:statistiques",
            "cites:carte",
            "cites:donnees",
            "partenaires:annuaire",
            "portal:accessibilite",
            "portal:mentions_legales",
            "portal:donnees_personnelles",
        ]

    def location(self, item):
        return reverse(item)


class CitesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return CiteEducative.objects.published().only("slug").order_by("slug")


SITEMAPS = {"pages": PagesSitemap, "cites": CitesSitemap}
