"""Bad input on pages: a 4xx with a French DSFR page (JSON under /api/), never a 500 nor
Django's English pages — NUL bytes, unknown hosts, oversized or malformed bodies, too many
fields, CSRF failures, unknown filter values, pages out of range."""

import html
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CITE = "toulouse-grand-mirail"


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def assert_french_page(response, status: int, *sentences: str) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")
    page = text_of(response)
    assert '<html lang="fr"' in response.content.decode()
    assert "dsfr.min.css" in page  # the design system's page, not a bare text
    for sentence in sentences:
        assert sentence in page, sentence


@pytest.mark.parametrize(
    "url",
    [
        "/cites/?region=%00",
        "/cites/?q=%00",
        "/carte/?departement=%00",
        f"/cites/{CITE}/?objectif=%00",
        "/cites/%00/",
        "/statistiques/?%00=1",
        "/admin/cites/commune/?q=%00",
    ],
)
def test_nul_bytes_in_a_page_address_are_a_french_400(client, url):
    assert_french_page(client.get(url), 400, "L’adresse demandée contient un caractère nul (%00)")


@pytest.mark.parametrize("url", ["/donnees/cites.geojson?region=%00", "/donnees/qpv.geojson?departement=%00"])
def test_nul_bytes_in_a_data_file_address_are_a_json_400(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert json.loads(response.content)["erreur"].startswith("Requête invalide")


def test_an_unknown_host_is_a_french_400(client):
    response = client.get("/", HTTP_HOST="pirate.example.com")

    assert_french_page(response, 400, "Ce serveur ne sert pas l’adresse demandée.")


def test_an_unknown_host_under_the_api_is_json(client):
    response = client.get("/api/cites/", HTTP_HOST="pirate.example.com")

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "erreur": "Requête invalide : ce serveur ne sert pas l’adresse demandée.",
        "details": None,
    }


def test_an_oversized_body_is_a_french_400_that_says_where_the_text_is(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = client.post(f"/cites/{CITE}/corriger/", {"champ": "nom", "message": "x" * 20_000})

    assert_french_page(
        response,
        400,
        "Les données envoyées sont trop volumineuses.",
        "votre texte est toujours dans la page précédente",
    )


def test_too_many_fields_is_a_french_400(client):
    fields = {f"champ{n}": "x" for n in range(1200)}

    assert_french_page(client.post(f"/cites/{CITE}/corriger/", fields), 400, "trop de champs")


def test_a_malformed_multipart_body_is_a_french_400(client):
    response = client.generic(
        "POST",
        f"/cites/{CITE}/corriger/",
        data=b'--abc\r\nContent-Disposition: form-data; name="message"\r\n\r\nsans fin',
        content_type="multipart/form-data",  # no boundary: the parts cannot be told apart
    )

    assert_french_page(response, 400, "Le formulaire envoyé est mal formé ou incomplet.")


def test_a_csrf_failure_is_a_french_page_that_says_the_text_is_kept():
    client = Client(enforce_csrf_checks=True)
    client.get(f"/cites/{CITE}/corriger/")  # sets the CSRF cookie; the form's token is not sent back

    response = client.post(f"/cites/{CITE}/corriger/", {"champ": "nom", "message": "Le nom a changé."})

    assert_french_page(
        response, 403, "Formulaire expiré", "votre texte est toujours dans la page précédente", "rechargez la page"
    )


def test_a_csrf_failure_without_cookies_says_cookies_are_needed():
    response = Client(enforce_csrf_checks=True).post(f"/cites/{CITE}/corriger/", {"champ": "nom", "message": "x"})

    assert_french_page(response, 403, "Autorisez les cookies pour ce site")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/cites/?region=ZZ", "Région inconnue : « ZZ »"),
        ("/cites/?region=" + "7" * 3000, "Région inconnue : « 777777777777777777777777777777 »"),
        ("/cites/?annee=1850", "Année invalide : « 1850 »"),
        ("/cites/?q=" + "a" * 300, "La recherche ne peut dépasser 100 caractères."),
        ("/carte/?departement=999", "Département inconnu : « 999 »"),
        (f"/cites/{CITE}/?objectif=nulle", "Objectif inconnu : « nulle »"),
    ],
)
def test_unknown_filter_values_are_a_400_that_keeps_the_page(client, url, message):
    response = client.get(url)

    assert response.status_code == 400
    assert message in text_of(response)


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "9" * 400])
def test_a_list_page_out_of_range_is_a_french_404(client, page):
    response = client.get("/cites/", {"page": page})

    assert response.status_code == 404
    assert "Cette page de la liste n’existe pas : elle compte 11 pages." in text_of(response)


def test_the_last_page_of_the_list_exists(client):
    assert client.get("/cites/", {"page": "11"}).status_code == 200


def test_an_unknown_page_under_the_api_is_json_not_html(client):
    response = client.get("/api/inconnu/")

    assert response.status_code == 404
    assert json.loads(response.content) == {"erreur": "Ressource introuvable.", "details": None}


def test_permission_denied_is_a_french_page(rf):
    from django.core.exceptions import PermissionDenied

    from portal.views import permission_denied

    request = rf.get("/candidatures/1/")
    assert_french_page(permission_denied(request, PermissionDenied()), 403, "Vous n’avez pas accès à cette page.")
