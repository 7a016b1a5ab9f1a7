"""Thin read-only viewsets. The reads are the selectors' (or plain querysets of reference data);
JSON answers to anonymous clients are kept in the cache of the public pages (`cites.cache`), so a
change of a cité or an import forgets them."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpResponse
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from cites import selectors
from cites.api import filters, serializers
from cites.cache import public_cache_version
from cites.models import Commune, Etablissement, Qpv


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only viewset whose JSON answers to anonymous GETs come from the cache.

    Throttling, content negotiation and filter validation still run on every request (they
    happen before the handler); only the queries and the serialisation are saved.
    """

    _cache_key: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # One value per parameter: `?annee=2019&annee=2021` would silently keep the last one.
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: ["Paramètre répété : indiquez une seule valeur."] for name in repeated})

    def _cache_key_for(self, request) -> str | None:
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if timeout <= 0 or request.user.is_authenticated or not isinstance(request.accepted_renderer, JSONRenderer):
            return None
        # Scheme and host: the answers carry absolute URLs.
        identity = f"{request.scheme}://{request.get_host()}|{request.accepted_media_type}|{request.get_full_path()}"
        return f"api:{public_cache_version()}:{hashlib.sha256(identity.encode()).hexdigest()}"

    def _cached(self, request, handler, *args, **kwargs):
        key = self._cache_key_for(request)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                content, content_type = cached
                response = HttpResponse(content, content_type=content_type)
                response["X-Cache"] = "hit"
                return response
        self._cache_key = key
        return handler(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        return self._cached(request, super().list, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._cached(request, super().retrieve, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._cache_key and response.status_code == 200 and hasattr(response, "render"):
            response.render()
            cache.set(self._cache_key, (response.content, response["Content-Type"]), settings.PUBLIC_PAGE_CACHE_SECONDS)
            response["X-Cache"] = "miss"
        return response


class CiteViewSet(PublicReadOnlyViewSet):
    """Les cités éducatives publiées, avec leurs communes, départements et régions."""

    serializer_class = serializers.CiteSerializer
    filterset_class = filters.CiteFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.cite_list_published()


class CommuneViewSet(PublicReadOnlyViewSet):
    """Les communes du Code officiel géographique (coordonnées quand un fichier les donne)."""

    serializer_class = serializers.CommuneSerializer
    filterset_class = filters.CommuneFilterSet
    lookup_field = "code"
    queryset = Commune.objects.select_related("departement__region").order_by("code")


class QpvViewSet(PublicReadOnlyViewSet):
    """Les quartiers prioritaires de la politique de la ville et leurs communes."""

    serializer_class = serializers.QpvSerializer
    filterset_class = filters.QpvFilterSet
    lookup_field = "code"
    queryset = (
        Qpv.objects.defer("contour")
        .prefetch_related(Prefetch("communes", queryset=Commune.objects.only("pk", "code", "nom").order_by("nom")))
        .order_by("code")
    )


class EtablissementViewSet(PublicReadOnlyViewSet):
    """Les écoles, collèges et lycées de l'annuaire de l'éducation importé."""

    serializer_class = serializers.EtablissementSerializer
    filterset_class = filters.EtablissementFilterSet
    lookup_field = "uai"
    queryset = Etablissement.objects.select_related("commune").order_by("uai")
