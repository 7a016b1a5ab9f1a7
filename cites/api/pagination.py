"""Pagination of the API lists: 50 per page, `?page=N`; a page that does not exist is a 404 in French."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from cites.api.filters import value_preview


class Pagination(PageNumberPagination):
    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            page = value_preview(request.query_params.get(self.page_query_param, ""), 20)
            raise NotFound(
                f"Page de résultats inexistante : « {page} ». Indiquez un numéro de page entre 1 et "
                f"{self.django_paginator_class(queryset, self.get_page_size(request)).num_pages}."
            ) from None
