"""Services of the filing: creation, steps, deposit, the transition table, automatic checks."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from candidatures import selectors, services
from candidatures.models import (
    AppelAProjets,
    Candidature,
    CompteurReference,
    Critere,
    Etat,
    EvaluationCritere,
    EvenementCandidature,
)
from candidatures.services import TransitionRefusee
from candidatures.workflow.transitions import TRANSITIONS
from cites.models import Commune
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


def deposer(candidature, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.candidature_submit(candidature=candidature, actor=user)


def test_deposit_gives_a_reference_a_receipt_and_an_acknowledgement(
    candidature, porteur, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    deposer(candidature, porteur, django_capture_on_commit_callbacks)
    candidature.refresh_from_db()
    annee = timezone.localtime().year
    assert candidature.etat == Etat.DEPOSEE
    assert candidature.reference == f"CE-{annee}-0001"
    assert candidature.depose_le is not None
    with candidature.recepisse.open("rb") as f:
        pdf = f.read()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 2000
    evenement = candidature.evenements.last()
    assert (evenement.etat_avant, evenement.etat_apres, evenement.auteur) == ("brouillon", "deposee", porteur)
    accuse = [m for m in mail.outbox if porteur.email in m.to]
    assert len(accuse) == 1
    assert candidature.reference in accuse[0].subject
    assert f"/candidatures/{candidature.pk}/" in accuse[0].body


def test_double_submission_makes_one_deposit(candidature, porteur, django_capture_on_commit_callbacks):
    premiere = Candidature.objects.get(pk=candidature.pk)
    seconde = Candidature.objects.get(pk=candidature.pk)  # the second click holds a stale copy
    deposer(premiere, porteur, django_capture_on_commit_callbacks)
    with pytest.raises(TransitionRefusee, match="déjà « déposée »"):
        deposer(seconde, porteur, django_capture_on_commit_callbacks)
    assert CompteurReference.objects.get().dernier == 1
    assert candidature.evenements.filter(etat_apres=Etat.DEPOSEE).count() == 1


def test_references_follow_each_other(porteur, appel, django_capture_on_commit_callbacks):
    references = []
    for _ in range(2):
        c = helpers.candidature_complete(user=porteur, appel=appel)
        references.append(deposer(c, porteur, django_capture_on_commit_callbacks).reference)
    assert [r.rsplit("-", 1)[1] for r in references] == ["0001", "0002"]


def test_submission_outside_the_call_dates_is_refused(candidature, porteur, django_capture_on_commit_callbacks):
    appel = AppelAProjets.objects.get(annee=2019)
    Candidature.objects.filter(pk=candidature.pk).update(appel=appel)
    candidature.refresh_from_db()
    with pytest.raises(TransitionRefusee) as refus:
        deposer(candidature, porteur, django_capture_on_commit_callbacks)
    assert "n'est pas ouvert aux dépôts" in str(refus.value)
    candidature.refresh_from_db()
    assert candidature.etat == Etat.BROUILLON
    assert candidature.reference is None
    assert not candidature.evenements.filter(etat_apres=Etat.DEPOSEE).exists()


def test_a_call_opens_and_closes_on_its_dates():
    now = timezone.now()
    appel = AppelAProjets(
        date_ouverture=now - datetime.timedelta(days=1), date_cloture=now + datetime.timedelta(days=1)
    )
    assert selectors.appel_est_ouvert(appel=appel)
    assert not selectors.appel_est_ouvert(appel=appel, now=now + datetime.timedelta(days=2))
    assert not selectors.appel_est_ouvert(appel=appel, now=now - datetime.timedelta(days=2))


def test_creating_on_a_closed_call_is_refused(porteur):
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        services.candidature_create(user=porteur, appel=AppelAProjets.objects.get(annee=2019))


def test_an_incomplete_candidature_cannot_be_filed(porteur, appel, django_capture_on_commit_callbacks):
    candidature = services.candidature_create(user=porteur, appel=appel)
    with pytest.raises(TransitionRefusee) as refus:
        deposer(candidature, porteur, django_capture_on_commit_callbacks)
    problemes = " ".join(refus.value.problemes)
    assert "Nom du projet : à compléter" in problemes
    assert "Critère 8 — Au moins une ligne de budget : à compléter" in problemes
    assert Candidature.objects.get(pk=candidature.pk).etat == Etat.BROUILLON


def test_a_porteur_waiting_for_validation_cannot_file(db, appel):
    user = helpers.porteur(email="attente@toulouse.fr", commune="31555", valide=False)
    with pytest.raises(ValidationError, match="validé par un agent"):
        services.candidature_create(user=user, appel=appel)


def test_automatic_checks_give_their_reasons(porteur, appel):
    candidature = helpers.candidature_complete(user=porteur, appel=appel, qpv="QN03107M", rep_plus=2)
    bilan = selectors.candidature_bilan(candidature=candidature)
    par_numero = {b.critere.numero: b for b in bilan.criteres}
    assert par_numero[1].verification.statut == "conforme"
    assert par_numero[1].verification.motifs == ["QPV QN03107M (Grand Mirail) sur la commune de Toulouse"]
    assert par_numero[2].verification.statut == "conforme"
    assert par_numero[2].verification.motifs == ["collège chef de file : Collège George Sand (0310086A)"]
    # REP/REP+ is an indicator of the open call (2024 rules): still said, never blocking.
    assert par_numero[10].verification.indicateur
    assert par_numero[10].verification.motifs[0] == "2 écoles REP+"
    assert "1 collège REP+" in par_numero[10].verification.motifs
    assert bilan.complet and bilan.eligible


def test_a_commune_without_reference_data_does_not_block(db, appel, django_capture_on_commit_callbacks):
    # Rennes: QPV imported, but no annuaire de l'éducation for Ille-et-Vilaine.
    user = helpers.porteur(email="porteur@rennes.fr", commune="35238")
    candidature = helpers.candidature_complete(user=user, appel=appel)
    bilan = selectors.candidature_bilan(candidature=candidature)
    chef_de_file = next(b for b in bilan.criteres if b.critere.numero == 2)
    assert chef_de_file.verification.statut == "donnees_absentes"
    assert chef_de_file.verification.motifs == [
        "collège chef de file hors annuaire : « Collège Jean Moulin (0310000A) », à apprécier par un agent"
    ]
    rep = next(b for b in bilan.criteres if b.critere.numero == 10)
    assert rep.verification.statut == "donnees_absentes"
    assert rep.verification.motifs == ["données de référence absentes pour cette commune (Rennes)"]
    assert bilan.eligible
    deposer(candidature, user, django_capture_on_commit_callbacks)
    assert Candidature.objects.get(pk=candidature.pk).etat == Etat.DEPOSEE


def test_a_territory_without_qpv_is_not_eligible(db, appel):
    user = helpers.porteur(email="porteur@balma.fr", commune="31044")  # Balma: no QPV
    candidature = services.candidature_create(user=user, appel=appel)
    helpers.remplir(candidature=candidature, user=user)
    bilan = selectors.candidature_bilan(candidature=candidature)
    assert not bilan.eligible
    assert "aucun QPV 2024 sur la commune de Balma" in " ".join(bilan.problemes_eligibilite)


# --- The transition table -------------------------------------------------------------------


def _placer(candidature, etat):
    # Test set-up only: the application never writes the state field outside candidature_transition.
    Candidature.objects.filter(pk=candidature.pk).update(etat=etat, reference="CE-2026-0999", depose_le=timezone.now())
    candidature.refresh_from_db()


def _evaluer_tout(candidature, agent):
    for critere in candidature.appel.criteres.all():
        EvaluationCritere.objects.create(candidature=candidature, critere=critere, appreciation="conforme", agent=agent)
    Candidature.objects.filter(pk=candidature.pk).update(avis_region="favorable")


@pytest.mark.parametrize("source", Etat.values)
@pytest.mark.parametrize("cible", Etat.values)
def test_every_pair_of_states_follows_the_table(
    source, cible, porteur, appel, agent_occitanie, agent_national, django_capture_on_commit_callbacks
):
    candidature = services.candidature_create(user=porteur, appel=appel)
    if (source, cible) in {(Etat.BROUILLON, Etat.DEPOSEE), (Etat.COMPLEMENTS_DEMANDES, Etat.EN_INSTRUCTION)}:
        helpers.remplir(candidature=candidature, user=porteur)  # these need a complete candidature
    if source != Etat.BROUILLON:
        _placer(candidature, source)
    if (source, cible) == (Etat.EN_INSTRUCTION, Etat.AVIS_EMIS):
        _evaluer_tout(candidature, agent_occitanie)
    transition = TRANSITIONS.get((source, cible))
    acteurs = {"porteur": porteur, "agent_regional": agent_occitanie, "agent_national": agent_national}
    for role, acteur in acteurs.items():
        avant = EvenementCandidature.objects.filter(candidature=candidature).count()
        permis = transition is not None and role in transition.roles
        if permis:
            with django_capture_on_commit_callbacks(execute=True):
                services.candidature_transition(
                    candidature=candidature, to=cible, actor=acteur, message="Motifs écrits."
                )
            candidature.refresh_from_db()
            assert candidature.etat == cible
            dernier = candidature.evenements.order_by("-pk").first()
            assert (dernier.etat_avant, dernier.etat_apres, dernier.auteur) == (source, cible, acteur)
            return
        with pytest.raises(TransitionRefusee) as refus:
            services.candidature_transition(candidature=candidature, to=cible, actor=acteur, message="Motifs écrits.")
        assert refus.value.message  # a sentence in French saying why
        candidature.refresh_from_db()
        assert candidature.etat == source
        assert EvenementCandidature.objects.filter(candidature=candidature).count() == avant


def test_an_agent_of_another_region_cannot_take_charge(candidature, porteur, agent_ara):
    _placer(candidature, Etat.DEPOSEE)
    with pytest.raises(TransitionRefusee, match="réservé à un agent"):
        services.candidature_transition(candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent_ara)


def test_a_request_for_more_information_needs_a_message(candidature, agent_occitanie):
    _placer(candidature, Etat.EN_INSTRUCTION)
    with pytest.raises(TransitionRefusee, match="demande un message"):
        services.candidature_transition(candidature=candidature, to=Etat.COMPLEMENTS_DEMANDES, actor=agent_occitanie)


def test_the_opinion_needs_every_criterion_assessed(candidature, agent_occitanie):
    _placer(candidature, Etat.EN_INSTRUCTION)
    with pytest.raises(TransitionRefusee) as refus:
        services.candidature_transition(candidature=candidature, to=Etat.AVIS_EMIS, actor=agent_occitanie)
    assert "(critères non évalués : 1, 2, 3, 4, 5, 6, 7, 8, 9)." in " ".join(refus.value.problemes)


def test_more_information_then_resubmission(candidature, porteur, agent_occitanie, django_capture_on_commit_callbacks):
    deposer(candidature, porteur, django_capture_on_commit_callbacks)
    services.candidature_transition(candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent_occitanie)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.candidature_transition(
            candidature=candidature,
            to=Etat.COMPLEMENTS_DEMANDES,
            actor=agent_occitanie,
            message="Joignez la lettre d'engagement du rectorat.",
        )
    demande = [m for m in mail.outbox if porteur.email in m.to]
    assert "Joignez la lettre d'engagement du rectorat." in demande[0].body
    # The porteur edits what is asked, then files again.
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.piece_add(
        candidature=candidature, user=porteur, type="lettre", fichier=SimpleUploadedFile("lettre.docx", helpers.DOCX)
    )
    reference = candidature.reference
    deposer(candidature, porteur, django_capture_on_commit_callbacks)
    candidature.refresh_from_db()
    assert candidature.etat == Etat.EN_INSTRUCTION
    assert candidature.reference == reference
    assert list(candidature.evenements.values_list("etat_apres", flat=True)) == [
        "brouillon",
        "deposee",
        "en_instruction",
        "complements_demandes",
        "en_instruction",
    ]


def test_a_filed_candidature_cannot_be_edited(candidature, porteur, django_capture_on_commit_callbacks):
    deposer(candidature, porteur, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        services.candidature_update(
            candidature=candidature, user=porteur, etape="territoire", champs={"titre": "Autre"}
        )
    assert Candidature.objects.get(pk=candidature.pk).titre == "Cité éducative du Grand Mirail"


def test_withdrawal_before_decision_only(candidature, porteur):
    services.candidature_transition(candidature=candidature, to=Etat.RETIREE, actor=porteur, message="Projet reporté")
    assert Candidature.objects.get(pk=candidature.pk).etat == Etat.RETIREE
    with pytest.raises(TransitionRefusee):
        services.candidature_transition(candidature=candidature, to=Etat.RETIREE, actor=porteur)


def test_criteria_are_data_of_each_call():
    for appel in AppelAProjets.objects.filter(annee__lt=2024):
        criteres = list(appel.criteres.order_by("numero"))
        assert [c.numero for c in criteres] == list(range(1, 10))
        assert [c.verification for c in criteres[:3]] == [Critere.Verification.QPV, Critere.Verification.REP, ""]
    for appel in AppelAProjets.objects.filter(annee__gte=2024):  # the 2024 rules (issue 13)
        criteres = list(appel.criteres.order_by("numero"))
        assert [c.numero for c in criteres] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        assert [c.verification for c in criteres[:3]] == ["qpv", "chef_de_file", ""]
        assert [(c.verification, c.mode) for c in criteres[9:]] == [("rep", "indicateur"), ("ips", "indicateur")]
    assert AppelAProjets.objects.filter(ouvert_toute_annee=True).exists()
    assert set(AppelAProjets.objects.values_list("annee", flat=True)) >= {2019, 2021, 2022, 2024, 2025}


def test_collectivite_of_an_epci_from_the_reference_data(db):
    from cites.models import Epci

    epci = Epci.objects.get(siren="243100518")
    collectivite = services.collectivite_get_or_create_epci(siren=epci.siren, epci=epci)
    assert collectivite.nom == "Toulouse Métropole"
    assert collectivite.region.code == "76"
    assert collectivite.communes.filter(code="31555").exists()
    assert Commune.objects.get(code="31555") in collectivite.communes.all()


def test_the_receipt_holds_any_text_the_porteur_typed(candidature, porteur, django_capture_on_commit_callbacks):
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="territoire",
        champs={"titre": "<b>Cité & « quartiers »</b> 🎓 œuvre ’"},
        relations={"communes": list(candidature.communes.all()), "qpvs": list(candidature.qpvs.all())},
    )
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the title changed: confirmed again
    deposer(candidature, porteur, django_capture_on_commit_callbacks)
    candidature.refresh_from_db()
    with candidature.recepisse.open("rb") as f:
        pdf = f.read()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert candidature.reference.encode() in pdf  # the document's title carries the reference


def test_a_criterion_names_only_known_elements(appel):
    critere = Critere(appel=appel, numero=10, libelle="Un IPS inférieur à 90", champs_requis=["etablissements", "ips"])
    with pytest.raises(ValidationError, match="Éléments inconnus : ips"):
        critere.full_clean()
