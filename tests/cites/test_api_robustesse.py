"""The API under bad input, spoofed addresses and shared caches: a 4xx in French JSON, never a 500
nor an HTML page; the anonymous throttle counts the real client; cached answers never cross schemes."""

import json

import pytest
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db


def get_json(client, url, *, status, **extra):
    response = client.get(url, HTTP_ACCEPT="application/json", **extra)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), (url, response["Content-Type"])
    return json.loads(response.content)


@pytest.mark.parametrize(
    "url",
    [
        "/api/cites/?region=%00",
        "/api/cites/?q=a%00b",
        "/api/cites/%00/",
        "/api/communes/?departement=%00",
        "/api/communes/%00/",
        "/api/qpv/?commune=%00",
        "/api/etablissements/?type=%00",
        "/api/etablissements/%00/",
        "/api/partenaires/?cite=%00",
        "/api/actions/?cite=to%00ulouse",
    ],
)
def test_nul_bytes_are_a_400_in_french(client, url):
    body = get_json(client, url, status=400)

    assert body["erreur"] == "Requête invalide : l’adresse ou les paramètres contiennent un caractère nul (%00)."


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/api/cites/?region=%25s", "region", "Région inconnue : « %s »"),
        ("/api/cites/?departement=%25(value)s", "departement", "Département inconnu : « %(VALUE)S »"),
        ("/api/communes/?region=100%25", "region", "Région inconnue : « 100% »"),
        ("/api/qpv/?commune=%25d", "commune", "Commune inconnue : « %d »"),
        ("/api/etablissements/?commune=%25s", "commune", "Commune inconnue : « %s »"),
        ("/api/partenaires/?cite=%25s", "cite", "Cité inconnue : « %s »"),
        ("/api/actions/?cite=%25(x)s", "cite", "Cité inconnue : « %(x)s »"),
        ("/api/partenaires/?famille=%25s", "famille", "Famille inconnue : « %s »"),
        ("/api/qpv/?generation=%25s", "generation", "Génération inconnue : « %s »"),
    ],
)
def test_percent_signs_in_filters_are_shown_as_typed(client, url, field, message):
    body = get_json(client, url, status=400)

    assert message in body["details"][field][0]


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/api/cites/?region=" + "7" * 3000, "region", "Région inconnue : « 77777777777777777777… »"),
        ("/api/communes/?departement=" + "9" * 3000, "departement", "Département inconnu : « 99999999999999999999… »"),
        ("/api/qpv/?commune=" + "3" * 3000, "commune", "Commune inconnue : « 33333333333333333333… »"),
        ("/api/cites/?q=" + "a" * 3000, "q", "100 caractères au plus"),
        ("/api/actions/?cite=" + "b" * 3000, "cite", "Cité inconnue : « " + "b" * 60 + "… »"),
    ],
)
def test_over_long_values_are_named_not_shown_raw(client, url, field, message):
    body = get_json(client, url, status=400)

    assert message in body["details"][field][0]
    assert "{valeur}" not in json.dumps(body)


def test_a_repeated_parameter_is_a_400(client):
    body = get_json(client, "/api/cites/?annee=2019&annee=2021", status=400)

    assert body["details"] == {"annee": ["Paramètre répété : indiquez une seule valeur."]}


@pytest.mark.parametrize(
    ("url", "erreur"),
    [
        ("/api/cites/?page=999", "Page de résultats inexistante"),
        ("/api/cites/?page=abc", "Page de résultats inexistante"),
        ("/api/cites/nulle-part/", "Ressource introuvable."),
        ("/api/communes/99999/", "Ressource introuvable."),
        ("/api/nimporte-quoi/", "Ressource introuvable."),
        ("/api/cites/toulouse-grand-mirail/en-trop/", "Ressource introuvable."),
    ],
)
def test_not_found_under_the_api_is_json(client, url, erreur):
    body = get_json(client, url, status=404)

    assert body["erreur"].startswith(erreur)


def test_a_made_up_forwarded_for_does_not_escape_the_throttle(client, monkeypatch, settings):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    statuses = [client.get("/api/cites/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(5)]

    assert statuses == [200, 200, 200, 429, 429]


def test_behind_one_trusted_proxy_each_client_is_counted_apart(client, monkeypatch, settings):
    from rest_framework.settings import api_settings

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)

    first = [client.get("/api/cites/", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code for _ in range(3)]
    other = client.get("/api/cites/", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code

    assert first == [200, 200, 429]
    assert other == 200


def test_the_api_cache_keeps_http_and_https_apart(client, settings):
    settings.ALLOWED_HOSTS = ["portail.example.fr"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = get_json(client, "/api/cites/toulouse-grand-mirail/", status=200, HTTP_HOST="portail.example.fr")
    secure = get_json(
        client,
        "/api/cites/toulouse-grand-mirail/",
        status=200,
        HTTP_HOST="portail.example.fr",
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert plain["url"] == "http://portail.example.fr/cites/toulouse-grand-mirail/"
    assert secure["url"] == "https://portail.example.fr/cites/toulouse-grand-mirail/"


def test_schema_documents_the_error_bodies(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"200", "400", "404", "429"}
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected - {"200"}:
                content = responses[status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/Erreur"}, (path, status)
    erreur = schema["components"]["schemas"]["Erreur"]
    assert erreur["required"] == ["erreur", "details"]


def test_schema_allows_the_empty_statut_of_a_school(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    components = schema["components"]["schemas"]

    def values(node) -> set:
        if "$ref" in node:
            return values(components[node["$ref"].rsplit("/", 1)[-1]])
        found = set(node.get("enum", []))
        for key in ("oneOf", "anyOf", "allOf"):
            for child in node.get(key, []):
                found |= values(child)
        return found

    assert values(components["Etablissement"]["properties"]["statut"]) >= {"public", "prive", ""}
