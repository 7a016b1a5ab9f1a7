"""The cache of the public pages cannot be abused: unknown query parameters neither bypass nor
fill it, invalid values and free-text searches are not kept, and pages with absolute URLs are
kept apart by scheme and host."""

import pytest

pytestmark = pytest.mark.django_db


def x_cache(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code in (200, 400), (url, response.status_code)
    return response.get("X-Cache", "")


@pytest.mark.parametrize(
    ("page", "variants"),
    [
        ("/cites/", ["/cites/?utm_source=lettre", "/cites/?utm_source=x1&fbclid=2", "/cites/?region="]),
        ("/cites/?region=76", ["/cites/?region=76&utm_campaign=a", "/cites/?utm_campaign=b&region=76"]),
        ("/statistiques/", ["/statistiques/?n=1", "/statistiques/?n=2"]),
        ("/", ["/?x=1"]),
        ("/sitemap.xml", ["/sitemap.xml?x=1"]),
        ("/robots.txt", ["/robots.txt?x=1"]),
        ("/carte/", ["/carte/?zoom=5"]),
    ],
)
def test_unknown_parameters_are_served_the_cached_page(client, page, variants):
    assert x_cache(client, page) == "miss"

    assert [x_cache(client, url) for url in variants] == ["hit"] * len(variants)


def test_unknown_parameters_never_reach_the_page(client):
    page = client.get("/cites/?page=2&utm_source=%3Cpirate%3E").content.decode()

    assert "utm_source" not in page and "pirate" not in page
    assert "page=3" in page  # the pagination's own links are there


def test_invalid_values_and_searches_are_not_kept(client):
    for url in ["/cites/?region=ZZ", "/cites/?annee=1800", "/cites/?q=toulouse", "/carte/?q=lyon"]:
        assert [x_cache(client, url), x_cache(client, url)] == ["", ""], url


def test_pages_with_absolute_urls_are_kept_apart_by_scheme_and_host(client, settings):
    settings.ALLOWED_HOSTS = ["cites.example.gouv.fr", "autre.example.gouv.fr"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/sitemap.xml", HTTP_HOST="cites.example.gouv.fr").content.decode()
    secure = client.get("/sitemap.xml", HTTP_HOST="cites.example.gouv.fr", HTTP_X_FORWARDED_PROTO="https")
    other = client.get("/sitemap.xml", HTTP_HOST="autre.example.gouv.fr").content.decode()

    assert "<loc>http://cites.example.gouv.fr/" in plain
    assert "<loc>https://cites.example.gouv.fr/" in secure.content.decode()
    assert "<loc>http://autre.example.gouv.fr/" in other
