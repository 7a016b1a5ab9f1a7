"""The public API under /api/: one router for the cités' and the partners' routes, the OpenAPI
schema and its documentation (Swagger UI and ReDoc from drf-spectacular-sidecar's local files)."""

from django.urls import path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cites.api.schema import SchemaView
from cites.api.urls import routes as cites_routes
from partenaires.api import routes as partenaires_routes

app_name = "api"

router = DefaultRouter()
for prefix, viewset, basename in [*cites_routes, *partenaires_routes]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
]
