"""The revue de projet's workflow, as data (the same shape as the candidature's workflow package):
one record per state (label, badge, who may edit, whose move it is, final), one table of allowed
transitions (from, to, roles), and one function that applies them — locked, with a history row,
e-mails deferred to on_commit.

Roles: `referent` (a référent, the CPO or the principal of the collège chef de file linked to the
cité), `troika` (a troïka representative of the cité), `region` (a regional agent of the cité's
région), `anct` (a national agent). The troïka's three validations move the revue on by themselves
(`revues.services.revue_valider`), with the role `troika`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from revues.models import Etat, EvenementRevue, Revue

REFERENT = "referent"
TROIKA = "troika"
REGION = "region"
ANCT = "anct"
ROLES_LIBELLES = {
    REFERENT: "un référent de la cité",
    TROIKA: "la troïka de la cité",
    REGION: "un agent de la région",
    ANCT: "un agent national (ANCT)",
}


@dataclass(frozen=True)
class EtatRevue:
    libelle: str
    badge: str  # DSFR badge modifier
    modifiable_par: frozenset[str]  # who may change the answers
    en_attente_de: str  # whose move it is (a role), "" when final
    final: bool = False


ETATS: dict[str, EtatRevue] = {
    Etat.BROUILLON: EtatRevue("en cours de saisie", "info", frozenset({REFERENT}), REFERENT),
    Etat.TRANSMISE: EtatRevue("en validation par la troïka", "new", frozenset(), TROIKA),
    Etat.VALIDEE: EtatRevue("validée par la troïka", "new", frozenset(), REGION),
    Etat.VUE_REGION: EtatRevue("revue par la région", "new", frozenset(), ANCT),
    Etat.RENVOYEE: EtatRevue("renvoyée aux référents", "warning", frozenset({REFERENT}), REFERENT),
    Etat.ACCEPTEE: EtatRevue("acceptée", "success", frozenset(), "", final=True),
}


def _complete(revue: Revue) -> list[str]:
    from revues.selectors import revue_problemes

    return revue_problemes(revue=revue)


@dataclass(frozen=True)
class Transition:
    source: str
    cible: str
    roles: frozenset[str]
    libelle: str
    message_requis: bool = False
    conditions: tuple[Callable[[Revue], list[str]], ...] = ()
    email: str = ""  # who hears of it: "referents", "troika", "agents"


TRANSITIONS = [
    Transition(
        Etat.BROUILLON,
        Etat.TRANSMISE,
        frozenset({REFERENT}),
        "Transmettre à la troïka",
        conditions=(_complete,),
        email="troika",
    ),
    Transition(
        Etat.RENVOYEE,
        Etat.TRANSMISE,
        frozenset({REFERENT}),
        "Transmettre à la troïka",
        conditions=(_complete,),
        email="troika",
    ),
    Transition(
        Etat.TRANSMISE,
        Etat.RENVOYEE,
        frozenset({TROIKA}),
        "Renvoyer aux référents",
        message_requis=True,
        email="referents",
    ),
    Transition(Etat.TRANSMISE, Etat.VALIDEE, frozenset({TROIKA}), "Validée par les trois institutions", email="agents"),
    Transition(
        Etat.VALIDEE,
        Etat.VUE_REGION,
        frozenset({REGION, ANCT}),
        "Revue par la région : transmettre à l'ANCT",
        email="agents",
    ),
    Transition(
        Etat.VALIDEE,
        Etat.RENVOYEE,
        frozenset({REGION, ANCT}),
        "Renvoyer aux référents",
        message_requis=True,
        email="referents",
    ),
    Transition(Etat.VUE_REGION, Etat.ACCEPTEE, frozenset({ANCT}), "Accepter la revue", email="referents"),
    Transition(
        Etat.VUE_REGION,
        Etat.RENVOYEE,
        frozenset({ANCT}),
        "Renvoyer aux référents",
        message_requis=True,
        email="referents",
    ),
]
_TABLE = {(t.source, t.cible): t for t in TRANSITIONS}


class TransitionRefusee(ValidationError):
    pass


def transitions_possibles(*, revue: Revue, roles: set[str]) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == revue.etat and t.roles & roles and t.cible != Etat.VALIDEE]


def revue_transition(*, revue: Revue, cible: str, actor, roles: set[str], message: str = "") -> Revue:
    """Apply one allowed transition: locked, checked, with its history row; e-mails on commit."""
    from revues.services import revue_emails_on_commit

    message = (message or "").strip()
    with transaction.atomic():
        locked = Revue.objects.select_for_update().select_related("cite", "questionnaire").get(pk=revue.pk)
        transition = _TABLE.get((locked.etat, cible))
        if transition is None:
            raise TransitionRefusee(
                f"La revue est « {ETATS[locked.etat].libelle} » : elle ne peut pas passer à "
                f"« {ETATS[cible].libelle} ». Rien n'a été modifié."
            )
        if not transition.roles & roles:
            qui = " ou ".join(ROLES_LIBELLES[r] for r in sorted(transition.roles))
            raise TransitionRefusee(f"Seul {qui} peut « {transition.libelle} ». Rien n'a été modifié.")
        if transition.message_requis and not message:
            raise TransitionRefusee("Écrivez aux référents ce qui est à reprendre. Rien n'a été modifié.")
        problemes = [p for condition in transition.conditions for p in condition(locked)]
        if problemes:
            raise TransitionRefusee(problemes)
        avant = locked.etat
        locked.etat = cible
        locked.save(update_fields=["etat", "modifie_le"])
        if cible == Etat.RENVOYEE:
            locked.validations.all().delete()  # the next version is validated again by the troïka
        EvenementRevue.objects.create(revue=locked, etat_avant=avant, etat_apres=cible, auteur=actor, message=message)
        if transition.email:
            revue_emails_on_commit(revue=locked, destinataires=transition.email, actor=actor, message=message)
    revue.refresh_from_db()
    return revue
