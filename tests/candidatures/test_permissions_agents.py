"""Roles in the back office: every transition × every role through the screens people use, the
scope by région (404 for anything out of it), and what the admin shows each role."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from candidatures import services
from candidatures.models import Candidature, Etat, EvenementCandidature, Export, ProfilPorteur
from candidatures.services import TransitionRefusee
from candidatures.workflow.transitions import TRANSITIONS
from cites.models import CiteEducative, Suggestion
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

ROLES = ["porteur", "agent_region", "agent_autre_region", "agent_national"]

# DESIGN.md §4, written out by hand for a candidature of Toulouse (Occitanie): for each
# transition (from, to), the people who may take it. Nothing here is read from
# candidatures.workflow, the table under test.
PERMIS = {
    ("brouillon", "deposee"): {"porteur"},
    ("deposee", "en_instruction"): {"agent_region", "agent_national"},
    ("en_instruction", "complements_demandes"): {"agent_region", "agent_national"},
    ("complements_demandes", "en_instruction"): {"porteur"},
    ("en_instruction", "avis_emis"): {"agent_region"},
    ("avis_emis", "labellisee"): {"agent_national"},
    ("avis_emis", "refusee"): {"agent_national"},
    ("brouillon", "retiree"): {"porteur"},
    ("deposee", "retiree"): {"porteur"},
    ("en_instruction", "retiree"): {"porteur"},
    ("complements_demandes", "retiree"): {"porteur"},
    ("avis_emis", "retiree"): {"porteur"},
    ("deposee", "classee_sans_suite"): {"agent_national"},
    ("en_instruction", "classee_sans_suite"): {"agent_national"},
    ("complements_demandes", "classee_sans_suite"): {"agent_national"},
    ("avis_emis", "classee_sans_suite"): {"agent_national"},
}
# Moves nobody may make: skipping a step, going back, leaving a final state.
INTERDITES = [
    ("brouillon", "en_instruction"),
    ("deposee", "labellisee"),
    ("deposee", "avis_emis"),
    ("en_instruction", "labellisee"),
    ("complements_demandes", "avis_emis"),
    ("avis_emis", "en_instruction"),
    ("labellisee", "retiree"),
    ("refusee", "en_instruction"),
    ("retiree", "deposee"),
    ("classee_sans_suite", "en_instruction"),
]


def test_the_workflow_table_has_exactly_the_transitions_written_here():
    assert set(TRANSITIONS) == set(PERMIS)


def _instruction_url(candidature) -> str:
    return reverse("admin:candidatures_candidature_change", args=[candidature.pk])


def _preparer(*, source, cible, porteur, appel, agent):
    candidature = helpers.candidature_complete(user=porteur, appel=appel)
    if source != Etat.BROUILLON:
        helpers.placer(candidature, source)
    if (source, cible) == (Etat.EN_INSTRUCTION, Etat.AVIS_EMIS):
        helpers.evaluer_tout(candidature=candidature, agent=agent)
    return candidature


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("source,cible", sorted(PERMIS) + INTERDITES)
def test_every_transition_for_every_role(
    source,
    cible,
    role,
    porteur,
    appel,
    agent_occitanie,
    agent_ara,
    agent_national,
    client,
    django_capture_on_commit_callbacks,
):
    """Agents act on the instruction screen, porteurs through the services of their pages; the
    expected answer comes from PERMIS, written from DESIGN.md §4."""
    candidature = _preparer(source=source, cible=cible, porteur=porteur, appel=appel, agent=agent_occitanie)
    acteurs = {
        "porteur": porteur,
        "agent_region": agent_occitanie,
        "agent_autre_region": agent_ara,
        "agent_national": agent_national,
    }
    acteur = acteurs[role]
    permis = role in PERMIS.get((source, cible), set())
    avant = EvenementCandidature.objects.filter(candidature=candidature).count()
    dernier = candidature.evenements.order_by("-pk").first()

    with django_capture_on_commit_callbacks(execute=True):
        if role == "porteur":
            try:
                services.candidature_transition(
                    candidature=candidature, to=cible, actor=acteur, message="Motifs écrits."
                )
                refus = None
            except TransitionRefusee as exc:
                refus = exc.message
        else:
            client.force_login(acteur)
            donnees = {"action": "transition", "cible": cible, "message": "Motifs écrits.", "evenement_vu": dernier.pk}
            if cible == Etat.AVIS_EMIS:
                donnees |= {"avis": "favorable", "motif": "Projet solide."}
            if cible == Etat.LABELLISEE:
                donnees |= {"cite_choix": "nouvelle"}
            response = client.post(_instruction_url(candidature), donnees)
            refus = None if response.status_code == 302 else response.status_code

    candidature.refresh_from_db()
    if permis:
        assert refus is None
        assert candidature.etat == cible
        nouveau = candidature.evenements.order_by("-pk").first()
        assert (nouveau.etat_avant, nouveau.etat_apres, nouveau.auteur) == (source, cible, acteur)
    else:
        assert refus is not None
        pourquoi = "réservé à" if (source, cible) in PERMIS else "ne peut pas passer à"
        if role == "porteur":
            assert pourquoi in refus
        elif role == "agent_autre_region" or (role != "porteur" and source == Etat.BROUILLON):
            assert refus == 404  # out of their scope: they do not even see it
        elif role != "porteur":
            assert refus == 409
            assert pourquoi in response.content.decode()  # a French sentence saying why
        assert candidature.etat == source
        assert EvenementCandidature.objects.filter(candidature=candidature).count() == avant


# --- Scope by région: 404 everywhere ---------------------------------------------------------


def test_a_regional_agent_of_ara_gets_404_on_an_occitanie_candidature(
    deposee, agent_ara, connecter, django_capture_on_commit_callbacks
):
    client = connecter(agent_ara)
    liste = client.get(reverse("admin:candidatures_candidature_changelist"))
    assert liste.status_code == 200
    assert list(liste.context["cl"].result_list) == []
    assert deposee.reference not in liste.content.decode()
    recherche = client.get(reverse("admin:candidatures_candidature_changelist"), {"q": deposee.reference})
    assert list(recherche.context["cl"].result_list) == []
    assert client.get(_instruction_url(deposee)).status_code == 404
    assert client.post(_instruction_url(deposee), {"action": "note", "texte": "x"}).status_code == 404
    assert client.get(reverse("admin:candidatures_candidature_history", args=[deposee.pk])).status_code == 404
    piece = deposee.pieces.get()
    assert client.get(reverse("candidatures:piece", kwargs={"pk": deposee.pk, "piece_pk": piece.pk})).status_code == 404
    assert client.get(reverse("candidatures:recepisse", kwargs={"pk": deposee.pk})).status_code == 404
    export = client.get(reverse("admin:candidatures_candidature_export_csv"))
    lignes = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert len(lignes) == 1  # the header alone
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("admin:candidatures_candidature_export_xlsx")).status_code == 302
    export = Export.objects.get(agent=agent_ara)
    telechargement = client.get(reverse("admin:candidatures_candidature_export_telecharger", args=[export.pk]))
    classeur = openpyxl.load_workbook(io.BytesIO(b"".join(telechargement.streaming_content)))
    assert [ligne[0] for ligne in classeur.active.iter_rows(values_only=True)] == ["Référence"]
    # Bulk actions ignore what is out of scope.
    client.post(
        reverse("admin:candidatures_candidature_changelist"),
        {"action": "prendre_en_charge", "_selected_action": [deposee.pk]},
    )
    assert Candidature.objects.get(pk=deposee.pk).etat == Etat.DEPOSEE


def test_the_agent_of_the_region_sees_it_all(deposee, agent_occitanie, connecter):
    client = connecter(agent_occitanie)
    assert client.get(_instruction_url(deposee)).status_code == 200
    piece = deposee.pieces.get()
    telechargement = client.get(reverse("candidatures:piece", kwargs={"pk": deposee.pk, "piece_pk": piece.pk}))
    assert telechargement.status_code == 200
    assert b"".join(telechargement.streaming_content).startswith(b"%PDF-")


def test_accounts_and_collectivites_of_another_region_answer_404(porteur, porteur_lyon, agent_ara, connecter):
    client = connecter(agent_ara)
    toulouse = ProfilPorteur.objects.get(user=porteur)
    lyon = ProfilPorteur.objects.get(user=porteur_lyon)
    liste = client.get(reverse("admin:candidatures_profilporteur_changelist"))
    assert porteur_lyon.email in liste.content.decode() and porteur.email not in liste.content.decode()
    assert client.get(reverse("admin:candidatures_profilporteur_change", args=[toulouse.pk])).status_code == 404
    assert client.get(reverse("admin:candidatures_profilporteur_change", args=[lyon.pk])).status_code == 200
    assert (
        client.get(reverse("admin:candidatures_collectivite_change", args=[toulouse.collectivite_id])).status_code
        == 404
    )
    assert client.get(reverse("admin:candidatures_profilporteur_history", args=[toulouse.pk])).status_code == 404


def test_suggestions_are_scoped_by_region(agent_ara, agent_national, connecter):
    toulouse = CiteEducative.objects.filter(communes__code="31555").first()
    lyon = CiteEducative.objects.filter(communes__departement__region__code="84").first()
    en_occitanie = Suggestion.objects.create(cite=toulouse, champ="nom", message="Le nom a changé.")
    en_ara = Suggestion.objects.create(cite=lyon, champ="contact", message="Nouveau contact.")
    client = connecter(agent_ara)
    liste = client.get(reverse("admin:cites_suggestion_changelist"))
    assert list(liste.context["cl"].result_list) == [en_ara]
    assert client.get(reverse("admin:cites_suggestion_change", args=[en_occitanie.pk])).status_code == 404
    assert client.get(reverse("admin:cites_suggestion_change", args=[en_ara.pk])).status_code == 200
    national = connecter(agent_national).get(reverse("admin:cites_suggestion_changelist"))
    assert set(national.context["cl"].result_list) == {en_ara, en_occitanie}


# --- What the admin shows each role ----------------------------------------------------------


def _modeles(client) -> set[str]:
    return {m["object_name"] for app in client.get(reverse("admin:index")).context["app_list"] for m in app["models"]}


def test_each_role_sees_what_it_may_use(agent_occitanie, agent_national, porteur, client, django_user_model):
    client.force_login(agent_occitanie)
    regional = _modeles(client)
    # The cités of their région, to record what follows the label (read-only otherwise).
    assert {"Candidature", "ProfilPorteur", "Collectivite", "Suggestion", "CiteEducative"} <= regional
    assert not regional & {"Commune", "ProfilAgent", "NoteAgent", "Partenaire", "EvenementLabel"}
    assert client.get(reverse("admin:cites_commune_changelist")).status_code == 403
    assert client.get(reverse("admin:candidatures_appelaprojets_add")).status_code == 403

    client.force_login(agent_national)
    national = _modeles(client)
    assert {"Candidature", "ProfilPorteur", "Suggestion", "AppelAProjets", "CiteEducative", "Commune"} <= national
    assert "ProfilAgent" not in national  # managing agents is the superusers' job
    assert client.get(reverse("admin:candidatures_appelaprojets_add")).status_code == 200
    assert client.get(reverse("admin:cites_commune_add")).status_code == 403  # reference data: read-only

    superuser = django_user_model.objects.create_superuser("admin@anct.gouv.fr", "admin@anct.gouv.fr", "x")
    client.force_login(superuser)
    assert {"ProfilAgent", "NoteAgent", "Candidature"} <= _modeles(client)

    client.force_login(porteur)  # porteurs are not staff
    assert client.get(reverse("admin:candidatures_candidature_changelist")).status_code == 302


def test_nobody_edits_the_content_of_a_candidature_in_the_admin(deposee, agent_national, connecter):
    client = connecter(agent_national)
    html = client.get(_instruction_url(deposee)).content.decode()
    assert 'name="titre"' not in html and 'name="diagnostic"' not in html
    assert client.get(reverse("admin:candidatures_candidature_add")).status_code == 403
    assert client.get(reverse("admin:candidatures_candidature_delete", args=[deposee.pk])).status_code == 403
