"""Writes of the people of a candidature (issue 13, « troïka as people »): the porteur (or a
co-editor) names the troïka's representatives, the CPO and the principal of the collège chef de
file; asks the troïka to confirm the candidature (an e-mail with a signed link, no account needed);
invites the CPO and the principal as co-editors (an e-mail with a signed link that links or creates
their account).

Links are signed (django.core.signing) with the person, their address and the time of the request:
changing the address or asking again makes the earlier links invalid; they expire after
settings.CANDIDATURE_LIEN_MAX_AGE. Reads of the confirmations are in candidatures.troika.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidatures import acteurs, permissions
from candidatures.emails import email_on_commit
from candidatures.models import Candidature, PersonneCandidature
from candidatures.troika import INSTITUTIONS, candidature_empreinte, troika_confirmations
from candidatures.workflow.etats import PORTEUR, etat_get

SEL_TROIKA = "candidatures.troika-confirmation"
SEL_COEDITION = "candidatures.coedition-invitation"


class LienInvalide(ValidationError):
    """A link that was altered, is too old, or was replaced by a newer one: `expire` says which."""

    def __init__(self, message: str, *, expire: bool = False):
        super().__init__(message)
        self.expire = expire


def _lock(*, candidature: Candidature, user) -> Candidature:
    locked = Candidature.objects.select_for_update().select_related("collectivite", "appel").get(pk=candidature.pk)
    if not permissions.can_edit_candidature(user, locked):
        raise ValidationError(
            f"Cette candidature est « {locked.get_etat_display()} » : ses personnes ne se modifient plus."
            if PORTEUR not in etat_get(locked.etat).modifiable_par
            else "Vous ne pouvez pas modifier cette candidature."
        )
    return locked


# --- The people ---------------------------------------------------------------------------------


def personne_save(
    *, candidature: Candidature, user, role: str, nom: str, fonction: str = "", email: str
) -> PersonneCandidature:
    """Name (or change) the person holding `role`. A new address, or a new person, starts over:
    the confirmation or the invitation is to ask again, the account linked is let go."""
    if role not in PersonneCandidature.ROLES:
        raise ValidationError("Rôle inconnu.")
    with transaction.atomic():
        locked = _lock(candidature=candidature, user=user)
        personne = PersonneCandidature.objects.filter(candidature=locked, role=role).first()
        if personne is None:
            personne = PersonneCandidature(candidature=locked, role=role)
        email = (email or "").strip().lower()
        if personne.pk is not None and (personne.email != email or personne.nom != nom.strip()):
            personne.demande_le = personne.confirme_le = None
            personne.demande_par = personne.user = None
            personne.empreinte = ""
        personne.nom = nom.strip()
        personne.fonction = fonction.strip()
        personne.email = email
        personne.full_clean()
        personne.save()
    return personne


def personne_delete(*, personne: PersonneCandidature, user) -> None:
    with transaction.atomic():
        _lock(candidature=personne.candidature, user=user)
        personne.delete()


def personnes_copier_depuis_cite(*, candidature: Candidature, personnes) -> list[PersonneCandidature]:
    """A renewal starts with the cité's troïka, CPO and principal (cites.PersonneCite), unconfirmed."""
    copies = []
    vus = set()
    for p in personnes:
        if p.role not in PersonneCandidature.ROLES or p.role in vus:
            continue
        vus.add(p.role)
        copie = PersonneCandidature(candidature=candidature, role=p.role, nom=p.nom, fonction=p.fonction, email=p.email)
        copie.full_clean()
        copies.append(copie)
    return PersonneCandidature.objects.bulk_create(copies)


# --- Signed links -------------------------------------------------------------------------------


def _jeton(personne: PersonneCandidature, *, sel: str) -> str:
    return signing.dumps(
        {"p": personne.pk, "e": personne.email, "d": personne.demande_le.timestamp()}, salt=sel, compress=True
    )


