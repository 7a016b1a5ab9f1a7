"""The région's opinion waits for the assessment of the blocking criteria only: under the 2024 rules
the open call's REP/REP+ (10) and IPS (11) criteria are indicators, shown to agents, which they may
assess but need not. The historical calls keep every criterion to assess."""

import pytest
from django.urls import reverse

from candidatures import instruction
from candidatures.models import AppelAProjets, Etat
from candidatures.services import TransitionRefusee

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_instruction(deposee, agent_occitanie):
    instruction.candidature_take_charge(candidature=deposee, agent=agent_occitanie)
    deposee.refresh_from_db()
    return deposee


def evaluer(candidature, agent, numeros):
    criteres = candidature.appel.criteres.filter(numero__in=numeros)
    instruction.evaluations_save(
        candidature=candidature, agent=agent, saisies=[(c, "conforme", "Vu.") for c in criteres]
    )


def avis(candidature, agent):
    instruction.candidature_give_opinion(candidature=candidature, agent=agent, avis="favorable", motif="Projet solide.")


def test_the_open_call_has_two_indicators(appel):
    assert list(appel.criteres.filter(mode="indicateur").values_list("numero", flat=True)) == [10, 11]


def test_the_opinion_is_possible_with_the_blocking_criteria_assessed_and_the_indicators_not(
    en_instruction, agent_occitanie
):
    evaluer(en_instruction, agent_occitanie, [1, 2, 3, 4, 5, 6, 7, 8, 9])
    avis(en_instruction, agent_occitanie)
    en_instruction.refresh_from_db()
    assert (en_instruction.etat, en_instruction.avis_region) == (Etat.AVIS_EMIS, "favorable")
    assert en_instruction.evaluations.filter(critere__numero__in=[10, 11]).count() == 0


def test_a_missing_blocking_criterion_still_blocks_and_is_named(en_instruction, agent_occitanie):
    evaluer(en_instruction, agent_occitanie, [1, 2, 4, 5, 6, 7, 8, 9, 10, 11])
    with pytest.raises(TransitionRefusee) as refus:
        avis(en_instruction, agent_occitanie)
    assert (
        "Chaque critère doit être évalué avant l'avis, sauf les indicateurs (critères non évalués : 3)."
        in refus.value.problemes
    )
    en_instruction.refresh_from_db()
    assert (en_instruction.etat, en_instruction.avis_region) == (Etat.EN_INSTRUCTION, "")


def test_the_indicators_may_still_be_assessed(en_instruction, agent_occitanie):
    evaluer(en_instruction, agent_occitanie, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    avis(en_instruction, agent_occitanie)
    en_instruction.refresh_from_db()
    assert en_instruction.etat == Etat.AVIS_EMIS
    assert en_instruction.evaluations.filter(critere__numero__in=[10, 11]).count() == 2


def test_a_historical_call_keeps_every_criterion_to_assess(en_instruction, agent_occitanie):
    appel_2021 = AppelAProjets.objects.get(annee=2021)
    assert appel_2021.criteres.filter(mode="indicateur").count() == 0
    # Test set-up only: the same file under the 2021 call (closed, so it cannot be filed there today).
    en_instruction.appel = appel_2021
    en_instruction.save(update_fields=["appel"])
    evaluer(en_instruction, agent_occitanie, [1, 3, 4, 5, 6, 7, 8, 9])
    with pytest.raises(TransitionRefusee) as refus:
        avis(en_instruction, agent_occitanie)
    assert "(critères non évalués : 2)." in " ".join(refus.value.problemes)


def test_the_instruction_screen_counts_only_the_criteria_the_opinion_waits_for(
    en_instruction, agent_occitanie, connecter
):
    client = connecter(agent_occitanie)
    url = reverse("admin:candidatures_candidature_change", args=[en_instruction.pk])
    evaluer(en_instruction, agent_occitanie, [1, 2, 3, 4, 5, 6, 7, 8])
    html = client.get(url).content.decode()
    assert "Critères à évaluer avant l'avis : 8/9 évalués." in html
    assert "Les indicateurs (10, 11) sont montrés sans bloquer l'avis ; les évaluer est facultatif." in html
    assert "Critères encore à évaluer avant l'avis : 9." in html
    assert html.count("(indicateur : évaluation facultative, ne bloque pas l'avis)") == 2

    evaluer(en_instruction, agent_occitanie, [9])
    html = client.get(url).content.decode()
    assert "Critères à évaluer avant l'avis : 9/9 évalués." in html
    assert "Tous les critères à évaluer avant l'avis le sont." in html
    assert "Critères encore à évaluer" not in html
