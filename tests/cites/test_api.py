"""The read-only public API (/api/): filters, pagination, errors, schema, query counts.

All the real reference data is loaded (tests/conftest.py): 208 cités, 34,969 communes,
1,598 QPVs, 6,850 schools.
"""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.throttling import AnonRateThrottle

from cites.models import CiteEducative, Commune, Etablissement, Qpv
from partenaires.models import Action, Famille, LienPartenaire, Partenaire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes_placees")]

PAGE_SIZE = settings.REST_FRAMEWORK["PAGE_SIZE"]


def get(client, url, params=None, status=200):
    response = client.get(url, params or {}, HTTP_ACCEPT="application/json")
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)


def all_results(client, url, params=None) -> list[dict]:
    results, data = [], get(client, url, params)
    while True:
        results += data["results"]
        if not data["next"]:
            return results
        data = get(client, data["next"])


def published(**lookups):
    return CiteEducative.objects.filter(publiee=True, **lookups).distinct()


# --- Cités ----------------------------------------------------------------------------------


def test_cites_are_paginated(client):
    first = get(client, "/api/cites/")

    assert first["count"] == 208
    assert len(first["results"]) == PAGE_SIZE
    assert first["previous"] is None and "page=2" in first["next"]
    last_page = (208 + PAGE_SIZE - 1) // PAGE_SIZE
    last = get(client, "/api/cites/", {"page": last_page})
    assert len(last["results"]) == 208 - PAGE_SIZE * (last_page - 1)
    assert last["next"] is None
    slugs = [cite["slug"] for cite in all_results(client, "/api/cites/")]
    assert len(slugs) == len(set(slugs)) == 208


def test_cite_representation(client):
    nancy = get(client, "/api/cites/nancy-laxou-maxeville/")

    assert nancy["identifiant"] == "cite-050"
    assert nancy["nom"] == "Nancy / Laxou / Maxéville"
    assert nancy["url"] == "http://testserver/cites/nancy-laxou-maxeville/"
    assert [c["code"] for c in nancy["communes"]] == ["54304", "54357", "54395"]
    assert nancy["departements"] == [{"code": "54", "nom": "Meurthe-et-Moselle"}]
    assert nancy["regions"] == [{"code": "44", "nom": "Grand Est"}]
    assert (nancy["annee_label"], nancy["annee_label_deduite"]) == (2019, True)


@pytest.mark.parametrize(
    ("params", "lookups"),
    [
        ({"region": "76"}, {"communes__departement__region__code": "76"}),
        ({"departement": "93"}, {"communes__departement__code": "93"}),
        ({"departement": "093"}, {"communes__departement__code": "93"}),
        ({"annee": "2021"}, {"annee_label": 2021}),
        ({"region": "11", "annee": "2019"}, {"communes__departement__region__code": "11", "annee_label": 2019}),
    ],
)
def test_cite_filters(client, params, lookups):
    found = {cite["slug"] for cite in all_results(client, "/api/cites/", params)}

    expected = set(published(**lookups).values_list("slug", flat=True))
    assert expected and found == expected


def test_cite_text_search_ignores_accents_and_case(client):
    found = {cite["nom"] for cite in all_results(client, "/api/cites/", {"q": "BEZIERS"})}

    assert found == {"Béziers"}


def test_unpublished_cite_is_not_in_the_api(client):
    CiteEducative.objects.filter(identifiant="cite-050").update(publiee=False)

    assert get(client, "/api/cites/")["count"] == 207
    body = get(client, "/api/cites/nancy-laxou-maxeville/", status=404)
    assert body == {"erreur": "Ressource introuvable.", "details": None}


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        ("/api/cites/", {"region": "ZZ"}, "region", "Région inconnue : « ZZ »"),
        ("/api/cites/", {"annee": "deux-mille"}, "annee", "Année invalide"),
        ("/api/cites/", {"annee": "2019.5"}, "annee", "Année invalide"),
        ("/api/cites/", {"departement": "999"}, "departement", "Département inconnu"),
        ("/api/cites/", {"region": "x" * 500}, "region", "Région inconnue"),
        ("/api/communes/", {"departement": "ZZ"}, "departement", "Département inconnu"),
        ("/api/qpv/", {"generation": "1990"}, "generation", "Génération inconnue"),
        ("/api/qpv/", {"commune": "00000"}, "commune", "Commune inconnue"),
        ("/api/etablissements/", {"commune": "99999"}, "commune", "Commune inconnue"),
        ("/api/etablissements/", {"education_prioritaire": "ZEP"}, "education_prioritaire", "inconnue"),
        ("/api/partenaires/", {"famille": "autre"}, "famille", "Famille inconnue"),
        ("/api/actions/", {"temps": "nuit"}, "temps", "Temps éducatif inconnu"),
        ("/api/actions/", {"cite": "nulle-part"}, "cite", "Cité inconnue"),
    ],
)
def test_bad_filter_values_give_400_with_a_french_message(client, url, params, field, message):
    body = get(client, url, params, status=400)

    assert set(body) == {"erreur", "details"}
    assert body["erreur"].startswith("Paramètres invalides")
    assert message in body["details"][field][0]


