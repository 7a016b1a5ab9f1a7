"""HTML and JSON compressed for the public (issue 10), never where BREACH could read a secret."""

import gzip
import json

import pytest

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_public_page_is_gzipped(client):
    plain = client.get("/cites/")
    response = client.get("/cites/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "cités éducatives" in html
    assert len(response.content) * 3 < len(plain.content)


def test_public_page_from_the_cache_is_gzipped_too(client):
    client.get("/carte/", **GZIP)
    response = client.get("/carte/", **GZIP)
    assert response["X-Cache"] == "hit"
    assert response["Content-Encoding"] == "gzip"


def test_api_json_is_gzipped(client):
    response = client.get("/api/cites/", HTTP_ACCEPT="application/json", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["count"] == 208


def test_geojson_is_gzipped(client):
    response = client.get("/donnees/cites.geojson", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert (
        json.loads(gzip.decompress(b"".join(response.streaming_content) if response.streaming else response.content))[
            "type"
        ]
        == "FeatureCollection"
    )


def test_not_without_accept_encoding(client):
    assert not client.get("/cites/").has_header("Content-Encoding")


def test_page_with_a_form_token_is_not_gzipped(client):
    response = client.get("/comptes/inscription/", **GZIP)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert not response.has_header("Content-Encoding")


def test_admin_login_page_is_not_gzipped(client):
    response = client.get("/admin/login/", **GZIP)
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert not response.has_header("Content-Encoding")


def test_logged_in_user_gets_no_gzip(client, django_user_model):
    user = django_user_model.objects.create_user("lecteur", password="mot-de-passe-solide")
    client.force_login(user)
    response = client.get("/cites/", **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
