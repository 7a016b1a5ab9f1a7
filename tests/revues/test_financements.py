"""A revue accepted by the ANCT feeds the cité's money of its year (issue 13: « amounts spent
(entered by agents, or taken from the revue's financial section) »): the amounts answered to the
questions tied to a money field fill only what no agent has entered, and it is said in the revue's
history, the public comment and the cité's history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cites.models import CiteEducative, FinancementAnnuel
from revues import services
from revues.models import Etat, Question, Revue
from revues.workflow import ANCT, REFERENT, REGION, TROIKA, revue_transition
from tests.revues.conftest import reponses_valides

pytestmark = pytest.mark.django_db


def revue_vue_par_la_region(cite, personnes, questionnaire, agents, **reponses) -> Revue:
    """A revue filled (the valid answers, changed by `reponses`: libellé → text), transmitted,
    validated by the troïka and passed on by the région: the ANCT's turn."""
    revue = Revue.objects.create(cite=cite, questionnaire=questionnaire)
    donnees = reponses_valides(questionnaire)
    for libelle, texte in reponses.items():
        donnees[f"q{Question.objects.get(section__questionnaire=questionnaire, libelle=libelle).pk}"] = texte
    services.reponses_save(revue=revue, user=personnes["referent"], donnees=donnees)
    revue_transition(revue=revue, cible=Etat.TRANSMISE, actor=personnes["referent"], roles={REFERENT})
    revue_transition(revue=revue, cible=Etat.VALIDEE, actor=personnes["troika_prefecture"], roles={TROIKA})
    revue_transition(revue=revue, cible=Etat.VUE_REGION, actor=agents["occitanie"], roles={REGION})
    return revue


def accepter(client, agent, revue):
    client.force_login(agent)
    response = client.post(reverse("revues:detail", args=[revue.pk]), {"action": "transition", "cible": "acceptee"})
    assert response.status_code == 302
    revue.refresh_from_db()
    assert revue.etat == Etat.ACCEPTEE


def test_the_2026_questionnaire_ties_its_three_amounts_to_the_money_of_the_cite(questionnaire):
    liens = dict(
        Question.objects.filter(section__questionnaire=questionnaire)
        .exclude(financement="")
        .values_list("libelle", "financement")
    )
    assert liens == {
        "Dotation de l'État reçue": "dotation_etat",
        "Cofinancement de la collectivité": "cofinancement",
        "Montant dépensé": "depenses",
    }


def test_accepting_a_revue_fills_the_amounts_no_agent_entered_and_keeps_theirs(
    client, cite, personnes, questionnaire, agents
):
    financement = FinancementAnnuel.objects.create(
        cite=cite,
        annee=2026,
        cofinancement=Decimal("380000"),
        commentaire="Arrêté préfectoral du 3 mars 2026.",
        modifie_par=agents["occitanie"],
    )
    revue = revue_vue_par_la_region(cite, personnes, questionnaire, agents)
    accepter(client, agents["anct"], revue)

    financement.refresh_from_db()
    assert (
        financement.dotation_etat,
        financement.fonds_cite,
        financement.cofinancement,
        financement.autres,
        financement.depenses,
    ) == (Decimal("425000"), Decimal("0"), Decimal("380000"), Decimal("0"), Decimal("700000"))
    assert financement.commentaire == (
        "Arrêté préfectoral du 3 mars 2026.\n"
        "Dotation de l'État (programme 147), dépenses réalisées : d'après la revue de projet 2026 acceptée par "
        "l'ANCT."
    )
    assert financement.modifie_par == agents["anct"]
    # The revue's history says what was taken and what was kept.
    assert revue.evenements.last().message == (
        "Financements 2026 de la cité complétés d'après la revue : "
        "dotation de l'État (programme 147) : 425\u202f000\u202f€ ; dépenses réalisées : 700\u202f000\u202f€.\n\n"
        "Non repris, déjà saisis par un agent : cofinancement de la collectivité : 380\u202f000\u202f€ gardé "
        "(revue : 400\u202f000,50\u202f€)."
    )
    page = client.get(reverse("revues:detail", args=[revue.pk])).content.decode()
    assert "Non repris, déjà saisis par un agent" in page
    # The cité's history.
    derniere = CiteEducative.history.filter(id=cite.pk).latest("history_date")
    assert derniere.history_change_reason == (
        "Financements 2026 complétés d'après la revue de projet 2026 acceptée par l'ANCT"
    )
    assert derniere.history_user == agents["anct"]


