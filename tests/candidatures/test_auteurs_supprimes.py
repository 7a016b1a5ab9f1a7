"""Deleted or anonymised authors: every screen that names an author says « compte supprimé »,
never a 500 (`auteur` is SET_NULL on every record of the instruction)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidatures.models import (
    Candidature,
    Etat,
    EvaluationCritere,
    EvenementCandidature,
    JournalInstruction,
    MessageCandidature,
    NoteAgent,
)

pytestmark = pytest.mark.django_db

ETATS_VUS_PAR_LES_AGENTS = [
    "deposee",
    "en_instruction",
    "complements_demandes",
    "avis_emis",
    "labellisee",
    "refusee",
    "retiree",
    "classee_sans_suite",
]


@pytest.fixture
def une_par_etat():
    """One generated candidature per state, every author of its records deleted (NULL)."""
    call_command("generer_candidatures", nombre=60, graine=3, stdout=io.StringIO())
    choisies = {}
    for candidature in Candidature.objects.order_by("pk"):
        choisies.setdefault(candidature.etat, candidature)
    assert sorted(choisies) == sorted(Etat.values)
    for candidature in choisies.values():
        NoteAgent.objects.create(candidature=candidature, auteur=None, texte="Note d'un agent parti.")
        MessageCandidature.objects.create(candidature=candidature, auteur=None, de_agent=False, texte="Bonjour.")
        MessageCandidature.objects.create(candidature=candidature, auteur=None, de_agent=True, texte="Réponse.")
        JournalInstruction.objects.create(
            candidature=candidature, auteur=None, type=JournalInstruction.Type.ATTRIBUTION, description="Confiée."
        )
        critere = candidature.appel.criteres.order_by("numero").first()
        EvaluationCritere.objects.create(candidature=candidature, critere=critere, appreciation="conforme", agent=None)
    EvenementCandidature.objects.update(auteur=None)
    Candidature.objects.update(instructeur=None, cree_par=None)
    return choisies


@pytest.mark.parametrize("etat", ETATS_VUS_PAR_LES_AGENTS)
def test_the_instruction_screen_of_every_state_names_deleted_authors(etat, une_par_etat, agent_national, connecter):
    candidature = une_par_etat[etat]
    response = connecter(agent_national).get(reverse("admin:candidatures_candidature_change", args=[candidature.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "compte supprimé" in page
    # The timeline names the deleted author of each change of state.
    historique = page[page.index('id="historique"') :]
    assert historique.count("compte supprimé") >= Candidature.objects.get(pk=candidature.pk).evenements.count()


@pytest.mark.parametrize("etat", ["brouillon", *ETATS_VUS_PAR_LES_AGENTS])
def test_the_porteurs_page_of_every_state_names_deleted_authors(etat, une_par_etat, client):
    from candidatures.models import ProfilPorteur

    candidature = une_par_etat[etat]
    porteur = ProfilPorteur.objects.filter(collectivite_id=candidature.collectivite_id).first().user
    client.force_login(porteur)
    response = client.get(reverse("candidatures:detail", args=[candidature.pk]))
    assert response.status_code == 200
    assert "par compte supprimé" in response.content.decode()


def test_the_csv_export_names_no_deleted_author(une_par_etat, agent_national, connecter):
    response = connecter(agent_national).get(reverse("admin:candidatures_candidature_export_csv"))
    assert response.status_code == 200
    contenu = b"".join(response.streaming_content).decode("utf-8-sig")
    assert contenu.count("\r\n") == Candidature.objects.exclude(etat="brouillon").count() + 1
