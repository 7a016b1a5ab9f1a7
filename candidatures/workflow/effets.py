"""What a transition does besides changing the state: the deposit (reference, checks, receipt) and
the label decision (candidatures.labellisation, which calls the cites and partenaires services).
Runs inside the transition's transaction, with the candidature locked.
"""

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from candidatures.labellisation import effet_labellisation
from candidatures.models import Candidature, CompteurReference
from candidatures.recepisse import recepisse_pdf
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
    candidature.verifications = candidature_verifications_resume(candidature=candidature)
    recepisse_save(candidature=candidature, pdf=recepisse_pdf(candidature=candidature))


def effet_redepot(*, candidature: Candidature, now) -> None:
    candidature.depose_le = now
    candidature.verifications = candidature_verifications_resume(candidature=candidature)
    recepisse_save(candidature=candidature, pdf=recepisse_pdf(candidature=candidature))


def recepisse_save(*, candidature: Candidature, pdf: bytes) -> None:
    ancien = candidature.recepisse.name if candidature.recepisse else ""
    candidature.recepisse.save(f"recepisse-{candidature.reference}.pdf", ContentFile(pdf), save=False)
    if ancien and ancien != candidature.recepisse.name:
        storage = candidature.recepisse.storage
        transaction.on_commit(lambda: storage.delete(ancien))


# (source, target) → its side effect.
EFFETS: dict[tuple[str, str], Callable] = {
    (Etat.BROUILLON, Etat.DEPOSEE): effet_depot,
    (Etat.COMPLEMENTS_DEMANDES, Etat.EN_INSTRUCTION): effet_redepot,
    # The label decision creates or extends the cité and publishes it (candidatures.labellisation).
    (Etat.AVIS_EMIS, Etat.LABELLISEE): effet_labellisation,
}
