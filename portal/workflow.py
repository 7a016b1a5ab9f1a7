"""The shape of a workflow, as data: one record per state, one record per allowed transition.

Generic on purpose: the candidature workflow (candidatures.workflow) and the yearly revue de
projet declare their states and transitions with these records; permissions, querysets, admin
badges and the one function that applies a transition are derived from them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


class TransitionRefusee(Exception):
    """A transition that is not allowed: nothing changed. `problemes` lists what is missing."""

    def __init__(self, message: str, problemes: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problemes = problemes or []

    def __str__(self) -> str:
        return " ".join([self.message, *self.problemes])


@dataclass(frozen=True)
class EtatWorkflow:
    """Everything about one state: how it is shown, who may edit, whose move it is, final or not."""

    valeur: str
    libelle: str
    badge: str = ""  # variant of the admin badge (info, warning, new, success, error)
    visible_par: frozenset[str] = frozenset()  # roles that see an object in this state
    modifiable_par: frozenset[str] = frozenset()  # roles that may edit its content
    attente: frozenset[str] = frozenset()  # roles whose move it is (empty: nobody's)
    evaluation: bool = False  # the agents assess the criteria in this state
    decision: bool = False  # a decision was taken (final, by an agent)
    final: bool = False  # no transition leaves it


@dataclass(frozen=True)
class Transition:
    source: str
    cible: str
    roles: frozenset[str]
    libelle: str  # the action, as a button says it
    message_requis: bool = False
    conditions: tuple[Callable, ...] = ()  # each returns the list of what is missing, in French
    email_porteurs: str = ""  # e-mail template for the porteurs (first line is the subject)
    email_agents: str = ""  # e-mail template for the agents
    depot: bool = False  # the porteur's « Déposer » from this source


@dataclass(frozen=True)
class Workflow:
    etats: tuple[EtatWorkflow, ...]
    transitions: tuple[Transition, ...]
    _par_valeur: dict = field(init=False, repr=False, compare=False)
    _table: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        par_valeur = {etat.valeur: etat for etat in self.etats}
        table = {(t.source, t.cible): t for t in self.transitions}
        assert len(par_valeur) == len(self.etats), "a state is declared twice"
        assert len(table) == len(self.transitions), "a transition is listed twice"
        for t in self.transitions:
            assert t.source in par_valeur and t.cible in par_valeur, f"unknown state in {t.source} → {t.cible}"
            assert not par_valeur[t.source].final, f"a transition leaves the final state {t.source}"
        object.__setattr__(self, "_par_valeur", par_valeur)
        object.__setattr__(self, "_table", table)

    @property
    def table(self) -> dict[tuple[str, str], Transition]:
        return dict(self._table)

    def etat(self, valeur: str) -> EtatWorkflow | None:
        return self._par_valeur.get(valeur)

    def valeurs(self, predicat: Callable[[EtatWorkflow], bool]) -> frozenset[str]:
        """The states for which `predicat(record)` holds, e.g. `valeurs(lambda e: e.final)`."""
        return frozenset(etat.valeur for etat in self.etats if predicat(etat))

    def transition_get(self, *, source: str, cible: str) -> Transition | None:
        return self._table.get((source, cible))

    def transitions_from(self, *, source: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == source]

    def transition_depot(self, *, source: str) -> Transition | None:
        return next((t for t in self.transitions_from(source=source) if t.depot), None)
