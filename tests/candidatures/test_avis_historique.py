"""The région's opinion: the form says the porteur will read it, and the history tells it once."""

import pytest
from django.urls import reverse

from candidatures import instruction
from candidatures.models import JournalInstruction
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_instruction(deposee, agent_occitanie):
    instruction.candidature_take_charge(candidature=deposee, agent=agent_occitanie)
    helpers.evaluer_tout(candidature=deposee, agent=agent_occitanie)
    deposee.refresh_from_db()
    return deposee


def section(html: str, ident: str) -> str:
    debut = html.index(f'id="{ident}"')
    return html[debut : html.index("</section>", debut)]


def test_the_opinion_form_says_the_porteur_will_read_it(en_instruction, agent_occitanie, connecter):
    page = connecter(agent_occitanie).get(reverse("admin:candidatures_candidature_change", args=[en_instruction.pk]))
    html = page.content.decode()
    assert "Motifs de l&#x27;avis (obligatoire, lus par le porteur)" in html or (
        "Motifs de l'avis (obligatoire, lus par le porteur)" in html
    )
    assert 'aria-describedby="motif-avis-aide"' in html
    assert "dans le suivi de sa candidature" in html


def test_the_history_tells_the_opinion_once(en_instruction, agent_occitanie, connecter, porteur):
    instruction.candidature_give_opinion(
        candidature=en_instruction, agent=agent_occitanie, avis="favorable", motif="Troïka engagée, budget solide."
    )
    client = connecter(agent_occitanie)
    html = client.get(reverse("admin:candidatures_candidature_change", args=[en_instruction.pk])).content.decode()
    historique = section(html, "historique")
    assert historique.count("Troïka engagée, budget solide.") == 1
    assert "Avis favorable de la région : Troïka engagée, budget solide." in historique
    assert "Avis favorable : Troïka" not in historique
    assert not JournalInstruction.objects.filter(candidature=en_instruction, type="avis").exists()
    # The porteur reads it in their follow-up, as the form says.
    suivi = connecter(porteur).get(en_instruction.get_absolute_url()).content.decode()
    assert "Avis favorable de la région : Troïka engagée, budget solide." in suivi


def test_journal_rows_of_an_opinion_recorded_before_are_not_repeated(en_instruction, agent_occitanie, connecter):
    instruction.candidature_give_opinion(
        candidature=en_instruction, agent=agent_occitanie, avis="defavorable", motif="Pas de collège chef de file."
    )
    JournalInstruction.objects.create(  # as the opinion was recorded before this change
        candidature=en_instruction,
        auteur=agent_occitanie,
        type="avis",
        description="Avis défavorable : Pas de collège chef de file.",
    )
    html = (
        connecter(agent_occitanie)
        .get(reverse("admin:candidatures_candidature_change", args=[en_instruction.pk]))
        .content.decode()
    )
    assert section(html, "historique").count("Pas de collège chef de file.") == 1
