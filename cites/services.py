"""Writes on the cités and their reference data (business rules; views, admin and commands call these)."""

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cites.models import CiteEducative, EvenementLabel, Suggestion


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


# --- "Proposer une correction" ---------------------------------------------------------------


def suggestion_create(*, cite: CiteEducative, champ: str, message: str, email: str = "") -> Suggestion:
    """Record a correction suggested by the public; it waits, « nouvelle », for an agent."""
    suggestion = Suggestion(cite=cite, champ=champ, message=message.strip(), email=email.strip())
    suggestion.full_clean()
    suggestion.save()
    return suggestion


SUGGESTION_CLOSED = (Suggestion.Statut.TRAITEE, Suggestion.Statut.REJETEE)


def suggestion_close_check(*, statut: str, reponse: str) -> None:
    """Raise ValidationError (by field) unless `statut` and `reponse` can close a suggestion."""
    errors = {}
    if statut not in SUGGESTION_CLOSED:
        errors["statut"] = "Choisissez « traitée » ou « rejetée »."
    if not (reponse or "").strip():
        errors["reponse"] = "Écrivez la réponse faite à la proposition."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def suggestion_close(*, suggestion: Suggestion, statut: str, reponse: str, user: AbstractBaseUser | None) -> Suggestion:
    """An agent handles or rejects a suggestion, with a reply (a closed one may be answered again)."""
    suggestion_close_check(statut=statut, reponse=reponse)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.statut = statut
    suggestion.reponse = reponse.strip()
    suggestion.traitee_le = timezone.now()
    suggestion.traitee_par = user if user is not None and user.is_authenticated else None
    suggestion.full_clean()
    suggestion.save(update_fields=["statut", "reponse", "traitee_le", "traitee_par"])
    return suggestion


def suggestion_rate_limited(*, client_key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one suggestion from this client; True when it goes over `limit` in the window.

    The counter lives in the cache (shared by every application server with Redis), under a
    hash of the client's address, which is never stored as such.
    """
    key = "suggestions:" + hashlib.sha256(client_key.encode()).hexdigest()
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
