"""The public API under /api/: one router for the cités' and the partners' routes, the OpenAPI
schema, and its public face in French (portal.views_api): /api/ for people (the JSON root stays
for programs) and the documentation /api/docs/, written from the schema."""

from functools import partial

from django.urls import path
from django.views.generic import RedirectView
from rest_framework.routers import DefaultRouter

from cites.api.schema import SchemaView
from cites.api.urls import routes as cites_routes
from partenaires.api import routes as partenaires_routes
from portal import views_api

app_name = "api"

router = DefaultRouter()
router.include_root_view = False  # /api/ is portal.views_api.api_accueil, which serves the same JSON
for prefix, viewset, basename in [*cites_routes, *partenaires_routes]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("", partial(views_api.api_accueil, json_view=router.get_api_root_view()), name="api-root"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", views_api.api_documentation, name="docs"),
    path("redoc/", RedirectView.as_view(pattern_name="api:docs", permanent=True), name="redoc"),
    *router.urls,
]
