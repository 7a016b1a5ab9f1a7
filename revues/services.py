"""Writes of the revues: answers saved as typed, troïka validations, e-mails."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from candidatures.emails import email_on_commit
from candidatures.selectors import agents_emails, agents_nationaux_emails
from candidatures.services import fichier_verifier
from cites.financements import _regions_des_cites
from cites.formats import montant, montant_lire
from cites.models import CiteEducative, PersonneCite
from cites.services import financement_completer, financement_libelle
from revues.models import Etat, Question, Questionnaire, Reponse, Revue, ValidationTroika
from revues.selectors import questions_of, revue_roles, troika_institutions
from revues.workflow import ETATS, REFERENT, TROIKA, TransitionRefusee, revue_transition


def revue_get_or_create(*, cite: CiteEducative, questionnaire: Questionnaire) -> Revue:
    revue, _ = Revue.objects.get_or_create(cite=cite, questionnaire=questionnaire)
    return revue


def _lire(question: Question, valeur: str) -> tuple[Decimal | None, str]:
    """(number read, error in French) for a typed answer; the text itself is always kept."""
    valeur = valeur.strip()
    if not valeur:
        return None, ""
    if question.type == Question.Type.MONTANT:
        try:
            return montant_lire(valeur), ""
        except ValueError as erreur:
            return None, str(erreur)
    if question.type == Question.Type.NOMBRE:
        try:
            return Decimal(valeur.replace("\u202f", "").replace(" ", "").replace(",", ".")), ""
        except InvalidOperation:
            return None, "Indiquez un nombre, par exemple 12 ou 3,5."
    if question.type == Question.Type.CHOIX and valeur not in question.choix:
        return None, f"Choisissez une des réponses proposées ({', '.join(question.choix)})."
    return None, ""


def reponses_save(*, revue: Revue, user, donnees: dict, fichiers: dict | None = None) -> list[Reponse]:
    """Save every answer given, valid or not: what was typed is kept as typed, with its error, so
    nothing is lost; an invalid answer blocks only the transmission. `donnees` maps
    "q<pk>" to the text typed, `fichiers` "q<pk>" to an uploaded PDF."""
    fichiers = fichiers or {}
    if REFERENT not in revue_roles(user=user, revue=revue):
        raise PermissionDenied
    if REFERENT not in ETATS[revue.etat].modifiable_par:
        raise ValidationError(f"La revue est « {ETATS[revue.etat].libelle} » : elle ne se modifie plus.")
    enregistrees = []
    with transaction.atomic():
        Revue.objects.select_for_update().filter(pk=revue.pk).first()
        existantes = {r.question_id: r for r in revue.reponses.all()}
        for question in questions_of(revue.questionnaire):
            cle = f"q{question.pk}"
            if question.type == Question.Type.FICHIER:
                fichier = fichiers.get(cle)
                if fichier is None:
                    continue
                reponse = existantes.get(question.pk) or Reponse(revue=revue, question=question)
                try:
                    _format, nom, _empreinte = fichier_verifier(fichier=fichier)
                except ValidationError as erreur:
                    reponse.erreur = " ".join(erreur.messages)[:300]
                else:
                    reponse.fichier.save(nom, fichier, save=False)
                    reponse.valeur, reponse.erreur = nom, ""
                reponse.save()
                enregistrees.append(reponse)
                continue
            if cle not in donnees:
                continue
            valeur = str(donnees[cle])[:20000]
            nombre, erreur = _lire(question, valeur)
            reponse = existantes.get(question.pk) or Reponse(revue=revue, question=question)
            reponse.valeur, reponse.nombre, reponse.erreur = valeur, nombre, erreur
            reponse.save()
            enregistrees.append(reponse)
        revue.save(update_fields=["modifie_le"])
    return enregistrees


def revue_valider(*, revue: Revue, user) -> Revue:
    """A troïka representative validates for their institution(s); the third validation moves
    the revue on to the région."""
    institutions = troika_institutions(user=user, revue=revue)
    if not institutions:
        raise PermissionDenied
    with transaction.atomic():
        locked = Revue.objects.select_for_update().get(pk=revue.pk)
        if locked.etat != Etat.TRANSMISE:
            raise TransitionRefusee(
                f"La revue est « {ETATS[locked.etat].libelle} » : elle ne se valide pas. Rien n'a été modifié."
            )
        for institution in institutions:
            ValidationTroika.objects.get_or_create(revue=locked, institution=institution, defaults={"valide_par": user})
        if locked.validations.count() == len(ValidationTroika.Institution.values):
            revue_transition(revue=locked, cible=Etat.VALIDEE, actor=user, roles={TROIKA})
    revue.refresh_from_db()
    return revue


def revue_financements_reporter(*, revue: Revue, actor) -> list[str]:
    """When the ANCT accepts a revue: the amounts answered to the questions tied to the cité's
    money (Question.financement) complete its money of the questionnaire's year, only where no
    agent has entered a figure (cites.services.financement_completer). Returns what the revue's
    history says of it, in French."""
    reponses = revue.reponses.select_related("question").filter(
        question__type=Question.Type.MONTANT, question__financement__gt="", erreur="", nombre__isnull=False
    )
    montants = {r.question.financement: r.nombre for r in reponses}
    if not montants:
        return []
    annee = revue.questionnaire.annee
    resultat = financement_completer(
        cite=revue.cite,
        annee=annee,
        montants=montants,
        source=f"la revue de projet {annee} acceptée par l'ANCT",
        user=actor,
    )
    lignes = []
    if resultat.repris:
        lignes.append(
            f"Financements {annee} de la cité complétés d'après la revue : "
            + " ; ".join(f"{financement_libelle(nom)} : {montant(v)}" for nom, v in resultat.repris.items())
            + "."
        )
    if resultat.gardes:
        lignes.append(
            "Non repris, déjà saisis par un agent : "
            + " ; ".join(
                f"{financement_libelle(nom)} : {montant(agent)} gardé (revue : {montant(declare)})"
                for nom, (agent, declare) in resultat.gardes.items()
            )
            + "."
        )
    if resultat.refuses:
        lignes.append(
            "Non repris : "
            + " ; ".join(f"{financement_libelle(nom)} : {raison}" for nom, raison in resultat.refuses.items())
            + "."
        )
    return lignes


def revue_emails_on_commit(*, revue: Revue, destinataires: str, actor, message: str) -> None:
    """E-mail a move of the revue to `destinataires` (a key of revues.workflow.DESTINATAIRES)."""
    if destinataires in ("referents", "troika"):
        roles = PersonneCite.ROLES_REFERENTS if destinataires == "referents" else PersonneCite.ROLES_TROIKA
        adresses = [p.email for p in revue.cite.personnes.filter(actif=True) if p.role in roles]
    elif destinataires == "region":
        region = _regions_des_cites([revue.cite_id]).get(revue.cite_id)
        adresses = agents_emails(region_id=region.pk if region else None)
    elif destinataires == "anct":
        adresses = agents_nationaux_emails()
    else:
        raise ValueError(f"Destinataires inconnus : {destinataires!r}")
    email_on_commit(
        template="revue_etat",
        context={
            "revue": revue,
            "etat": ETATS[revue.etat].libelle,
            "message": message,
            "url": settings.SITE_URL + reverse("revues:detail", args=[revue.pk]),
        },
        to=adresses,
    )
