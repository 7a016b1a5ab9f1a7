"""The transitions of the candidature workflow (DESIGN.md §4): who may take each, what it requires,
which e-mails follow. The states are in candidatures.workflow.etats; the side effects in
candidatures.workflow.effets; services.candidature_transition is the only code that applies them.
"""

from candidatures.models import Candidature
from candidatures.verifications import appel_est_ouvert, candidature_bilan
from candidatures.workflow.etats import AGENT_NATIONAL, AGENT_REGIONAL, AGENTS, ETATS, PORTEUR, Etat
from portal.workflow import Transition, Workflow

# --- Conditions: each returns the list of what is missing, in French ------------------------


def _depot_possible(candidature: Candidature) -> list[str]:
    problemes = []
    if not appel_est_ouvert(appel=candidature.appel):
        problemes.append(f"L'appel à projets « {candidature.appel.titre} » n'est pas ouvert aux dépôts à cette date.")
    bilan = candidature_bilan(candidature=candidature)
    problemes.extend(bilan.problemes)
    return problemes


def _redepot_possible(candidature: Candidature) -> list[str]:
    bilan = candidature_bilan(candidature=candidature)
    return bilan.problemes_saisie + bilan.problemes_completude


def _avis_possible(candidature: Candidature) -> list[str]:
    problemes = []
    evalues = set(candidature.evaluations.values_list("critere_id", flat=True))
    manquants = [c for c in candidature.appel.criteres.all() if c.evaluation_requise and c.pk not in evalues]
    if manquants:
        numeros = ", ".join(str(c.numero) for c in manquants)
        problemes.append(
            f"Chaque critère doit être évalué avant l'avis, sauf les indicateurs (critères non évalués : {numeros})."
        )
    if not candidature.avis_region:
        problemes.append("L'avis de la région (favorable ou défavorable) doit être renseigné.")
    return problemes


# --- Transitions ----------------------------------------------------------------------------

# « Any before a decision »: every state that is not final.
_AVANT_DECISION = [e.valeur for e in ETATS if not e.final]

TRANSITIONS_LISTE = (
    Transition(
        Etat.BROUILLON,
        Etat.DEPOSEE,
        frozenset({PORTEUR}),
        "Déposer la candidature",
        conditions=(_depot_possible,),
        email_porteurs="deposee",
        email_agents="agents_deposee",
        depot=True,
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
        depot=True,
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
        for source in _AVANT_DECISION
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
        for source in _AVANT_DECISION
        if source != Etat.BROUILLON
    ],
)

CANDIDATURE = Workflow(etats=ETATS, transitions=TRANSITIONS_LISTE)
TRANSITIONS = CANDIDATURE.table


def transition_get(*, source: str, cible: str) -> Transition | None:
    return CANDIDATURE.transition_get(source=source, cible=cible)


def transitions_from(*, source: str) -> list[Transition]:
    return CANDIDATURE.transitions_from(source=source)


def transition_depot(*, source: str) -> Transition | None:
    """The porteur's « Déposer » from `source`: a first deposit, or the answer to compléments demandés."""
    return CANDIDATURE.transition_depot(source=source)


def depot_cibles() -> frozenset[str]:
    """The states a deposit leads to (a candidature in one of them was filed)."""
    return frozenset(t.cible for t in CANDIDATURE.transitions if t.depot)
