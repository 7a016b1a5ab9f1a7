"""Public search through the folded names (`nom_recherche`), indexed on PostgreSQL (issue 10)."""

import json

import pytest
from django.db import connection

from cites.models import CiteEducative, Commune
from cites.selectors import CiteListFilters, cite_list_published

pytestmark = pytest.mark.django_db

LISTE = "/cites/"


def listed(client, q: str) -> list[str]:
    response = client.get(LISTE, {"q": q})
    assert response.status_code == 200
    return [cite.nom for cite in response.context["page_obj"].object_list]


def test_saint_etienne_without_accent_finds_saint_etienne(client):
    names = listed(client, "saint-etienne")
    assert "Saint-Étienne Tarentaize Beaubrun" in names
    assert "Saint-Étienne Montreynaud" in names
    assert "Saint-Étienne-du-Rouvray" in names
    assert listed(client, "SAINT ÉTIENNE DU ROUVRAY") == ["Saint-Étienne-du-Rouvray"]


def test_a_cite_renamed_by_an_agent_is_found_by_its_new_name(client):
    cite = CiteEducative.objects.get(slug="creteil")
    cite.nom = "Créteil Mont-Mesly Œillets"
    cite.save(update_fields=["nom"])
    assert listed(client, "oeillets") == ["Créteil Mont-Mesly Œillets"]
    assert CiteEducative.objects.get(slug="creteil").nom_recherche == "creteil mont mesly oeillets"


def test_communes_have_their_folded_name_after_the_import():
    assert Commune.objects.get(code="42218").nom_recherche == "saint etienne"
    assert Commune.objects.filter(nom_recherche="").count() == 0


def test_api_communes_search_ignores_accents(client):
    response = client.get("/api/communes/", {"q": "saint-etienne-du-rou"}, HTTP_ACCEPT="application/json")
    codes = [row["code"] for row in json.loads(response.content)["results"]]
    assert codes == ["76575"]


@pytest.mark.parametrize("value", ["Collège", "college", "COLLÈGE", " collège "])
def test_api_school_type_ignores_accents_and_case(client, value):
    response = client.get("/api/etablissements/", {"type": value, "commune": "31555"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["count"] > 0
    assert {row["type"] for row in data["results"]} == {"Collège"}


def test_api_school_type_unknown_gives_an_empty_list(client):
    response = client.get("/api/etablissements/", {"type": "Université"}, HTTP_ACCEPT="application/json")
    assert json.loads(response.content)["count"] == 0


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgresql
def test_search_uses_the_trigram_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cites_commune")
        cursor.execute("ANALYZE cites_citeeducative")
    # A selective word: the communes come from the trigram index, or — when the statistics say the
    # cités link few communes — from the link table by primary key; never from a scan of them all.
    plan = _plan(cite_list_published(filters=CiteListFilters(q="etienne")))
    assert "cites_commune_nom_recherche_trgm" in plan or "Index Scan using cites_commune_pkey" in plan, plan
    assert "Seq Scan on cites_commune " not in plan, plan
    # « saint » is in one commune name out of seven: PostgreSQL may rather read the communes of
    # the cités through the link table, but never scans every commune.
    plan = _plan(cite_list_published(filters=CiteListFilters(q="saint")))
    assert "Seq Scan on cites_commune " not in plan, plan
    plan = _plan(Commune.objects.filter(nom_recherche__contains="etienne"))
    assert "cites_commune_nom_recherche_trgm" in plan, plan


@pytest.mark.postgresql
def test_school_type_filter_uses_its_index_on_postgresql():
    from cites.api.filters import EtablissementFilterSet
    from cites.models import Etablissement

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cites_etablissement")
    queryset = EtablissementFilterSet({"type": "ereA"}, queryset=Etablissement.objects.all()).qs
    plan = _plan(queryset.order_by())
    assert "cites_etablissement_type" in plan, plan
