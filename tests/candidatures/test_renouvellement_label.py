"""The label of a renewal candidature renews its cité (issue 13): a renewal event in the cité's
history, the cité « renouvelée » with a new end of funding, the same cité and identifiant — no new
cité, no extension. The decision screen says so and offers no other choice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidatures import services
from candidatures.labellisation import fin_financement_renouvellement
from candidatures.models import Etat
from candidatures.services import TransitionRefusee
from cites.models import CiteEducative, EvenementLabel
from revues.renouvellement import candidature_renouvellement_create
from tests.candidatures import helpers
from tests.candidatures.test_labellisation import jusqu_a_l_avis

pytestmark = pytest.mark.django_db

INSTRUCTION = "admin:candidatures_candidature_change"


@pytest.fixture
def grand_mirail(db):
    """The real cité « Toulouse Grand Mirail » (cite-073, labelled in 2019), funded to the end of this year."""
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    CiteEducative.objects.filter(pk=cite.pk).update(fin_financement=datetime.date(timezone.localdate().year, 12, 31))
    cite.refresh_from_db()
    return cite


@pytest.fixture
def renouvellement(grand_mirail, porteur, appel, agent_occitanie):
    """Toulouse's renewal candidature, pre-filled from the cité, completed, waiting for the ANCT decision."""
    candidature = candidature_renouvellement_create(user=porteur, cite=grand_mirail, appel=appel)
    helpers.remplir(candidature=candidature, user=porteur)
    return jusqu_a_l_avis(candidature=candidature, porteur=porteur, agent=agent_occitanie)


def decider(client, candidature, **donnees):
    return client.post(
        reverse(INSTRUCTION, args=[candidature.pk]),
        {"action": "transition", "cible": "labellisee", "message": "Un bilan solide.", **donnees},
        follow=True,
    )


def test_the_decision_screen_says_it_is_a_renewal_and_offers_no_new_cite(renouvellement, agent_national, connecter):
    html = connecter(agent_national).get(reverse(INSTRUCTION, args=[renouvellement.pk])).content.decode()
    assert (
        "Si vous labellisez : c'est le renouvellement de « Toulouse Grand Mirail » (cite-073). Son label est "
        "renouvelé, avec une nouvelle fin de financement ; aucune nouvelle cité n'est créée."
    ) in html
    assert "Créer une nouvelle cité éducative" not in html
    assert 'name="cite_choix"' not in html
    assert "Étendre « " not in html


def test_the_label_of_a_renewal_renews_the_cite(renouvellement, grand_mirail, agent_national, connecter):
    cites_avant = CiteEducative.objects.count()
    annee = timezone.localdate().year
    page = decider(connecter(agent_national), renouvellement).content.decode()
    assert (
        "La candidature est labellisée : le label de la cité éducative « Toulouse Grand Mirail » (cite-073) est "
        "renouvelé."
    ) in page

    renouvellement.refresh_from_db()
    grand_mirail.refresh_from_db()
    assert renouvellement.etat == Etat.LABELLISEE
    assert renouvellement.cite == grand_mirail
    assert CiteEducative.objects.count() == cites_avant  # no new cité
    assert grand_mirail.identifiant == "cite-073"  # identifiant unchanged
    assert grand_mirail.statut == "renouvelee"
    assert grand_mirail.fin_financement == datetime.date(annee + 3, 12, 31)  # three years after this one
    evenements = list(
        grand_mirail.evenements.order_by("annee", "pk").values_list("type", "annee", "reference_decision")
    )
    assert evenements == [("label", 2019, ""), ("renouvellement", annee, renouvellement.reference)]
    renouvele = grand_mirail.evenements.get(type="renouvellement")
    assert renouvele.date == timezone.localdate()
    assert renouvele.fin_financement == datetime.date(annee + 3, 12, 31)
    assert not EvenementLabel.objects.filter(
        type__in=["label", "extension"], reference_decision=renouvellement.reference
    )


def test_a_second_label_call_renews_only_once(renouvellement, grand_mirail, agent_national):
    from candidatures.labellisation import candidature_labelliser

    services.candidature_label_decide(
        candidature=renouvellement, actor=agent_national, message="Un bilan solide.", cite_etendue=None
    )
    renouvellement.refresh_from_db()
    resultat = candidature_labelliser(candidature=renouvellement)
    assert resultat.deja_faite and resultat.cite == grand_mirail
    assert grand_mirail.evenements.filter(type="renouvellement").count() == 1


def test_a_renewal_cannot_extend_another_cite(renouvellement, grand_mirail, agent_national):
    colomiers = CiteEducative.objects.get(slug="colomiers")
    with pytest.raises(TransitionRefusee, match="renouvelle la cité « Toulouse Grand Mirail »"):
        services.candidature_label_decide(
            candidature=renouvellement, actor=agent_national, message="Un bilan solide.", cite_etendue=colomiers
        )
    renouvellement.refresh_from_db()
    assert (renouvellement.etat, renouvellement.cite_etendue) == (Etat.AVIS_EMIS, None)
    assert not colomiers.evenements.filter(type="extension").exists()


@pytest.mark.parametrize(
    ("fin_actuelle", "decision", "fin_nouvelle"),
    [
        # The 2022 wave: funded to the end of 2024, renewed at the end of 2024 for 2025–2027.
        (datetime.date(2024, 12, 31), datetime.date(2024, 12, 10), datetime.date(2027, 12, 31)),
        # Decided after the funding ended: three years from the decision's year.
        (datetime.date(2024, 12, 31), datetime.date(2026, 3, 2), datetime.date(2028, 12, 31)),
        # No end recorded (the ANCT list gives none): from the decision's year.
        (None, datetime.date(2026, 11, 30), datetime.date(2028, 12, 31)),
    ],
)
def test_the_new_end_of_funding_of_a_renewal(porteur, appel, fin_actuelle, decision, fin_nouvelle):
    candidature = services.candidature_create(user=porteur, appel=appel)  # no budget line
    cite = CiteEducative(nom="Exemple", fin_financement=fin_actuelle)
    assert fin_financement_renouvellement(candidature, cite=cite, date=decision) == fin_nouvelle
