"""The revue de projet's workflow, as data, with the generic records of portal/workflow.py (the
candidature's workflow package uses them too): one EtatWorkflow per state (label, badge, who may
edit, whose move it is, final), one Transition per allowed move (from, to, roles), checked together
by Workflow, and one function that applies them — locked, with a history row, e-mails deferred to
on_commit.

Roles: `referent` (a référent, the CPO or the principal of the collège chef de file linked to the
cité), `troika` (a troïka representative of the cité), `region` (a regional agent of the cité's
région), `anct` (a national agent). The troïka's three validations move the revue on by themselves
(`revues.services.revue_valider`), with the role `troika`.

Each transition names who is e-mailed (DESTINATAIRES) and may have effects run in its transaction:
the ANCT's acceptance completes the cité's money of the year from the revue's financial section
(Question.financement; an agent's figure is never overwritten), said in the history row.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.workflow import EtatWorkflow, Transition, Workflow
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


def _etat(valeur: str, libelle: str, badge: str, modifiable_par: set[str], attente: set[str], final=False):
    """badge: the DSFR badge modifier; modifiable_par: who may change the answers; attente: whose move it is."""
    return EtatWorkflow(
        valeur=valeur,
        libelle=libelle,
        badge=badge,
        visible_par=frozenset({REFERENT, TROIKA, REGION, ANCT}),
        modifiable_par=frozenset(modifiable_par),
        attente=frozenset(attente),
        final=final,
    )


_ETATS = (
    _etat(Etat.BROUILLON, "en cours de saisie", "info", {REFERENT}, {REFERENT}),
    _etat(Etat.TRANSMISE, "en validation par la troïka", "new", set(), {TROIKA}),
    _etat(Etat.VALIDEE, "validée par la troïka", "new", set(), {REGION}),
    _etat(Etat.VUE_REGION, "revue par la région", "new", set(), {ANCT}),
    _etat(Etat.RENVOYEE, "renvoyée aux référents", "warning", {REFERENT}, {REFERENT}),
    _etat(Etat.ACCEPTEE, "acceptée", "success", set(), set(), final=True),
)


def _complete(revue: Revue) -> list[str]:
    from revues.selectors import revue_problemes

    return revue_problemes(revue=revue)


# Who hears of a move (one template: revue_etat), resolved by revues.services.revue_emails_on_commit.
DESTINATAIRES = {
    "referents": "les référents de la cité",
    "troika": "les représentants de la troïka de la cité",
    "region": "les agents de la région de la cité",
    "anct": "les agents nationaux (ANCT)",
}


def _financements(revue: Revue, actor) -> list[str]:
    from revues.services import revue_financements_reporter

    return revue_financements_reporter(revue=revue, actor=actor)


@dataclass(frozen=True)
class TransitionRevue(Transition):
    """portal.workflow.Transition (conditions take the revue), plus who hears of it."""

    email: str = ""  # a key of DESTINATAIRES, or "" for nobody
    # Run in the transition's transaction once the state has changed: effet(revue, actor) returns
    # lines (French) added to the history row's message and to the e-mail.
    effets: tuple[Callable, ...] = ()

    def __post_init__(self):
        if self.email and self.email not in DESTINATAIRES:
            raise ValueError(f"Destinataires inconnus : {self.email!r} (attendu : {', '.join(DESTINATAIRES)})")


TRANSITIONS = [
    TransitionRevue(
        Etat.BROUILLON,
        Etat.TRANSMISE,
        frozenset({REFERENT}),
        "Transmettre à la troïka",
        conditions=(_complete,),
        email="troika",
    ),
    TransitionRevue(
        Etat.RENVOYEE,
        Etat.TRANSMISE,
        frozenset({REFERENT}),
        "Transmettre à la troïka",
        conditions=(_complete,),
        email="troika",
    ),
    TransitionRevue(
        Etat.TRANSMISE,
        Etat.RENVOYEE,
        frozenset({TROIKA}),
        "Renvoyer aux référents",
        message_requis=True,
        email="referents",
    ),
    TransitionRevue(
        Etat.TRANSMISE, Etat.VALIDEE, frozenset({TROIKA}), "Validée par les trois institutions", email="region"
    ),
    TransitionRevue(
        Etat.VALIDEE,
        Etat.VUE_REGION,
        frozenset({REGION, ANCT}),
        "Revue par la région : transmettre à l'ANCT",
        email="anct",
    ),
    TransitionRevue(
        Etat.VALIDEE,
        Etat.RENVOYEE,
        frozenset({REGION, ANCT}),
        "Renvoyer aux référents",
        message_requis=True,
        email="referents",
    ),
    TransitionRevue(
        Etat.VUE_REGION,
        Etat.ACCEPTEE,
        frozenset({ANCT}),
        "Accepter la revue",
        email="referents",
        effets=(_financements,),  # its financial section completes the cité's money of the year
    ),
    TransitionRevue(
        Etat.VUE_REGION,
        Etat.RENVOYEE,
        frozenset({ANCT}),
        "Renvoyer aux référents",
        message_requis=True,
        email="referents",
    ),
]
WORKFLOW = Workflow(etats=_ETATS, transitions=tuple(TRANSITIONS))
ETATS: dict[str, EtatWorkflow] = {etat.valeur: etat for etat in WORKFLOW.etats}


class TransitionRefusee(ValidationError):
    pass


def transitions_possibles(*, revue: Revue, roles: set[str]) -> list[TransitionRevue]:
    return [t for t in WORKFLOW.transitions_from(source=revue.etat) if t.roles & roles and t.cible != Etat.VALIDEE]


def revue_transition(*, revue: Revue, cible: str, actor, roles: set[str], message: str = "") -> Revue:
    """Apply one allowed transition: locked, checked, with its history row; e-mails on commit."""
    from revues.services import revue_emails_on_commit

    message = (message or "").strip()
    with transaction.atomic():
        locked = Revue.objects.select_for_update().select_related("cite", "questionnaire").get(pk=revue.pk)
        transition = WORKFLOW.transition_get(source=locked.etat, cible=cible)
        if transition is None:
            raise TransitionRefusee(
                f"La revue est « {ETATS[locked.etat].libelle} » : elle ne peut pas passer à "
                f"« {ETATS[cible].libelle if cible in ETATS else cible} ». Rien n'a été modifié."
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
        notes = [ligne for effet in transition.effets for ligne in effet(locked, actor)]
        historique = "\n\n".join(filter(None, [message, *notes]))
        EvenementRevue.objects.create(
            revue=locked, etat_avant=avant, etat_apres=cible, auteur=actor, message=historique
        )
        if transition.email:
            revue_emails_on_commit(revue=locked, destinataires=transition.email, actor=actor, message=historique)
    revue.refresh_from_db()
    return revue
