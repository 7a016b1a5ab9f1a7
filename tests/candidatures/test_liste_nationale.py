"""The agents' list at national size: the last change of state is stored on the candidature (no
subquery per row), an exact reference goes straight to it, no DISTINCT, constant query counts,
and « Déposée le » keeps the first deposit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidatures import services
from candidatures.models import Candidature, Etat
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

LISTE = "admin:candidatures_candidature_changelist"


def references(response) -> list[str]:
    return [c.reference for c in response.context["cl"].result_list]


def _requete_liste(queries) -> str:
    """The SQL of the page of rows (the one that selects the candidatures' columns)."""
    lignes = [q["sql"] for q in queries if q["sql"].startswith('SELECT "candidatures_candidature"."id", ')]
    assert lignes, "no query of the list's rows"
    return lignes[-1]


def test_each_change_of_state_is_stored_on_the_candidature(candidature, porteur, agent_occitanie):
    avant = timezone.now()
    services.candidature_submit(candidature=candidature, actor=porteur)
    candidature.refresh_from_db()
    depot = candidature.evenements.get(etat_apres="deposee")
    assert candidature.dernier_changement is not None and candidature.dernier_changement >= avant
    assert abs(candidature.dernier_changement - depot.date) < datetime.timedelta(seconds=1)
    services.candidature_transition(candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent_occitanie)
    candidature.refresh_from_db()
    assert candidature.dernier_changement > depot.date


def test_a_re_deposit_keeps_the_first_deposit_date_and_shows_both(
    candidature, porteur, agent_occitanie, connecter, django_capture_on_commit_callbacks
):
    services.candidature_submit(candidature=candidature, actor=porteur)
    premier = Candidature.objects.get(pk=candidature.pk).depose_le
    Candidature.objects.filter(pk=candidature.pk).update(
        depose_le=datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.UTC)
    )
    services.candidature_transition(candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent_occitanie)
    services.candidature_transition(
        candidature=candidature, to=Etat.COMPLEMENTS_DEMANDES, actor=agent_occitanie, message="La lettre manque."
    )
    services.candidature_submit(candidature=candidature, actor=porteur)
    candidature.refresh_from_db()
    assert premier is not None
    assert candidature.depose_le == datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.UTC)
    assert candidature.redepose_le is not None and candidature.redepose_le.date() == timezone.localdate()
    page = connecter(agent_occitanie).get(reverse("admin:candidatures_candidature_change", args=[candidature.pk]))
    html = page.content.decode()
    assert "4 mars 2025 à 11:30" in html  # Europe/Paris
    assert "Déposée à nouveau le" in html


def test_an_exact_reference_is_found_without_going_through_the_communes(
    deposee, porteur, appel, agent_national, connecter
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=30, prefixe="2097")
    client = connecter(agent_national)
    with CaptureQueriesContext(connection) as requetes:
        page = client.get(reverse(LISTE), {"q": " ce-2097-00017 "})
    assert references(page) == ["CE-2097-00017"]
    sql = _requete_liste(requetes.captured_queries)
    assert "candidature_communes" not in sql and "DISTINCT" not in sql.upper()


def test_a_search_on_a_commune_never_uses_distinct_and_lists_each_candidature_once(
    deposee, porteur, appel, agent_national, connecter
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=5, prefixe="2096")
    client = connecter(agent_national)
    with CaptureQueriesContext(connection) as requetes:
        page = client.get(reverse(LISTE), {"q": "toulouse"})
    assert len(references(page)) == 6 and len(set(references(page))) == 6
    assert "DISTINCT" not in _requete_liste(requetes.captured_queries).upper()
    assert references(client.get(reverse(LISTE), {"q": "31555"}))  # Toulouse by its INSEE code


@pytest.mark.parametrize("nombre", [10, 120])
def test_the_list_sorted_on_the_last_change_keeps_its_query_count(
    nombre, porteur, appel, agent_national, connecter, django_assert_max_num_queries
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=nombre, prefixe="2095")
    client = connecter(agent_national)
    client.get(reverse(LISTE))  # sessions, groups: warm
    with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as requetes:
        page = client.get(reverse(LISTE), {"o": "11", "p": "1", "etat": "deposee"})
    assert page.status_code == 200
    sql = _requete_liste(requetes.captured_queries)
    assert "candidatures_evenementcandidature" not in sql  # no correlated subquery on the history


def test_waiting_too_long_reads_the_stored_date(porteur, appel, agent_national, connecter, settings):
    settings.CANDIDATURES_ATTENTE_JOURS = 30
    vieilles = helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=3, prefixe="2094")
    Candidature.objects.filter(pk=vieilles[1].pk).update(
        dernier_changement=timezone.now() - datetime.timedelta(days=40)
    )
    page = connecter(agent_national).get(reverse("admin:candidatures_candidature_tableau_de_bord"))
    assert [ligne["candidature"].reference for ligne in page.context["attente"]] == ["CE-2094-00001"]
    assert page.context["attente"][0]["jours"] == 40


@pytest.mark.postgresql
def test_on_postgresql_the_exact_reference_uses_its_unique_index(deposee, agent_national):
    from candidatures import selectors

    qs = selectors.candidature_list_admin(user=agent_national).filter(reference="CE-2097-00017")
    with connection.cursor() as cursor:  # a test table is small: say whether the index CAN serve
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = qs.explain()
    assert "Index Scan" in plan and "reference" in plan
