"""Regional agents see the cités of their région in the admin and record what follows the label
(prolongations, renewals, conventions, revues); the cités of other régions answer 404."""

import datetime

import pytest
from django.urls import reverse

from cites.models import CiteEducative, EvenementLabel, RevueProjet

pytestmark = pytest.mark.django_db

LISTE = "admin:cites_citeeducative_changelist"
FICHE = "admin:cites_citeeducative_change"
SUIVI = "admin:cites_citeeducative_suivi"


@pytest.fixture
def toulouse():
    return CiteEducative.objects.get(slug="toulouse-grand-mirail")  # Occitanie


@pytest.fixture
def hors_region():
    return CiteEducative.objects.exclude(communes__departement__region__code="76").order_by("nom").first()


def test_a_regional_agent_lists_the_cites_of_their_region_only(agent_occitanie, connecter, toulouse, hors_region):
    client = connecter(agent_occitanie)
    page = client.get(reverse(LISTE), {"all": ""})
    assert page.status_code == 200
    noms = {c.nom for c in page.context["cl"].result_list}
    assert "Toulouse Grand Mirail" in noms and "Colomiers" in noms
    assert hors_region.nom not in noms
    regions = set(
        CiteEducative.objects.filter(nom__in=noms).values_list("communes__departement__region__code", flat=True)
    )
    assert regions == {"76"}
    assert client.get(reverse(FICHE, args=[hors_region.pk])).status_code == 404
    assert client.get(reverse(SUIVI, args=[hors_region.pk, "revue"])).status_code == 404


def test_the_regional_agent_reads_the_cite_and_records_its_events(agent_occitanie, connecter, toulouse):
    client = connecter(agent_occitanie)
    fiche = client.get(reverse(FICHE, args=[toulouse.pk]))
    assert fiche.status_code == 200
    html = fiche.content.decode()
    assert reverse(SUIVI, args=[toulouse.pk, "prolongation"]) in html
    assert reverse(SUIVI, args=[toulouse.pk, "revue"]) in html
    assert 'name="_save"' not in html  # the cité itself is read-only for them
    reponse = client.post(
        reverse(SUIVI, args=[toulouse.pk, "prolongation"]),
        {"fin_financement": "2031-12-31", "date": "2025-02-03", "reference_decision": "PREF-31-2025-12"},
    )
    assert reponse.status_code == 302
    toulouse.refresh_from_db()
    assert toulouse.fin_financement == datetime.date(2031, 12, 31)
    assert toulouse.statut == CiteEducative.Statut.PROLONGEE
    assert EvenementLabel.objects.filter(cite=toulouse, reference_decision="PREF-31-2025-12").exists()
    revue = client.post(
        reverse(SUIVI, args=[toulouse.pk, "revue"]), {"date": "2025-06-12", "resume": "Revue avec la troïka."}
    )
    assert revue.status_code == 302
    assert RevueProjet.objects.get(cite=toulouse, annee=2025).enregistre_par == agent_occitanie
    # The label history is on the page they read.
    assert "PREF-31-2025-12" in client.get(reverse(FICHE, args=[toulouse.pk])).content.decode()


def test_the_regional_agent_cannot_edit_the_cite_itself(agent_occitanie, connecter, toulouse):
    client = connecter(agent_occitanie)
    reponse = client.post(reverse(FICHE, args=[toulouse.pk]), {"nom": "Autre nom"})
    assert reponse.status_code == 403
    toulouse.refresh_from_db()
    assert toulouse.nom == "Toulouse Grand Mirail"


def test_the_list_of_cites_keeps_its_query_count_for_a_regional_agent(
    agent_occitanie, connecter, django_assert_max_num_queries
):
    client = connecter(agent_occitanie)
    client.get(reverse(LISTE))
    with django_assert_max_num_queries(14):
        assert client.get(reverse(LISTE)).status_code == 200
