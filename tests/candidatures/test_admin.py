"""The agents' candidature list in the admin: badges, filters, search, counts per state, bulk
actions, the dashboard, and a number of queries that does not grow with the rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidatures.models import Candidature, Etat, EvenementCandidature
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

LISTE = "admin:candidatures_candidature_changelist"
TABLEAU = "admin:candidatures_candidature_tableau_de_bord"


def references(response) -> list[str]:
    return [c.reference for c in response.context["cl"].result_list]


def test_the_list_shows_state_badges_checks_and_counts_per_state(deposee, agent_occitanie, porteur, appel, connecter):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=3, prefixe="2099", etat=Etat.EN_INSTRUCTION)
    page = connecter(agent_occitanie).get(reverse(LISTE))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Candidatures à instruire</h1>" in html
    assert '<span class="badge badge--info">déposée</span>' in html
    assert '<span class="badge badge--success">vérifiées</span>' in html  # Toulouse: QPV and REP+ found
    compteurs = {c["etat"]: c["nombre"] for c in page.context["compteurs"]}
    assert compteurs["deposee"] == 1 and compteurs["en_instruction"] == 3 and compteurs["labellisee"] == 0
    assert "<strong>3</strong> en instruction" in html
    assert "brouillon" not in compteurs  # drafts belong to the porteurs alone


def test_filters_by_state_checks_call_department_and_agent(
    deposee, agent_occitanie, agent_national, porteur, appel, connecter, autre_porteur
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=2, prefixe="2098", etat=Etat.EN_INSTRUCTION)
    montpellier = helpers.candidatures_en_masse(user=autre_porteur, appel=appel, nombre=1, prefixe="2097")
    Candidature.objects.filter(reference="CE-2098-00000").update(
        instructeur=agent_occitanie, verifications="donnees_absentes"
    )
    client = connecter(agent_occitanie)
    url = reverse(LISTE)
    assert sorted(references(client.get(url, {"etat": "en_instruction"}))) == ["CE-2098-00000", "CE-2098-00001"]
    assert references(client.get(url, {"verifications__exact": "donnees_absentes"})) == ["CE-2098-00000"]
    assert references(client.get(url, {"instructeur": "moi"})) == ["CE-2098-00000"]
    assert references(client.get(url, {"instructeur": str(agent_occitanie.pk)})) == ["CE-2098-00000"]
    assert len(references(client.get(url, {"instructeur": "aucun"}))) == 3
    assert references(client.get(url, {"departement": "34"})) == [montpellier[0].reference]  # Hérault
    assert len(references(client.get(url, {"departement": "31"}))) == 3  # Haute-Garonne
    assert len(references(client.get(url, {"appel__id__exact": appel.pk}))) == 4
    # The région filter is for national agents: a regional agent's list holds one région.
    assert "Par région" not in client.get(url).content.decode()
    national = connecter(agent_national).get(url, {"region": "76"})
    assert "Par région" in national.content.decode()
    assert len(references(national)) == 4


def test_the_national_agent_filters_by_region(deposee, agent_national, porteur_lyon, appel, connecter):
    helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=2, prefixe="2096")
    client = connecter(agent_national)
    assert len(references(client.get(reverse(LISTE), {"region": "84"}))) == 2
    assert references(client.get(reverse(LISTE), {"region": "76"})) == [deposee.reference]
    assert len(references(client.get(reverse(LISTE)))) == 3


def test_search_by_reference_collectivite_or_commune(deposee, agent_national, porteur_lyon, appel, connecter):
    helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=1, prefixe="2095")
    client = connecter(agent_national)
    url = reverse(LISTE)
    assert references(client.get(url, {"q": deposee.reference})) == [deposee.reference]
    assert references(client.get(url, {"q": "Toulouse"})) == [deposee.reference]  # collectivité and commune
    assert references(client.get(url, {"q": "69123"})) == ["CE-2095-00000"]  # Lyon by its INSEE code
    assert references(client.get(url, {"q": "Lyon"})) == ["CE-2095-00000"]
    assert references(client.get(url, {"q": "Grand Mirail"})) == [deposee.reference]  # the project's name


def test_bulk_take_charge_goes_through_the_workflow(
    deposee, agent_occitanie, porteur, appel, connecter, django_capture_on_commit_callbacks, mailoutbox
):
    autres = helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=2, prefixe="2094")
    EvenementCandidature.objects.filter(candidature=autres[1]).delete()
    Candidature.objects.filter(pk=autres[1].pk).update(etat=Etat.AVIS_EMIS)  # cannot be taken in charge
    client = connecter(agent_occitanie)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(LISTE),
            {"action": "prendre_en_charge", "_selected_action": [deposee.pk, autres[0].pk, autres[1].pk]},
            follow=True,
        )
    html = response.content.decode()
    assert "2 candidature(s) prise(s) en charge" in html
    assert "ne peut pas passer à « en instruction »" in html  # the one refused says why
    for c in (deposee, autres[0]):
        c.refresh_from_db()
        assert (c.etat, c.instructeur) == (Etat.EN_INSTRUCTION, agent_occitanie)
        dernier = c.evenements.order_by("-pk").first()
        assert (dernier.etat_avant, dernier.etat_apres, dernier.auteur) == (
            "deposee",
            "en_instruction",
            agent_occitanie,
        )
    assert Candidature.objects.get(pk=autres[1].pk).etat == Etat.AVIS_EMIS
    assert any(porteur.email in m.to and deposee.reference in m.subject for m in mailoutbox)


@pytest.mark.parametrize("role", ["regional", "national"])
def test_the_list_needs_a_constant_number_of_queries(
    role, porteur, appel, agent_occitanie, agent_national, connecter, django_assert_max_num_queries
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=300, prefixe="2093")
    Candidature.objects.filter(reference__endswith="7").update(instructeur=agent_occitanie)
    client = connecter(agent_occitanie if role == "regional" else agent_national)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(LISTE))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50  # one page
    assert response.content.decode().count('class="badge badge--info"') == 50
    with django_assert_max_num_queries(15):
        response = client.get(reverse(LISTE), {"q": "Toulouse", "etat": "deposee", "departement": "31", "p": "2"})
    assert len(response.context["cl"].result_list) == 50


def test_the_dashboard_counts_by_state_and_region_lists_the_waiting_and_charts_the_year(
    deposee, porteur, porteur_lyon, appel, agent_national, agent_occitanie, connecter, settings
):
    settings.CANDIDATURES_ATTENTE_JOURS = 30
    lyon = helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=2, prefixe="2092")
    ancienne = timezone.now() - datetime.timedelta(days=45)
    EvenementCandidature.objects.filter(candidature=lyon[0]).update(date=ancienne)
    Candidature.objects.filter(pk=lyon[0].pk).update(dernier_changement=ancienne)
    client = connecter(agent_national)
    page = client.get(reverse(TABLEAU))
    assert page.status_code == 200
    stats = page.context["stats"]
    lignes = {ligne["nom"]: ligne for ligne in stats["lignes"]}
    assert lignes["Occitanie"]["total"] == 1 and lignes["Auvergne-Rhône-Alpes"]["total"] == 2
    assert stats["total"] == 3
    html = page.content.decode()
    assert "En attente d'un agent depuis plus de 30 jours (1)" in html
    attente = [ligne["candidature"].reference for ligne in page.context["attente"]]
    assert attente == [lyon[0].reference]
    assert page.context["attente"][0]["jours"] == 45
    # The chart: an SVG with a bar per month and series, and the same figures in a table.
    assert '<svg role="img"' in html and html.count('class="barre-depots"') == 13  # 12 bars + the legend
    mois = page.context["mois"]
    annee = timezone.localdate().year
    depots_annee = EvenementCandidature.objects.filter(etat_apres="deposee", date__year=annee).count()
    assert sum(m["depots"] for m in mois) == depots_annee
    assert 'id="tableau-activite"' in html
    # A regional agent sees their région only.
    regional = connecter(agent_occitanie).get(reverse(TABLEAU))
    assert [ligne["nom"] for ligne in regional.context["stats"]["lignes"]] == ["Occitanie"]
    assert regional.context["attente"] == []


def test_the_admin_home_leads_agents_to_the_instruction(agent_occitanie, connecter):
    html = connecter(agent_occitanie).get(reverse("admin:index")).content.decode()
    assert reverse(TABLEAU) in html
    assert "Mes candidatures" in html
