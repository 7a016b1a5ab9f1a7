"""Writes on the cités and their reference data (business rules; views, admin and commands call these)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from cites.models import CiteEducative, EvenementLabel


@transaction.atomic
def cite_set_annee_label(*, cite: CiteEducative, annee: int, user: AbstractBaseUser | None = None) -> CiteEducative:
    """Set a cité's label year as known (no longer deduced from the ANCT id).

    A corrected year is never overwritten by a later import. The initial label event of the
    cité's history follows the year (created when the cité has none).
    """
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    cite.annee_label = annee
    cite.annee_label_deduite = False
    cite.full_clean(validate_unique=False)
    if user is not None and user.is_authenticated:
        cite._history_user = user
    cite._change_reason = "Année du label corrigée"
    cite.save(update_fields=["annee_label", "annee_label_deduite"])

    evenement = (
        EvenementLabel.objects.select_for_update()
        .filter(cite=cite, type=EvenementLabel.Type.LABEL)
        .order_by("annee", "date", "pk")
        .first()
    )
    if evenement is None:
        EvenementLabel.objects.create(
            cite=cite, type=EvenementLabel.Type.LABEL, annee=annee, description="Labellisation."
        )
    elif evenement.annee != annee:
        evenement.annee = annee
        if evenement.description.startswith("Labellisation (année déduite"):
            evenement.description = "Labellisation."
        evenement.save(update_fields=["annee", "description"])
    return cite
