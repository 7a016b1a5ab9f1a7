"""The figures of the instruction on the public statistics page (an extension of cites' page,
aggregates only), issue 14."""

import datetime
import html

import pytest
from django.urls import reverse

from candidatures.models import Etat, EvenementCandidature
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_no_instruction_section_while_nothing_was_filed(client):
    assert "Les candidatures déposées sur le portail" not in text_of(client.get(reverse("cites:statistiques")))


def test_filed_labelled_refused_per_call_and_region_with_the_median_time_to_decision(client, porteur, appel):
    candidatures = helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=3, prefixe="STAT")
    refusee, labellisee, _en_cours = candidatures
    for candidature, etat, jours in ((refusee, Etat.REFUSEE, 10), (labellisee, Etat.LABELLISEE, 20)):
        depot = EvenementCandidature.objects.get(candidature=candidature, etat_apres=Etat.DEPOSEE)
        decision = EvenementCandidature.objects.create(
            candidature=candidature, etat_avant=Etat.AVIS_EMIS, etat_apres=etat
        )
        EvenementCandidature.objects.filter(pk=decision.pk).update(date=depot.date + datetime.timedelta(days=jours))
        candidature.__class__.objects.filter(pk=candidature.pk).update(etat=etat)
    brouillon = helpers.candidature_complete(user=porteur, appel=appel)  # a draft is not "filed"
    assert brouillon.reference is None

    page = text_of(client.get(reverse("cites:statistiques")))

    assert (
        "3 candidatures déposées, 1 labellisée, 1 refusée ; "
        "délai médian entre le premier dépôt et la décision : 15 jours." in page
    )
    assert f"{appel.titre} : 3 déposées, 1 labellisée" in page
    assert '<tr><th scope="row">Occitanie</th><td>3</td><td>1</td><td>1</td></tr>' in page
    assert "porteur@toulouse.fr" not in page and "Toulouse" not in page.split('id="instruction"')[1]
