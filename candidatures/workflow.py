"""The candidature workflow of DESIGN.md §4, as data: one table of allowed transitions.

`services.candidature_transition` is the only code that applies them. Each row says who may
take it (roles), whether a message is required, which conditions must hold (functions that
return the list of what is missing, in French) and which e-mails follow.
"""

from collections.abc import Callable
from dataclasses import dataclass

from candidatures.models import Candidature, Etat

PORTEUR = "porteur"
AGENT_REGIONAL = "agent_regional"
AGENT_NATIONAL = "agent_national"

ROLES_LIBELLES = {
    PORTEUR: "un porteur de la collectivité",
    AGENT_REGIONAL: "un agent de la région",
    AGENT_NATIONAL: "un agent national (ANCT)",
}

# States after which no decision can be taken any more.
ETATS_FINAUX = frozenset({Etat.LABELLISEE, Etat.REFUSEE, Etat.RETIREE, Etat.CLASSEE_SANS_SUITE})
# States in which the porteur may edit the content.
ETATS_MODIFIABLES = frozenset({Etat.BROUILLON, Etat.COMPLEMENTS_DEMANDES})


def _depot_possible(candidature: Candidature) -> list[str]:
    from candidatures.selectors import appel_est_ouvert, candidature_bilan

    problemes = []
    if not appel_est_ouvert(appel=candidature.appel):
        problemes.append(f"L'appel à projets « {candidature.appel.titre} » n'est pas ouvert aux dépôts à cette date.")
    bilan = candidature_bilan(candidature=candidature)
    problemes.extend(bilan.problemes)
    return problemes


def _redepot_possible(candidature: Candidature) -> list[str]:
    from candidatures.selectors import candidature_bilan

    bilan = candidature_bilan(candidature=candidature)
    return bilan.problemes_saisie + bilan.problemes_completude


def _avis_possible(candidature: Candidature) -> list[str]:
    problemes = []
    evalues = set(candidature.evaluations.values_list("critere_id", flat=True))
    manquants = [c for c in candidature.appel.criteres.all() if c.pk not in evalues]
    if manquants:
        numeros = ", ".join(str(c.numero) for c in manquants)
        problemes.append(f"Chaque critère doit être évalué avant l'avis (critères non évalués : {numeros}).")
    if not candidature.avis_region:
        problemes.append("L'avis de la région (favorable ou défavorable) doit être renseigné.")
    return problemes


@dataclass(frozen=True)
class Transition:
    source: str
    cible: str
    roles: frozenset[str]
    libelle: str  # the action, as a button says it
    message_requis: bool = False
    conditions: tuple[Callable[[Candidature], list[str]], ...] = ()
    email_porteurs: str = ""  # template under candidatures/emails/, first line is the subject
    email_agents: str = ""


AVANT_DECISION = (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.COMPLEMENTS_DEMANDES, Etat.AVIS_EMIS)
AGENTS = frozenset({AGENT_REGIONAL, AGENT_NATIONAL})

_TABLE = [
    Transition(
        Etat.BROUILLON,
        Etat.DEPOSEE,
        frozenset({PORTEUR}),
        "Déposer la candidature",
        conditions=(_depot_possible,),
        email_porteurs="deposee",
        email_agents="agents_deposee",
    ),
    Transition(Etat.DEPOSEE, Etat.EN_INSTRUCTION, AGENTS, "Prendre en charge", email_porteurs="en_instruction"),
    Transition(
        Etat.EN_INSTRUCTION,
        Etat.COMPLEMENTS_DEMANDES,
        AGENTS,
        "Demander des compléments",
        message_requis=True,
        email_porteurs="complements_demandes",
    ),
    Transition(
        Etat.COMPLEMENTS_DEMANDES,
        Etat.EN_INSTRUCTION,
        frozenset({PORTEUR}),
        "Déposer à nouveau",
        conditions=(_redepot_possible,),
        email_porteurs="redeposee",
        email_agents="agents_redeposee",
    ),
    Transition(
        Etat.EN_INSTRUCTION,
        Etat.AVIS_EMIS,
        frozenset({AGENT_REGIONAL}),
        "Émettre l'avis de la région",
        conditions=(_avis_possible,),
    ),
    Transition(
        Etat.AVIS_EMIS,
        Etat.LABELLISEE,
        frozenset({AGENT_NATIONAL}),
        "Labelliser",
        message_requis=True,
        email_porteurs="labellisee",
    ),
    Transition(
        Etat.AVIS_EMIS,
        Etat.REFUSEE,
        frozenset({AGENT_NATIONAL}),
        "Refuser",
        message_requis=True,
        email_porteurs="refusee",
    ),
    *[
        Transition(source, Etat.RETIREE, frozenset({PORTEUR}), "Retirer la candidature", email_porteurs="retiree")
        for source in AVANT_DECISION
    ],
    # Drafts are not shown to agents: only a filed candidature can be classée sans suite.
    *[
        Transition(
            source,
            Etat.CLASSEE_SANS_SUITE,
            frozenset({AGENT_NATIONAL}),
            "Classer sans suite",
            message_requis=True,
            email_porteurs="classee_sans_suite",
        )
        for source in AVANT_DECISION
        if source != Etat.BROUILLON
    ],
]

TRANSITIONS: dict[tuple[str, str], Transition] = {(t.source, t.cible): t for t in _TABLE}
assert len(TRANSITIONS) == len(_TABLE), "a transition is listed twice"


def transition_get(*, source: str, cible: str) -> Transition | None:
    return TRANSITIONS.get((source, cible))


def transitions_from(*, source: str) -> list[Transition]:
    return [t for t in _TABLE if t.source == source]