def _personne_du_jeton(token: str, *, sel: str, roles) -> PersonneCandidature:
    try:
        data = signing.loads(token, salt=sel, max_age=settings.CANDIDATURE_LIEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LienInvalide(
            "Ce lien a expiré. Demandez au porteur de la candidature de vous en envoyer un nouveau.", expire=True
        ) from exc
    except signing.BadSignature as exc:
        raise LienInvalide("Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier.") from exc
    personne = (
        PersonneCandidature.objects.select_related("candidature__collectivite", "candidature__appel")
        .filter(pk=data.get("p"), email=data.get("e"), role__in=roles)
        .first()
    )
    if personne is None or personne.demande_le is None:
        raise LienInvalide("Ce lien ne correspond plus à personne de la candidature : le porteur l’a modifiée.")
    if abs(personne.demande_le.timestamp() - float(data.get("d", 0))) > 0.001:
        raise LienInvalide(
            "Ce lien a été remplacé par un plus récent : utilisez le dernier courriel reçu.", expire=True
        )
    return personne


def troika_lien(personne: PersonneCandidature) -> str:
    return settings.SITE_URL + reverse("troika:confirmer", kwargs={"token": _jeton(personne, sel=SEL_TROIKA)})


def troika_personne_from_token(token: str) -> PersonneCandidature:
    return _personne_du_jeton(token, sel=SEL_TROIKA, roles=PersonneCandidature.ROLES_TROIKA)


def coedition_lien(personne: PersonneCandidature) -> str:
    return settings.SITE_URL + reverse("troika:invitation", kwargs={"token": _jeton(personne, sel=SEL_COEDITION)})


def coedition_personne_from_token(token: str) -> PersonneCandidature:
    return _personne_du_jeton(token, sel=SEL_COEDITION, roles=PersonneCandidature.ROLES_COEDITION)


# --- The troïka's confirmation ------------------------------------------------------------------


def troika_demander(*, candidature: Candidature, user) -> list[PersonneCandidature]:
    """Ask every representative whose confirmation does not match today's content (never asked,
    waiting, or « à renouveler »): each receives an e-mail with their own signed link."""
    with transaction.atomic():
        locked = _lock(candidature=candidature, user=user)
        empreinte = candidature_empreinte(candidature=locked)
        a_demander = [
            c.personne
            for c in troika_confirmations(candidature=locked, empreinte=empreinte)
            if c.personne is not None and not c.confirmee
        ]
        if not a_demander:
            raise ValidationError(
                "Aucune confirmation à demander : indiquez les représentants de la troïka, "
                "ou leurs confirmations sont déjà à jour."
            )
        now = timezone.now()
        for personne in a_demander:
            personne.demande_le = now
            personne.demande_par = user
            personne.save(update_fields=["demande_le", "demande_par", "modifie_le"])
            email_on_commit(
                template="troika_confirmation",
                context={
                    "personne": personne,
                    "candidature": locked,
                    "institution": INSTITUTIONS[personne.role],
                    "demandeur_nom": acteurs.auteur_nom(user),
                    "url": troika_lien(personne),
                    "jours": settings.CANDIDATURE_LIEN_MAX_AGE // 86400,
                },
                to=[personne.email],
            )
    return a_demander


def troika_confirmer(*, personne: PersonneCandidature) -> PersonneCandidature:
    """« Je confirme au nom de … »: the representative (who followed their signed link) confirms the
    candidature as it is now; the fingerprint of that content is kept with the confirmation."""
    with transaction.atomic():
        candidature = Candidature.objects.select_for_update().get(pk=personne.candidature_id)
        if PORTEUR not in etat_get(candidature.etat).modifiable_par:
            raise ValidationError(
                f"Cette candidature est « {candidature.get_etat_display()} » : votre confirmation n’est plus attendue."
            )
        personne = PersonneCandidature.objects.select_for_update().get(pk=personne.pk)
        personne.confirme_le = timezone.now()
        personne.empreinte = candidature_empreinte(candidature=candidature)
        personne.save(update_fields=["confirme_le", "empreinte", "modifie_le"])
    return personne


# --- Co-editors (CPO, principal) ----------------------------------------------------------------


def coedition_inviter(*, personne: PersonneCandidature, user) -> PersonneCandidature:
    if not personne.coediteur:
        raise ValidationError("Seuls le CPO et le principal du collège chef de file sont invités à co-éditer.")
    with transaction.atomic():
        locked = _lock(candidature=personne.candidature, user=user)
        personne = PersonneCandidature.objects.select_for_update().get(pk=personne.pk)
        personne.demande_le = timezone.now()
        personne.demande_par = user
        personne.save(update_fields=["demande_le", "demande_par", "modifie_le"])
        email_on_commit(
            template="coedition_invitation",
            context={
                "personne": personne,
                "candidature": locked,
                "demandeur_nom": acteurs.auteur_nom(user),
                "url": coedition_lien(personne),
                "jours": settings.CANDIDATURE_LIEN_MAX_AGE // 86400,
            },
            to=[personne.email],
        )
    return personne


def coedition_accepter(*, personne: PersonneCandidature, user) -> PersonneCandidature:
    """The invitee, logged in, links their account: they co-edit the candidature from now on."""
    if not user.is_authenticated or not user.is_active:
        raise ValidationError("Connectez-vous pour accepter l’invitation.")
    with transaction.atomic():
        personne = PersonneCandidature.objects.select_for_update().get(pk=personne.pk)
        personne.user = user
        personne.confirme_le = timezone.now()
        personne.save(update_fields=["user", "confirme_le", "modifie_le"])
    return personne


def coedition_compte_creer(*, personne: PersonneCandidature, prenom: str, nom: str, password: str):
    """An invitee without an account creates one on the invitation page: the signed link sent to
    their address proves it. The account has no collectivité; it sees the candidatures it co-edits."""
    User = get_user_model()
    email = personne.email
    if User.objects.filter(username__iexact=email).exists():
        raise ValidationError("Un compte existe déjà pour cette adresse : connectez-vous pour accepter l’invitation.")
    user = User(username=email, email=email, first_name=prenom.strip(), last_name=nom.strip())
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        coedition_accepter(personne=personne, user=user)
    return user