def test_a_cite_without_money_for_the_year_gets_the_three_amounts(client, cite, personnes, questionnaire, agents):
    revue = revue_vue_par_la_region(cite, personnes, questionnaire, agents, **{"Montant dépensé": "0"})
    FinancementAnnuel.objects.create(cite=cite, annee=2025, dotation_etat=Decimal("410000"))
    accepter(client, agents["anct"], revue)
    lignes = list(
        FinancementAnnuel.objects.filter(cite=cite)
        .order_by("annee")
        .values_list("annee", "dotation_etat", "cofinancement", "depenses", "commentaire")
    )
    assert lignes == [
        (2025, Decimal("410000"), Decimal("0"), None, ""),
        (
            2026,
            Decimal("425000"),
            Decimal("400000.50"),
            Decimal("0"),
            "Dotation de l'État (programme 147), cofinancement de la collectivité, dépenses réalisées : d'après la "
            "revue de projet 2026 acceptée par l'ANCT.",
        ),
    ]


def test_depenses_entered_as_zero_by_an_agent_are_theirs(client, cite, personnes, questionnaire, agents):
    FinancementAnnuel.objects.create(cite=cite, annee=2026, dotation_etat=Decimal("425000"), depenses=Decimal("0"))
    revue = revue_vue_par_la_region(cite, personnes, questionnaire, agents)
    accepter(client, agents["anct"], revue)
    financement = FinancementAnnuel.objects.get(cite=cite, annee=2026)
    assert (financement.dotation_etat, financement.cofinancement, financement.depenses) == (
        Decimal("425000"),
        Decimal("400000.50"),
        Decimal("0"),
    )
    assert revue.evenements.last().message.endswith(
        "Non repris, déjà saisis par un agent : dotation de l'État (programme 147) : 425\u202f000\u202f€ gardé "
        "(revue : 425\u202f000\u202f€) ; dépenses réalisées : 0\u202f€ gardé (revue : 700\u202f000\u202f€)."
    )


def test_nothing_is_written_before_the_anct_accepts_nor_from_untied_questions(
    client, cite, personnes, questionnaire, agents
):
    Question.objects.filter(section__questionnaire=questionnaire, financement="cofinancement").update(financement="")
    revue = revue_vue_par_la_region(cite, personnes, questionnaire, agents)
    assert not FinancementAnnuel.objects.exists()  # troïka and région: nothing yet
    # Sent back then accepted another time: still only the tied amounts.
    revue_transition(revue=revue, cible=Etat.RENVOYEE, actor=agents["anct"], roles={ANCT}, message="Précisez.")
    assert not FinancementAnnuel.objects.exists()
    revue_transition(revue=revue, cible=Etat.TRANSMISE, actor=personnes["referent"], roles={REFERENT})
    revue_transition(revue=revue, cible=Etat.VALIDEE, actor=personnes["troika_prefecture"], roles={TROIKA})
    revue_transition(revue=revue, cible=Etat.VUE_REGION, actor=agents["occitanie"], roles={REGION})
    accepter(client, agents["anct"], revue)
    financement = FinancementAnnuel.objects.get(cite=cite, annee=2026)
    assert (financement.dotation_etat, financement.cofinancement, financement.depenses) == (
        Decimal("425000"),
        Decimal("0"),
        Decimal("700000"),
    )


def test_only_an_amount_question_is_tied_and_once_per_questionnaire(questionnaire):
    texte = Question.objects.get(section__questionnaire=questionnaire, libelle="Principaux supports de communication")
    texte.financement = "autres"
    with pytest.raises(ValidationError) as erreur:
        texte.full_clean()
    assert erreur.value.message_dict == {
        "financement": ["Seule une question de type montant peut compléter les financements."]
    }
    cofinancement = Question.objects.get(
        section__questionnaire=questionnaire, libelle="Cofinancement de la collectivité"
    )
    cofinancement.financement = "dotation_etat"
    with pytest.raises(ValidationError) as erreur:
        cofinancement.full_clean()
    assert erreur.value.message_dict == {
        "financement": [
            "« Dotation de l'État reçue » complète déjà ce montant (dotation de l'État (programme 147)) : "
            "une seule question par montant."
        ]
    }


def test_a_national_agent_ties_a_question_in_the_admin(client, questionnaire, agents):
    section = questionnaire.sections.get(titre="Gestion financière")
    client.force_login(agents["anct"])
    page = client.get(reverse("admin:revues_section_change", args=[section.pk])).content.decode()
    assert 'name="questions-0-financement"' in page
    assert "Reporté dans les financements de la cité" in page
