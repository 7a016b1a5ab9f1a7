"""Writes of the instruction: the agent in charge, the assessment of each criterion, the région's
opinion, private notes and the message thread with the porteurs.

Changes of state still go through `services.candidature_transition` alone; every other change
leaves a row in JournalInstruction (who, when, what), notes and messages being their own record.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from candidatures import permissions
from candidatures.emails import email_on_commit
from candidatures.fichiers import fichier_verifier
from candidatures.models import (
    Candidature,
    Critere,
    Etat,
    EvaluationCritere,
    JournalInstruction,
    MessageCandidature,
    NoteAgent,
    PieceMessage,
    RappelInstruction,
    agent_signature,
)
from candidatures.selectors import agents_emails, porteurs_emails
from candidatures.workflow.appliquer import TransitionRefusee, candidature_transition
from candidatures.workflow.etats import etat_get


def _nom(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else "personne"


def _lock(candidature: Candidature) -> Candidature:
    return Candidature.objects.select_for_update().select_related("appel", "collectivite").get(pk=candidature.pk)


def _journal(*, candidature: Candidature, auteur, type: str, description: str) -> JournalInstruction:
    return JournalInstruction.objects.create(candidature=candidature, auteur=auteur, type=type, description=description)


def _urls(candidature: Candidature) -> dict:
    return {
        "url": settings.SITE_URL + candidature.get_absolute_url(),
        "url_admin": settings.SITE_URL + reverse("admin:candidatures_candidature_change", args=[candidature.pk]),
    }


# --- The agent in charge --------------------------------------------------------------------


def candidature_assign(*, candidature: Candidature, agent, instructeur) -> Candidature:
    """Put an agent (or nobody) in charge of the candidature."""
    with transaction.atomic():
        locked = _lock(candidature)
        if not permissions.can_assign_candidature(agent, locked):
            raise ValidationError("Vous ne pouvez pas attribuer cette candidature.")
        if instructeur is not None and not permissions.can_be_instructeur(instructeur, locked):
            raise ValidationError(
                f"{_nom(instructeur)} n'est ni agent de la région de cette candidature ni agent national."
            )
        if locked.instructeur_id == (instructeur.pk if instructeur else None):
            return locked
        avant = locked.instructeur
        locked.instructeur = instructeur
        locked.save(update_fields=["instructeur", "modifie_le"])
        if instructeur is not None:
            description = f"Instruction confiée à {_nom(instructeur)}"
        else:
            description = "Plus aucun agent n'instruit la candidature"
        if avant is not None:
            description += f" (auparavant {_nom(avant)})"
        _journal(candidature=locked, auteur=agent, type=JournalInstruction.Type.ATTRIBUTION, description=description)
    candidature.instructeur = locked.instructeur
    return locked


def candidature_take_charge(*, candidature: Candidature, agent, evenement_vu: int | None = None) -> Candidature:
    """Déposée → en instruction, the agent who takes charge becoming the agent in charge."""
    with transaction.atomic():
        locked = candidature_transition(
            candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent, evenement_vu=evenement_vu
        )
        if locked.instructeur_id != agent.pk:
            candidature_assign(candidature=locked, agent=agent, instructeur=agent)
    candidature.instructeur = agent
    return locked


# --- Assessment and opinion -----------------------------------------------------------------


def evaluations_save(*, candidature: Candidature, agent, saisies: list[tuple[Critere, str, str]]) -> int:
    """Save the grid: (criterion, appreciation, comment) per row; an empty appreciation leaves the
    criterion unassessed. Returns the number of criteria whose assessment changed."""
    libelles = dict(EvaluationCritere.Appreciation.choices)
    with transaction.atomic():
        locked = _lock(candidature)
        if not permissions.can_assess_candidature(agent, locked):
            if not etat_get(locked.etat).evaluation:
                raise ValidationError(
                    f"Cette candidature est « {locked.get_etat_display()} » : "
                    "les critères ne s'évaluent plus (seulement en instruction)."
                )
            raise ValidationError("Vous ne pouvez pas évaluer cette candidature.")
        existantes = {e.critere_id: e for e in locked.evaluations.all()}
        changes = 0
        for critere, appreciation, commentaire in saisies:
            if critere.appel_id != locked.appel_id:
                raise ValidationError(f"Le critère « {critere} » n'est pas un critère de l'appel de cette candidature.")
            commentaire = (commentaire or "").strip()
            existante = existantes.get(critere.pk)
            if not appreciation:
                if existante is not None:
                    existante.delete()
                    _journal(
                        candidature=locked,
                        auteur=agent,
                        type=JournalInstruction.Type.EVALUATION,
                        description=f"Critère {critere.numero} : évaluation retirée",
                    )
                    changes += 1
                continue
            if appreciation not in libelles:
                raise ValidationError(f"Appréciation inconnue pour le critère {critere.numero}.")
            if existante is not None and (existante.appreciation, existante.commentaire) == (appreciation, commentaire):
                continue
            if existante is None:
                existante = EvaluationCritere(candidature=locked, critere=critere)
                avant = "non évalué"
            else:
                avant = libelles[existante.appreciation]
            existante.appreciation = appreciation
            existante.commentaire = commentaire
            existante.agent = agent
            existante.full_clean(exclude=["candidature", "critere"])
            existante.save()
            description = f"Critère {critere.numero} : {avant} → {libelles[appreciation]}"
            if commentaire:
                description += f". Commentaire : {commentaire}"
            _journal(candidature=locked, auteur=agent, type=JournalInstruction.Type.EVALUATION, description=description)
            changes += 1
    return changes


def candidature_give_opinion(
    *, candidature: Candidature, agent, avis: str, motif: str, evenement_vu: int | None = None
) -> Candidature:
    """The région's opinion, favorable or défavorable with its reasons: en instruction → avis émis.
    Refused (TransitionRefusee) while a criterion is not assessed; then nothing is kept."""
    motif = (motif or "").strip()
    if avis not in Candidature.Avis.values:
        raise TransitionRefusee("Choisissez l'avis de la région : favorable ou défavorable.")
    if not motif:
        raise TransitionRefusee("L'avis de la région demande ses motifs, par écrit.")
    libelle = Candidature.Avis(avis).label
    with transaction.atomic():
        locked = _lock(candidature)
        locked.avis_region = avis
        locked.avis_region_motif = motif
        locked.save(update_fields=["avis_region", "avis_region_motif", "modifie_le"])
        # The change of state records the opinion (who, when, which, why): the history says it once.
        locked = candidature_transition(
            candidature=locked,
            to=Etat.AVIS_EMIS,
            actor=agent,
            message=f"Avis {libelle} de la région : {motif}",
            evenement_vu=evenement_vu,
        )
    candidature.avis_region, candidature.avis_region_motif = avis, motif
    return locked


# --- Notes and messages ---------------------------------------------------------------------


def note_add(*, candidature: Candidature, agent, texte: str) -> NoteAgent:
    """A private note between agents, never shown to the porteurs."""
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError("La note est vide.")
    if not permissions.can_instruct_candidature(agent, candidature):
        raise ValidationError("Vous ne pouvez pas annoter cette candidature.")
    return NoteAgent.objects.create(candidature=candidature, auteur=agent, texte=texte)


def message_send(*, candidature: Candidature, user, texte: str, fichiers=()) -> MessageCandidature:
    """A message of the thread, from an agent to the porteurs or from a porteur to the agents,
    with its attachments (checked like the candidature's); the other side receives an e-mail notice."""
    texte = (texte or "").strip()
    if not texte and not fichiers:
        raise ValidationError("Le message est vide.")
    if not permissions.can_message_candidature(user, candidature):
        raise ValidationError("Vous ne pouvez pas écrire sur cette candidature.")
    verifies = [(fichier, *fichier_verifier(fichier=fichier)) for fichier in fichiers]
    de_agent = permissions.can_instruct_candidature(user, candidature)
    with transaction.atomic():
        message = MessageCandidature.objects.create(
            candidature=candidature, auteur=user, de_agent=de_agent, texte=texte
        )
        for fichier, fmt, nom, hash_contenu in verifies:
            piece = PieceMessage(message=message, nom=nom, format=fmt, taille=fichier.size, empreinte=hash_contenu)
            piece.fichier.save(nom, fichier, save=False)
            piece.save()
        # The writer as the e-mail names them: an agent with their institution (« … (DRAJES Occitanie) »).
        contexte = {
            "candidature": candidature,
            "message": message,
            "auteur": agent_signature(user),
            **_urls(candidature),
        }
        if de_agent:
            destinataires = porteurs_emails(collectivite_id=candidature.collectivite_id)
            email_on_commit(template="message_porteurs", context=contexte, to=destinataires)
        else:
            instructeur = candidature.instructeur
            if instructeur is not None and instructeur.is_active and instructeur.email:
                destinataires = [instructeur.email]
            else:
                destinataires = agents_emails(region_id=candidature.collectivite.region_id)
            email_on_commit(template="message_agents", context=contexte, to=destinataires)
    return message


# --- Daily reminders of overdue instructions ------------------------------------------------


def rappels_instruction_envoyer(*, today: datetime.date) -> dict:
    """E-mail each agent in charge of candidatures past their instruction deadline (waiting for
    an agent, not for the porteur), one e-mail per agent listing them. A candidature is reminded
    once a day at most: each reminder is recorded, and a candidature already reminded on `today`
    is skipped. Candidatures nobody instruits have no one to remind (the lists highlight them).
    Returns {"agents": n, "candidatures": n}."""
    from candidatures.selectors import ETATS_ATTENTE_AGENTS

    en_retard = (
        Candidature.objects.filter(
            etat__in=ETATS_ATTENTE_AGENTS,
            echeance_instruction__lt=today,
            instructeur__isnull=False,
            instructeur__is_active=True,
        )
        .exclude(rappels__date=today)
        .exclude(instructeur__email="")
        .select_related("collectivite", "instructeur")
        .order_by("echeance_instruction", "pk")
    )
    par_agent: dict[int, list] = defaultdict(list)
    agents = {}
    for candidature in en_retard:
        # Another agent may lose their rights on the candidature (moved to another région).
        agent = agents.setdefault(candidature.instructeur_id, candidature.instructeur)  # groups read once
        if not permissions.can_be_instructeur(agent, candidature):
            continue
        par_agent[candidature.instructeur_id].append(candidature)
    envoyes = agents_prevenus = 0
    for agent_id, candidatures in par_agent.items():
        agent = agents[agent_id]
        with transaction.atomic():
            # The unique (candidature, day) row is the lock: a second run the same day sends nothing.
            rappelees = []
            for candidature in candidatures:
                with transaction.atomic():
                    _, cree = RappelInstruction.objects.get_or_create(
                        candidature=candidature, date=today, defaults={"agent": agent}
                    )
                if cree:
                    rappelees.append(candidature)
            lignes = [
                {
                    "candidature": c,
                    "retard": (today - c.echeance_instruction).days,
                    "url": settings.SITE_URL + reverse("admin:candidatures_candidature_change", args=[c.pk]),
                }
                for c in rappelees
            ]
            if lignes:
                email_on_commit(template="rappel_instruction", context={"candidatures": lignes}, to=[agent.email])
        if not rappelees:
            continue
        agents_prevenus += 1
        envoyes += len(rappelees)
    return {"agents": agents_prevenus, "candidatures": envoyes}
