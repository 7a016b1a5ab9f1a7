"""Writes: an agent validates what porteurs entered (partners' links and fiches action), which
publishes it (DESIGN.md §10: nothing typed by a porteur is public before an agent has seen it).

Kept apart from the label decision's writes (partenaires/services.py), which create those rows
unvalidated."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cites.cache import public_cache_invalidate
from partenaires.models import Action, LienPartenaire


def contributions_validate(*, queryset: QuerySet, user: AbstractBaseUser) -> int:
    """Validate and publish the pending links or actions of `queryset`; return how many."""
    if queryset.model not in (Action, LienPartenaire):
        raise TypeError(f"{queryset.model.__name__} n'a pas de validation.")
    with transaction.atomic():
        nombre = queryset.filter(valide=False).update(valide=True, valide_le=timezone.now(), valide_par=user)
        if nombre:
            # update() sends no signal: forget the cached public pages once this commits.
            public_cache_invalidate()
    return nombre


def contributions_pending_count() -> dict[str, int]:
    """What waits for an agent: links of partners and fiches action not yet validated."""
    return {
        "liens": LienPartenaire.objects.filter(valide=False).count(),
        "actions": Action.objects.filter(valide=False).count(),
    }
