"""The one function that changes a candidature's state: it checks the transition table
(candidatures.workflow.transitions) and the actor's roles, runs the transition's side effect
(candidatures.workflow.effets), writes the history and defers the e-mails, in one transaction.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidatures import permissions
from candidatures.emails import email_on_commit
from candidatures.models import Candidature, Etat, EvenementCandidature
from candidatures.selectors import COMPTE_SUPPRIME, agents_emails, auteur_nom, porteurs_emails
from candidatures.workflow.effets import EFFETS
from candidatures.workflow.etats import ROLES_LIBELLES, etat_get
from candidatures.workflow.transitions import transition_get
from portal.workflow import Transition, TransitionRefusee


def _etat_libelle(etat: str) -> str:
    return Etat(etat).label if etat in Etat.values else str(etat)


def _changement_recent(*, candidature: Candidature, evenement_vu: int | None) -> EvenementCandidature | None:
    """The latest change of state made after the one the actor saw (None when nothing changed)."""
    qs = candidature.evenements.select_related("auteur").order_by("-date", "-pk")
    if evenement_vu is not None:
        qs = qs.filter(pk__gt=evenement_vu)
    return qs.first()


def _message_deja_change(evenement: EvenementCandidature) -> str:
    auteur = auteur_nom(evenement.auteur)
    if auteur == COMPTE_SUPPRIME:
        auteur = "un compte supprimé"
    quand = timezone.localtime(evenement.date)
    moment = f"le {quand:%d/%m/%Y} à {quand:%H:%M}"
    etat = _etat_libelle(evenement.etat_apres)
    if evenement.etat_apres == Etat.RETIREE:
        return f"Cette candidature a été retirée par {auteur} {moment}. Votre action n'a pas été enregistrée."
    if etat_get(evenement.etat_apres).final:
        return (
            f"Cette candidature a déjà été décidée par {auteur} {moment} : « {etat} ». "
            "Votre action n'a pas été enregistrée."
        )
    return (
        f"Cette candidature a changé pendant que vous la lisiez : {auteur} l'a passée à « {etat} » {moment}. "
        "Relisez-la : votre action n'a pas été enregistrée."
    )


def candidature_transition(
    *, candidature: Candidature, to: str, actor, message: str = "", evenement_vu: int | None = None
) -> Candidature:
    """Apply one transition of workflow.TRANSITIONS, or raise TransitionRefusee and change nothing.

    `evenement_vu` is the last event of the history the actor saw (the forms of the agents carry
    it): when another change of state came after it, the transition is refused as stale.
    """
    message = (message or "").strip()
    with transaction.atomic():
        locked = Candidature.objects.select_for_update().select_related("appel", "collectivite").get(pk=candidature.pk)
        source = locked.etat
        if evenement_vu is not None:
            recent = _changement_recent(candidature=locked, evenement_vu=evenement_vu)
            if recent is not None:
                raise TransitionRefusee(_message_deja_change(recent))
        transition: Transition | None = transition_get(source=source, cible=to)
        if transition is None:
            if etat_get(source).final and source != to:
                recent = _changement_recent(candidature=locked, evenement_vu=None)
                if recent is not None and recent.etat_apres == source:
                    raise TransitionRefusee(_message_deja_change(recent))
            if source == to:
                raise TransitionRefusee(f"La candidature est déjà « {_etat_libelle(source)} ».")
            raise TransitionRefusee(
                f"Une candidature « {_etat_libelle(source)} » ne peut pas passer à « {_etat_libelle(to)} »."
            )
        if not transition.roles & permissions.roles_on(actor, locked):
            qui = " ou ".join(ROLES_LIBELLES[r] for r in sorted(transition.roles))
            raise TransitionRefusee(f"« {transition.libelle} » est réservé à {qui}.")
        if transition.message_requis and not message:
            raise TransitionRefusee(f"« {transition.libelle} » demande un message qui en donne les raisons.")
        problemes = [probleme for condition in transition.conditions for probleme in condition(locked)]
        if problemes:
            raise TransitionRefusee(f"« {transition.libelle} » n'est pas possible pour l'instant :", problemes)

        now = timezone.now()
        locked.etat = transition.cible
        locked.dernier_changement = now
        effet = EFFETS.get((source, transition.cible))
        if effet is not None:
            effet(candidature=locked, now=now)
        locked.save()
        evenement = EvenementCandidature.objects.create(
            candidature=locked, auteur=actor, etat_avant=source, etat_apres=transition.cible, message=message
        )
        contexte = {
            "candidature": locked,
            "evenement": evenement,
            "transition": transition,
            "url": settings.SITE_URL + locked.get_absolute_url(),
            "url_admin": settings.SITE_URL + reverse("admin:candidatures_candidature_change", args=[locked.pk]),
            "url_cite": settings.SITE_URL + locked.cite.get_absolute_url() if locked.cite_id else "",
        }
        if transition.email_porteurs:
            email_on_commit(
                template=transition.email_porteurs,
                context=contexte,
                to=porteurs_emails(collectivite_id=locked.collectivite_id),
            )
        if transition.email_agents:
            email_on_commit(
                template=transition.email_agents,
                context=contexte,
                to=agents_emails(region_id=locked.collectivite.region_id),
            )
    for nom in (
        "etat",
        "reference",
        "depose_le",
        "redepose_le",
        "dernier_changement",
        "recepisse",
        "modifie_le",
        "cite",
    ):
        setattr(candidature, nom, getattr(locked, nom))
    return locked
