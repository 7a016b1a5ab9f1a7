"""The map page /carte/: filters in the URL, the list beside the map, the data it loads.

All 208 real cités are loaded (tests/conftest.py); commune centroids come from the ANCT files.
"""

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from cites.models import CiteEducative

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes_placees")]

CARTE = reverse("cites:carte")
LIST_LINK = re.compile(r'<li>\s*<a class="fr-link" href="/cites/([^/"]+)/">')


def attribute(response, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', response.content.decode())
    assert match, f"attribut {name} absent"
    return html.unescape(match.group(1))


def listed_slugs(response) -> list[str]:
    page = response.content.decode()
    start = page.index('class="carte-liste"')
    return LIST_LINK.findall(page[start:])


def published_slugs(**lookups) -> set[str]:
    return set(CiteEducative.objects.filter(publiee=True, **lookups).distinct().values_list("slug", flat=True))


@pytest.fixture
def no_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def test_lists_every_published_cite_beside_the_map(client):
    response = client.get(CARTE)

    assert response.status_code == 200
    slugs = listed_slugs(response)
    assert len(slugs) == 208
    assert set(slugs) == published_slugs()
    assert "208 cités éducatives" in response.content.decode()
    # The map loads the same cités from the GeoJSON endpoint.
    assert attribute(response, "data-cites-url") == reverse("cites:cites_geojson")


def test_region_filter_applies_to_the_list_and_to_the_geojson(client):
    response = client.get(CARTE, {"region": "76"})

    occitanie = published_slugs(communes__departement__region__code="76")
    assert occitanie and len(occitanie) < 208
    assert set(listed_slugs(response)) == occitanie
    geojson_url = attribute(response, "data-cites-url")
    assert parse_qs(urlsplit(geojson_url).query) == {"region": ["76"]}
    features = json.loads(client.get(geojson_url).content)["features"]
    assert {feature["properties"]["slug"] for feature in features} == occitanie
    # The QPV layer follows the région too.
    assert parse_qs(urlsplit(attribute(response, "data-qpv-url")).query) == {
        "region": ["76"],
        "generation": ["2024"],
    }


def test_filters_combine_and_the_detailed_list_keeps_them(client):
    response = client.get(CARTE, {"departement": "93", "annee": "2019"})

    expected = published_slugs(communes__departement__code="93", annee_label=2019)
    assert expected
    assert set(listed_slugs(response)) == expected
    assert parse_qs(urlsplit(attribute(response, "data-cites-url")).query) == {
        "departement": ["93"],
        "annee": ["2019"],
    }
    liste = re.search(r'href="([^"]+)">Voir ces cités dans la liste détaillée', response.content.decode())
    assert parse_qs(urlsplit(html.unescape(liste.group(1))).query) == {"departement": ["93"], "annee": ["2019"]}


def test_a_bad_filter_is_explained_and_left_out(client):
    response = client.get(CARTE, {"annee": "deux-mille", "region": "76"})

    page = response.content.decode()
    assert response.status_code == 400  # the client's error, said on the page; never cached
    assert "Année invalide" in html.unescape(page)
    assert set(listed_slugs(response)) == published_slugs(communes__departement__region__code="76")
    assert parse_qs(urlsplit(attribute(response, "data-cites-url")).query) == {"region": ["76"]}


def test_contours_layer_only_where_there_are_contours(client):
    occitanie = client.get(CARTE, {"region": "76"})
    bretagne = client.get(CARTE, {"region": "53"})

    assert "generation=2015" in attribute(occitanie, "data-contours-url")
    assert "data-contours-url" not in bretagne.content.decode()


def test_cite_without_known_position_is_said_to_be_in_the_list_only(client):
    response = client.get(CARTE)

    page = " ".join(html.unescape(response.content.decode()).split())
    assert "saint-martin" in listed_slugs(response)
    assert "Sans position connue, 1 cité (Saint-Martin) ne figure que dans la liste" in page


def test_unpublished_cite_is_neither_listed_nor_mapped(client):
    cite = CiteEducative.objects.get(identifiant="cite-050")
    cite.publiee = False
    cite.save()

    response = client.get(CARTE)
    features = json.loads(client.get(reverse("cites:cites_geojson")).content)["features"]

    assert cite.slug not in listed_slugs(response)
    assert cite.slug not in {feature["properties"]["slug"] for feature in features}
    assert len(features) == 207


def test_tile_server_is_a_setting(client, settings):
    settings.MAP_TILES_URL = "https://tuiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "© Exemple"

    response = client.get(CARTE)

    assert attribute(response, "data-tuiles-url") == "https://tuiles.example.org/{z}/{x}/{y}.png"
    assert attribute(response, "data-tuiles-attribution") == "© Exemple"


def test_scripts_and_styles_come_from_local_static_files_without_inline_script(client):
    response = client.get(CARTE)
    page = response.content.decode()

    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert scripts and all("src=" in attrs for attrs in scripts), "script en ligne sur /carte/"
    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "vendor/leaflet.markercluster/MarkerCluster.css",
        "js/carte.js",
        "css/carte.css",
    ):
        assert f"/static/{path}" in page
        assert finders.find(path), f"{path} introuvable (npm install ?)"


def test_page_without_javascript_says_the_list_holds_the_same(client):
    page = html.unescape(client.get(CARTE).content.decode())

    assert "La carte interactive a besoin de JavaScript" in page


def test_queries_do_not_grow_with_the_cites(client, no_cache, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(CARTE)
    assert len(listed_slugs(response)) == 208
    with django_assert_max_num_queries(10):
        client.get(CARTE, {"region": "76", "departement": "31", "annee": "2019", "q": "toulouse"})


def test_page_is_served_from_the_cache(client, django_assert_num_queries):
    client.get(CARTE, {"region": "76"})
    with django_assert_num_queries(0):
        response = client.get(CARTE, {"region": "76"})
    assert response["X-Cache"] == "hit"


def test_main_navigation_leads_to_the_map_and_the_data(client):
    page = client.get(reverse("cites:liste")).content.decode()

    assert f'href="{CARTE}"' in page
    assert f'href="{reverse("cites:donnees")}"' in page
