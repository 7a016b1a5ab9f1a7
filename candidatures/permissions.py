"""Who may do what: `can_<verb>(user, obj)` functions, and the roles they rest on.

Roles are Django groups created by the migration `0002_groupes_appels_criteres`:
GROUPE_AGENTS_REGIONAUX (with a ProfilAgent naming the région) and GROUPE_AGENTS_NATIONAUX.
Superusers act as national and regional agents everywhere.
"""

from candidatures.acteurs import (  # noqa: F401 — the roles live in candidatures.acteurs, re-exported here
    GROUPE_AGENTS_NATIONAUX,
    GROUPE_AGENTS_REGIONAUX,
    agent_region_id,
    can_file,
    is_agent,
    is_agent_national,
    is_agent_regional,
    profil_porteur,
    region_filtre,
)
from candidatures.models import Candidature, PersonneCandidature, ProfilPorteur
from candidatures.workflow.etats import AGENT_NATIONAL, AGENT_REGIONAL, AGENTS, COEDITEUR, PORTEUR, etat_get
from candidatures.workflow.transitions import transition_get


def roles_on(user, candidature: Candidature) -> set[str]:
    roles = set()
    if not user.is_authenticated or not user.is_active:
        return roles
    visible_par = etat_get(candidature.etat).visible_par  # drafts belong to the porteurs alone
    if can_file(user) and user.profil_porteur.collectivite_id == candidature.collectivite_id:
        roles.add(PORTEUR)
    if COEDITEUR in visible_par and is_coediteur(user, candidature):
        roles.add(COEDITEUR)
    if visible_par & AGENTS:
        if is_agent_national(user):
            roles.add(AGENT_NATIONAL)
            if user.is_superuser:
                roles.add(AGENT_REGIONAL)
        if is_agent_regional(user) and agent_region_id(user) == candidature.collectivite.region_id:
            roles.add(AGENT_REGIONAL)
    return roles & visible_par


def is_coediteur(user, candidature: Candidature) -> bool:
    """The CPO or the principal who accepted the porteur's invitation (PersonneCandidature.user):
    the same rule as Candidature.objects.visibles_par's reach for the role COEDITEUR."""
    return PersonneCandidature.objects.coedition_de(user).filter(candidature_id=candidature.pk).exists()


def can_view_candidature(user, candidature: Candidature) -> bool:
    """Validated porteurs of the collectivité; agents of its région and national agents once it is filed."""
    return bool(roles_on(user, candidature))


def can_edit_candidature(user, candidature: Candidature) -> bool:
    return bool(etat_get(candidature.etat).modifiable_par & roles_on(user, candidature))


def can_transition(user, candidature: Candidature, cible: str) -> bool:
    transition = transition_get(source=candidature.etat, cible=cible)
    return transition is not None and bool(transition.roles & roles_on(user, candidature))


def can_validate_porteur(user, profil: ProfilPorteur) -> bool:
    if is_agent_national(user):
        return True
    return is_agent_regional(user) and agent_region_id(user) == profil.collectivite.region_id


def can_anonymise_porteur(user, profil: ProfilPorteur) -> bool:
    """Erasure requests reach the ANCT's data protection contact: national agents (and superusers)
    anonymise, whatever the région; the step cannot be undone."""
    return is_agent_national(user)


# --- Instruction (agents) -------------------------------------------------------------------


def agent_roles_on(user, candidature: Candidature) -> set[str]:
    return roles_on(user, candidature) & AGENTS


def can_instruct_candidature(user, candidature: Candidature) -> bool:
    """Agents of the candidature's région and national agents, once it is filed."""
    return bool(agent_roles_on(user, candidature))


def can_assess_candidature(user, candidature: Candidature) -> bool:
    return etat_get(candidature.etat).evaluation and can_instruct_candidature(user, candidature)


def can_assign_candidature(user, candidature: Candidature) -> bool:
    return not etat_get(candidature.etat).final and can_instruct_candidature(user, candidature)


def can_be_instructeur(user, candidature: Candidature) -> bool:
    """Who may be put in charge: an active agent of the région, or a national agent."""
    return user.is_active and can_instruct_candidature(user, candidature)


def can_message_candidature(user, candidature: Candidature) -> bool:
    """The thread opens once the agents see the candidature (once it is filed), for its porteurs and its agents."""
    return bool(etat_get(candidature.etat).visible_par & AGENTS) and bool(roles_on(user, candidature))


# --- The cités after the label (agents) ------------------------------------------------------


def can_follow_cite(user, cite) -> bool:
    """Record a cité's prolongations, conventions and revues: national agents for every cité,
    regional agents for the cités with a commune in their région."""
    if is_agent_national(user):
        return True
    if not is_agent_regional(user):
        return False
    return cite.communes.filter(departement__region_id=agent_region_id(user)).exists()