def test_errors_have_one_shape(client):
    assert get(client, "/api/cites/?page=999", status=404)["erreur"]
    response = client.post("/api/cites/", {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 405
    assert json.loads(response.content) == {
        "erreur": "Méthode POST non autorisée : cette API est en lecture seule.",
        "details": None,
    }


def test_anonymous_clients_are_throttled_with_a_french_message(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    for _ in range(3):
        get(client, "/api/cites/")
    body = get(client, "/api/cites/", status=429)

    assert body["erreur"].startswith("Trop de requêtes")
    assert body["details"]["attente_secondes"] > 0


# --- Reference data -------------------------------------------------------------------------


def test_communes_filters_and_detail(client):
    corse = all_results(client, "/api/communes/", {"departement": "2A"})
    assert len(corse) == Commune.objects.filter(departement__code="2A").count()
    assert {c["region"]["code"] for c in corse} == {"94"}

    found = {c["nom"] for c in all_results(client, "/api/communes/", {"q": "saint etienne du rouvray"})}
    assert found == {"Saint-Étienne-du-Rouvray"}

    toulouse = get(client, "/api/communes/31555/")
    assert toulouse["nom"] == "Toulouse" and toulouse["departement"]["code"] == "31"
    assert 43 < toulouse["latitude"] < 44


def test_qpv_filters_and_arrondissement_codes(client):
    toulouse = {q["code"] for q in all_results(client, "/api/qpv/", {"commune": "31555"})}
    assert toulouse == set(Qpv.objects.filter(communes__code="31555").values_list("code", flat=True))

    # An arrondissement of Marseille stands for Marseille.
    marseille = {q["code"] for q in all_results(client, "/api/qpv/", {"commune": "13201"})}
    assert marseille == set(Qpv.objects.filter(communes__code="13055").values_list("code", flat=True))

    contours = get(client, "/api/qpv/", {"generation": "2015"})
    assert contours["count"] == 105


@pytest.mark.parametrize(
    ("value", "expected"),
    [("REP", "REP"), ("REP+", "REP+"), ("rep+", "REP+"), ("aucune", "")],
)
def test_etablissement_education_prioritaire_filter(client, value, expected):
    found = all_results(client, "/api/etablissements/", {"departement": "94", "education_prioritaire": value})

    assert {e["education_prioritaire"] for e in found} == {expected}
    assert (
        len(found)
        == Etablissement.objects.filter(commune__departement__code="94", education_prioritaire=expected).count()
    )


def test_etablissement_rep_plus_written_unencoded_in_the_url(client):
    # "?education_prioritaire=REP+" typed by hand: "+" arrives as a space.
    found = get(client, "/api/etablissements/?commune=31555&education_prioritaire=REP+")

    assert found["count"] == Etablissement.objects.filter(commune__code="31555", education_prioritaire="REP+").count()
    assert found["count"] > 0


# --- Partners and actions -------------------------------------------------------------------


@pytest.fixture
def reseau():
    publiee = CiteEducative.objects.get(identifiant="cite-073")
    cachee = CiteEducative.objects.get(identifiant="cite-050")
    cachee.publiee = False
    cachee.save()
    caf = Partenaire.objects.create(nom="CAF de la Haute-Garonne", famille=Famille.ETAT)
    mediatheque = Partenaire.objects.create(nom="Médiathèque José Cabanis", famille=Famille.CULTURE)
    secret = Partenaire.objects.create(nom="Partenaire d'une cité non publiée", famille=Famille.SOCIAL)
    LienPartenaire.objects.create(cite=publiee, partenaire=caf, force=3, role="Financement")
    LienPartenaire.objects.create(cite=cachee, partenaire=caf, force=1, role="Caché")
    LienPartenaire.objects.create(cite=cachee, partenaire=secret, force=2)
    action = Action.objects.create(
        cite=publiee, titre="Coup de pouce lecture", objectif="ecole", temps_apres=True, age_min=6, age_max=11
    )
    action.partenaires.add(mediatheque)
    Action.objects.create(cite=cachee, titre="Action cachée", objectif="possibles", temps_avant=True)
    return publiee


def test_partners_of_published_cites_only(client, reseau):
    partenaires = {p["nom"]: p for p in all_results(client, "/api/partenaires/")}

    assert set(partenaires) == {"CAF de la Haute-Garonne", "Médiathèque José Cabanis"}
    assert partenaires["CAF de la Haute-Garonne"]["cites"] == [
        {"cite": {"slug": reseau.slug, "nom": reseau.nom}, "force": 3, "force_libelle": "forte", "role": "Financement"}
    ]
    culture = all_results(client, "/api/partenaires/", {"famille": "culture"})
    assert [p["nom"] for p in culture] == ["Médiathèque José Cabanis"]
    assert [p["nom"] for p in all_results(client, "/api/partenaires/", {"cite": reseau.slug})] == [
        "CAF de la Haute-Garonne"
    ]


def test_actions_of_published_cites_only(client, reseau):
    actions = all_results(client, "/api/actions/")

    assert [a["titre"] for a in actions] == ["Coup de pouce lecture"]
    action = actions[0]
    assert action["cite"] == {"slug": reseau.slug, "nom": reseau.nom}
    assert action["temps"] == ["apres"]
    assert [p["nom"] for p in action["partenaires"]] == ["Médiathèque José Cabanis"]
    assert all_results(client, "/api/actions/", {"temps": "avant"}) == []
    assert len(all_results(client, "/api/actions/", {"temps": "apres", "objectif": "ecole"})) == 1


# --- Schema and documentation ---------------------------------------------------------------


def test_schema_validates_without_warning(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/cites/" in target.read_text()


def test_schema_documents_the_filters(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)

    parameters = {p["name"]: p for p in schema["paths"]["/api/cites/"]["get"]["parameters"]}
    assert {"region", "departement", "annee", "q", "page"} <= set(parameters)
    assert parameters["annee"]["schema"]["type"] == "integer"
    etablissements = {p["name"] for p in schema["paths"]["/api/etablissements/"]["get"]["parameters"]}
    assert {"commune", "education_prioritaire"} <= etablissements


def test_api_root_is_a_french_page_for_browsers_and_json_for_programs(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "120/minute"}}
    page = client.get("/api/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    text = " ".join(page.content.decode().split())

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "<h1>API des cités éducatives</h1>" in text
    assert "Django REST framework" not in text
    for endpoint in ("/api/cites/", "/api/communes/", "/api/qpv/", "/api/etablissements/", "/api/partenaires/"):
        assert f"<code>{endpoint}</code>" in text
    assert "Licence Ouverte / Open Licence version 2.0" in text
    assert "120 requêtes par minute au plus par client" in text
    assert 'href="/api/docs/"' in text
    assert "Accept" in page["Vary"]

    machine = client.get("/api/", HTTP_ACCEPT="application/json")
    assert machine["Content-Type"] == "application/json"
    assert json.loads(machine.content)["cites"].endswith("/api/cites/")
    assert "/api/qpv/" in json.loads(client.get("/api/?format=json").content)["qpv"]


def test_documentation_is_a_french_page_without_authorisation(client):
    response = client.get("/api/docs/")
    page = " ".join(response.content.decode().split())

    assert response.status_code == 200
    assert "<h1>Documentation de l’API</h1>" in page
    assert "Authorize" not in page and "swagger" not in page.lower()
    assert "<code>GET /api/cites/</code>" in page and "<code>GET /api/cites/{slug}/</code>" in page
    assert "<code>region</code>" in page and "<code>education_prioritaire</code>" in page
    # The choices of a filter are a list of values, not Markdown.
    assert "<li><code>REP+</code> : REP+</li>" in page
    assert "* `" not in page
    assert client.get("/api/redoc/")["Location"] == "/api/docs/"


def test_schema_declares_no_authentication_on_an_anonymous_read_only_api(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)

    assert "securitySchemes" not in schema.get("components", {})
    # Each operation is open to anonymous clients only (an empty requirement), so no padlock.
    assert all(
        operation.get("security", [{}]) == [{}] for path in schema["paths"].values() for operation in path.values()
    )
    assert "/api/schema/" not in schema["paths"]


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "maximum"),
    [
        ("/api/cites/", 3),
        ("/api/cites/?region=76&annee=2019&q=toulouse", 5),
        ("/api/cites/?page=3", 3),
        ("/api/cites/toulouse-grand-mirail/", 2),
        ("/api/communes/", 2),
        ("/api/communes/?region=84&q=saint", 3),
        ("/api/qpv/", 3),
        ("/api/qpv/?region=76&commune=31555", 5),
        ("/api/etablissements/", 2),
        ("/api/etablissements/?commune=31555&education_prioritaire=REP", 3),
        ("/api/partenaires/", 3),
        ("/api/actions/", 3),
    ],
)
def test_queries_are_bounded_with_all_data_loaded(
    client, settings, reseau, django_assert_max_num_queries, url, maximum
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(maximum):
        response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200


def test_answers_are_cached_and_forgotten_when_a_cite_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    get(client, "/api/cites/toulouse-grand-mirail/")
    with django_assert_num_queries(0):
        response = client.get("/api/cites/toulouse-grand-mirail/", HTTP_ACCEPT="application/json")
    assert response["X-Cache"] == "hit"

    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    cite.annee_label, cite.annee_label_deduite = 2020, False
    with django_capture_on_commit_callbacks(execute=True):
        cite.save()
    assert get(client, "/api/cites/toulouse-grand-mirail/")["annee_label"] == 2020
