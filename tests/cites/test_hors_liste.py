"""Cités labelled outside the imported ANCT list (issue 13): an ANCT agent enters one with its
decision, without a candidature; it gets the next identifiant and is published."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cites.models import CiteEducative, Commune, EvenementLabel
from cites.services import cite_create_hors_liste, cite_identifiant_suivant
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


def test_the_next_identifiant_follows_the_highest_in_use():
    assert cite_identifiant_suivant() == "cite-209"  # the ANCT list goes up to cite-208


def test_an_anct_agent_enters_a_cite_of_26_may_2025_with_its_decision(client):
    agent = helpers.agent(email="agent@anct.gouv.fr", region=None)
    client.force_login(agent)
    url = reverse("admin:cites_citeeducative_hors_liste")
    assert url in client.get(reverse("admin:cites_citeeducative_changelist")).content.decode()
    response = client.post(
        url,
        {
            "nom": "Albi Cantepau",
            "communes": "81004",
            "date": "2025-05-26",
            "reference_decision": "Décision ANCT du 26 mai 2025",
            "fin_financement": "2027-12-31",
        },
    )
    cite = CiteEducative.objects.get(nom="Albi Cantepau")
    assert response.status_code == 302
    assert (cite.identifiant, cite.slug, cite.annee_label, cite.publiee) == ("cite-209", "albi-cantepau", 2025, True)
    assert list(cite.communes.values_list("code", flat=True)) == ["81004"]
    label = cite.evenements.get()
    assert (label.type, label.date, label.reference_decision) == (
        EvenementLabel.Type.LABEL,
        datetime.date(2025, 5, 26),
        "Décision ANCT du 26 mai 2025",
    )
    assert not cite.candidatures.exists()
    assert "Albi Cantepau" in client.get(reverse("cites:detail", args=["albi-cantepau"])).content.decode()
    assert cite_identifiant_suivant() == "cite-210"


def test_a_wrong_commune_code_is_said_and_what_was_typed_kept(client):
    client.force_login(helpers.agent(email="agent@anct.gouv.fr", region=None))
    response = client.post(
        reverse("admin:cites_citeeducative_hors_liste"),
        {"nom": "Nulle part", "communes": "81004, 99999", "date": "2025-05-26", "reference_decision": "D-1"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Codes INSEE inconnus : 99999." in page and 'value="Nulle part"' in page
    assert not CiteEducative.objects.filter(nom="Nulle part").exists()


def test_a_regional_agent_cannot_enter_one(client):
    client.force_login(helpers.agent(email="agent@occitanie.gouv.fr", region="76"))
    assert client.get(reverse("admin:cites_citeeducative_hors_liste")).status_code == 403


def test_the_decision_is_required_and_not_in_the_future():
    with pytest.raises(ValidationError) as erreur:
        cite_create_hors_liste(
            nom="Albi",
            communes=[Commune.objects.get(code="81004")],
            date=datetime.date.today() + datetime.timedelta(days=3),
            reference_decision="",
            user=None,
        )
    assert set(erreur.value.message_dict) == {"reference_decision", "date"}
