"""The states of a candidature (DESIGN.md §4), one record each: label, admin badge, who sees it,
who may edit, whose move it is, final or not. Permissions, querysets
(`Candidature.objects.en_attente_agents()`, `.visibles_par(user)`), the admin's badges and
decisions and the porteur's pages derive from these records; never a tuple of states elsewhere.

Imports no model: candidatures.models reads it (the `etat` field's choices, the querysets).
"""

from django.db import models

from portal.workflow import EtatWorkflow


class Etat(models.TextChoices):
    BROUILLON = "brouillon", "brouillon"
    DEPOSEE = "deposee", "déposée"
    EN_INSTRUCTION = "en_instruction", "en instruction"
    COMPLEMENTS_DEMANDES = "complements_demandes", "compléments demandés"
    AVIS_EMIS = "avis_emis", "avis émis"
    LABELLISEE = "labellisee", "labellisée"
    REFUSEE = "refusee", "refusée"
    RETIREE = "retiree", "retirée"
    CLASSEE_SANS_SUITE = "classee_sans_suite", "classée sans suite"


PORTEUR = "porteur"
# The CPO and the principal of the collège chef de file, invited by the porteur (issue 13): they see
# and edit the candidature like a porteur, but no transition is theirs (no deposit, no withdrawal).
COEDITEUR = "coediteur"
AGENT_REGIONAL = "agent_regional"
AGENT_NATIONAL = "agent_national"

ROLES_LIBELLES = {
    PORTEUR: "un porteur de la collectivité",
    COEDITEUR: "un co-éditeur (CPO ou principal du collège chef de file)",
    AGENT_REGIONAL: "un agent de la région",
    AGENT_NATIONAL: "un agent national (ANCT)",
}
AGENTS = frozenset({AGENT_REGIONAL, AGENT_NATIONAL})
EDITEURS = frozenset({PORTEUR, COEDITEUR})
TOUS = frozenset({PORTEUR, COEDITEUR, AGENT_REGIONAL, AGENT_NATIONAL})


def _etat(valeur: "Etat", **kwargs) -> EtatWorkflow:
    return EtatWorkflow(valeur=valeur.value, libelle=valeur.label, **kwargs)


ETATS = (
    # Drafts belong to the porteurs (and their co-editors): agents see a candidature once it is filed.
    _etat(Etat.BROUILLON, visible_par=EDITEURS, modifiable_par=EDITEURS),
    _etat(Etat.DEPOSEE, badge="info", visible_par=TOUS, attente=AGENTS),
    _etat(Etat.EN_INSTRUCTION, badge="info", visible_par=TOUS, attente=AGENTS, evaluation=True),
    _etat(
        Etat.COMPLEMENTS_DEMANDES,
        badge="warning",
        visible_par=TOUS,
        modifiable_par=EDITEURS,
        attente=frozenset({PORTEUR}),
        evaluation=True,
    ),
    _etat(Etat.AVIS_EMIS, badge="new", visible_par=TOUS, attente=frozenset({AGENT_NATIONAL})),
    _etat(Etat.LABELLISEE, badge="success", visible_par=TOUS, decision=True, final=True),
    _etat(Etat.REFUSEE, badge="error", visible_par=TOUS, decision=True, final=True),
    _etat(Etat.RETIREE, visible_par=TOUS, final=True),
    _etat(Etat.CLASSEE_SANS_SUITE, visible_par=TOUS, decision=True, final=True),
)


_PAR_VALEUR = {e.valeur: e for e in ETATS}
assert set(_PAR_VALEUR) == set(Etat.values), "every state has its record"


def etat_get(valeur: str) -> EtatWorkflow:
    return _PAR_VALEUR[valeur]


def etats_ou(predicat) -> list[str]:
    """The states whose record satisfies `predicat`, in the workflow's order (for querysets)."""
    return [e.valeur for e in ETATS if predicat(e)]
