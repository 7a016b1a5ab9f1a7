"""Who a user is: porteur, regional or national agent, and the région they act for. The ground of
permissions and of the scoping of querysets (Candidature.objects.visibles_par, selectors.scope_region).
The groups' permissions are declared in candidatures/roles.py.

Imports no model, so that the models' querysets can use it (permissions re-exports every name).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

GROUPE_AGENTS_REGIONAUX = "Agents régionaux"
GROUPE_AGENTS_NATIONAUX = "Agents nationaux (ANCT)"


def _group_names(user) -> set[str]:
    if not hasattr(user, "_candidatures_groupes"):
        user._candidatures_groupes = set(user.groups.values_list("name", flat=True))
    return user._candidatures_groupes


def profil_porteur(user):
    if not user.is_authenticated:
        return None
    try:
        return user.profil_porteur
    except ObjectDoesNotExist:
        return None


def agent_region_id(user) -> int | None:
    """The région a regional agent is attached to (None when they have none)."""
    if not user.is_authenticated:
        return None
    try:
        return user.profil_agent.region_id
    except ObjectDoesNotExist:
        return None


def is_agent_national(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or GROUPE_AGENTS_NATIONAUX in _group_names(user))
    )


def is_agent_regional(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and GROUPE_AGENTS_REGIONAUX in _group_names(user)
        and agent_region_id(user) is not None
    )


def region_filtre(user, champ: str) -> Q | None:
    """The one scoping by région: a filter on `champ` (a path to a région id, e.g.
    "collectivite__region_id"): Q() for national agents (everything), their région for regional
    agents, None for anyone else (nothing). selectors.scope_region applies it to a queryset."""
    if is_agent_national(user):
        return Q()
    if is_agent_regional(user):
        return Q(**{champ: agent_region_id(user)})
    return None


def is_agent(user) -> bool:
    return is_agent_national(user) or is_agent_regional(user)


def can_file(user) -> bool:
    """A porteur may create and file candidatures once their e-mail is confirmed and an agent validated them."""
    profil = profil_porteur(user)
    return profil is not None and user.is_active and profil.email_confirme and profil.statut == profil.Statut.VALIDE


# --- Authors ---------------------------------------------------------------------------------

COMPTE_SUPPRIME = "compte supprimé"
# Anonymised accounts get an address of this reserved domain (RFC 2606), unique per account.
COMPTES_ANONYMISES_DOMAINE = "compte-supprime.invalid"


def email_is_anonymised(email: str | None) -> bool:
    return (email or "").endswith("@" + COMPTES_ANONYMISES_DOMAINE)


def user_is_anonymised(user) -> bool:
    return user is not None and email_is_anonymised(user.email)


def auteur_nom(user) -> str:
    """How an author is named on every screen, export and e-mail: « compte supprimé » once the
    account is deleted (the foreign key is NULL) or anonymised after an erasure request."""
    if user is None or user_is_anonymised(user):
        return COMPTE_SUPPRIME
    return user.get_full_name() or user.email
