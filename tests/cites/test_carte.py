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


def all_listed_slugs(client, params: dict | None = None, status: int = 200) -> list[str]:
    """The cités listed beside the map for `params`, over every page of the list."""
    slugs, page = [], 1
    while True:
        response = client.get(CARTE, {**(params or {}), "page": page})
        assert response.status_code == status
        slugs += listed_slugs(response)
        if f"page={page + 1}" not in response.content.decode():
            return slugs
        page += 1


def published_slugs(**lookups) -> set[str]:
    return set(CiteEducative.objects.filter(publiee=True, **lookups).distinct().values_list("slug", flat=True))


@pytest.fixture
def no_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def test_lists_every_published_cite_beside_the_map_twenty_a_page(client):
    response = client.get(CARTE)

    assert response.status_code == 200
    assert len(listed_slugs(response)) == 20
    assert "208 cités éducatives" in response.content.decode()
    slugs = all_listed_slugs(client)
    assert len(slugs) == 208
    assert set(slugs) == published_slugs()
    # The page no longer carries every cité: 208 cités made 60 KiB of HTML.
    assert len(response.content) < 40_000
    # The map loads the same cités from the GeoJSON endpoint.
    assert attribute(response, "data-cites-url") == reverse("cites:cites_geojson")


def test_region_filter_applies_to_the_list_and_to_the_geojson(client):
    response = client.get(CARTE, {"region": "76"})

    occitanie = published_slugs(communes__departement__region__code="76")
    assert occitanie and len(occitanie) < 208
    assert set(all_listed_slugs(client, {"region": "76"})) == occitanie
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
    assert set(all_listed_slugs(client, {"departement": "93", "annee": "2019"})) == expected
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
    assert set(all_listed_slugs(client, {"annee": "deux-mille", "region": "76"}, status=400)) == published_slugs(
        communes__departement__region__code="76"
    )
    assert parse_qs(urlsplit(attribute(response, "data-cites-url")).query) == {"region": ["76"]}


def test_contours_layer_only_where_there_are_contours(client):
    occitanie = client.get(CARTE, {"region": "76"})
    bretagne = client.get(CARTE, {"region": "53"})

    assert "generation=2015" in attribute(occitanie, "data-contours-url")
    assert "data-contours-url" not in bretagne.content.decode()


def test_every_cite_is_placed_saint_martin_at_its_chef_lieu(client):
    response = client.get(CARTE)

    page = " ".join(html.unescape(response.content.decode()).split())
    assert "Sans position connue" not in page
    features = json.loads(client.get(reverse("cites:cites_geojson")).content)["features"]
    assert all(feature["geometry"] is not None for feature in features)
    saint_martin = next(f for f in features if f["properties"]["slug"] == "saint-martin")
    longitude, latitude = saint_martin["geometry"]["coordinates"]
    assert (round(latitude, 2), round(longitude, 2)) == (18.07, -63.08)  # Marigot, 18° 04′ N 63° 05′ O


def test_overseas_territories_are_one_click_away(client):
    page = html.unescape(client.get(CARTE).content.decode())

    buttons = re.findall(
        r'<button type="button" class="[^"]*carte-vue[^"]*" data-bounds="([^"]+)"[^>]*>([^<]+)</button>', page
    )
    views = {name.strip(): bounds for bounds, name in buttons}
    assert set(views) == {
        "France métropolitaine",
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "La Réunion",
        "Mayotte",
        "Saint-Martin",
    }
    # Each view frames the cités of its territory: La Réunion's lie inside its bounds.
    south, west, north, east = map(float, views["La Réunion"].split(","))
    for feature in json.loads(client.get(reverse("cites:cites_geojson"), {"region": "04"}).content)["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert south < latitude < north and west < longitude < east


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
    with django_assert_max_num_queries(9):
        response = client.get(CARTE)
    assert len(listed_slugs(response)) == 20
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


def test_the_page_does_not_grow_with_the_cites(client, no_cache):
    communes = list(CiteEducative.objects.get(slug="orly").communes.all())
    for index in range(300):
        cite = CiteEducative.objects.create(nom=f"Cité de test {index:03d}", slug=f"cite-de-test-{index}")
        cite.communes.add(*communes)
    response = client.get(CARTE)
    assert "508 cités éducatives" in response.content.decode()
    assert len(listed_slugs(response)) == 20
    assert len(response.content) < 40_000  # 208 cités all written out made 60 KiB
