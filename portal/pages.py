"""Site pages: accessibility statement, legal notice, personal data, sources of the figures, robots.txt."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cites.cache import cache_public_page

PAGES = {
    "accessibilite": "Déclaration d’accessibilité",
    "mentions_legales": "Mentions légales",
    "donnees_personnelles": "Données personnelles",
    "sources": "D’où viennent les chiffres et les règles",
}


@require_GET
def page_site(request, page: str):
    if page not in PAGES:
        raise Http404
    title = PAGES[page]
    return render(request, f"portal/{page}.html", {"title": title, "breadcrumb_data": {"current": title}})


@require_GET
@cache_public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /candidatures/",
        "Disallow: /comptes/",
        f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
