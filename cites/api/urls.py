"""Routes of the cités part of the API; `portal.api_urls` registers them with the partners'."""

from cites.api import views

routes = [
    ("cites", views.CiteViewSet, "cite"),
    ("communes", views.CommuneViewSet, "commune"),
    ("qpv", views.QpvViewSet, "qpv"),
    ("etablissements", views.EtablissementViewSet, "etablissement"),
]
