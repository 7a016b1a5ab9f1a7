"""What a transition does besides changing the state: the deposit (reference, checks, receipt) and
the label decision (candidatures.labellisation, which calls the cites and partenaires services).
Runs inside the transition's transaction, with the candidature locked.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from candidatures.labellisation import effet_labellisation
from candidatures.models import Candidature, CompteurReference
from candidatures.verifications import candidature_verifications_resume
from candidatures.workflow.etats import Etat


def _numero_reference(*, annee: int) -> int:
    CompteurReference.objects.get_or_create(annee=annee)
    compteur = CompteurReference.objects.select_for_update().get(annee=annee)
    compteur.dernier += 1
    compteur.save(update_fields=["dernier"])
    return compteur.dernier


def effet_depot(*, candidature: Candidature, now) -> None:
    if candidature.reference is None:
        annee = timezone.localtime(now).year
        candidature.reference = f"CE-{annee}-{_numero_reference(annee=annee):04d}"
    candidature.depose_le = now
    delai = timedelta(days=candidature.appel.delai_instruction_jours)
    candidature.echeance_instruction = timezone.localtime(now).date() + delai
    candidature.verifications = candidature_verifications_resume(candidature=candidature)
    recepisse_on_commit(candidature=candidature)


def effet_redepot(*, candidature: Candidature, now) -> None:
    # « Déposée le » keeps the first deposit; the re-deposit has its own date.
    candidature.redepose_le = now
    candidature.verifications = candidature_verifications_resume(candidature=candidature)
    recepisse_on_commit(candidature=candidature)


def recepisse_on_commit(*, candidature: Candidature) -> None:
    """The receipt is written by a task (the worker in production) once the deposit is committed:
    candidatures.tasks.recepisse_generer → candidatures.services.recepisse_produire."""
    from candidatures.tasks import recepisse_generer

    pk = candidature.pk
    transaction.on_commit(lambda: recepisse_generer.enqueue(candidature_id=pk))


# (source, target) → its side effect.
EFFETS: dict[tuple[str, str], Callable] = {
    (Etat.BROUILLON, Etat.DEPOSEE): effet_depot,
    (Etat.COMPLEMENTS_DEMANDES, Etat.EN_INSTRUCTION): effet_redepot,
    # The label decision creates or extends the cité and publishes it (candidatures.labellisation).
    (Etat.AVIS_EMIS, Etat.LABELLISEE): effet_labellisation,
}
