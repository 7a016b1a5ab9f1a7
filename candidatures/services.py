"""Writes: accounts, candidatures, attachments, and the one function that changes a candidature's state."""

import os
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidatures import permissions
from candidatures.emails import email_on_commit
from candidatures.fichiers import FORMATS, TAILLE_MAX, detect_format, empreinte
from candidatures.labellisation import effet_labellisation
from candidatures.models import (
    AppelAProjets,
    BrouillonEtape,
    Candidature,
    Collectivite,
    CompteurReference,
    CompteurTentatives,
    Etat,
    EvenementCandidature,
    FicheAction,
    Indicateur,
    LigneBudget,
    PieceJointe,
    ProfilPorteur,
)
from candidatures.selectors import (
    adresse_cle,
    appel_est_ouvert,
    candidature_verifications_resume,
    connexion_cle,
    connexion_cle_prefixe,
    qpv_list_for_communes,
)
from candidatures.workflow import ETATS_FINAUX, ETATS_MODIFIABLES, ROLES_LIBELLES, Transition, transition_get
from cites.formats import taille
from cites.models import Commune, Epci

User = get_user_model()

# --- Log-in lock-out and rate limits ---------------------------------------------------------
# Counters live in the database (CompteurTentatives), shared by every application server.


def email_normalize(email: str) -> str:
    return (email or "").strip().lower()


def tentative_compter(*, cle: str, fenetre: int, now=None) -> CompteurTentatives:
    """Count one attempt under `cle` in a window of `fenetre` seconds (a new window starts after it)."""
    now = now or timezone.now()
    with transaction.atomic():
        compteur, _ = CompteurTentatives.objects.select_for_update().get_or_create(
            cle=cle, defaults={"nombre": 0, "debut": now}
        )
        if compteur.debut + timedelta(seconds=fenetre) <= now:
            compteur.nombre, compteur.debut, compteur.bloque_jusqu_a = 0, now, None
        compteur.nombre += 1
        compteur.save()
    return compteur


def limite_atteinte(*, cle: str, limite: int, fenetre: int) -> bool:
    """Count one attempt (sign-up, password reset…) and say whether it goes over `limite` per window."""
    return tentative_compter(cle=cle, fenetre=fenetre).nombre > limite


def connexion_echec_enregistrer(*, identifiant: str, adresse: str) -> None:
    """A failed log-in: the (account, address) pair is blocked after LOGIN_FAILURES_LIMIT failures,
    for a delay that doubles at each further failure; the address alone counts toward a ceiling.
    The account itself is never blocked: its owner, from another address, still logs in."""
    now = timezone.now()
    compte = tentative_compter(cle=connexion_cle(identifiant=identifiant, adresse=adresse), fenetre=86400, now=now)
    depassement = compte.nombre - settings.LOGIN_FAILURES_LIMIT
    if depassement >= 0:
        delai = min(settings.LOGIN_LOCKOUT_SECONDS * 2**depassement, settings.LOGIN_LOCKOUT_MAX_SECONDS)
        CompteurTentatives.objects.filter(pk=compte.pk).update(bloque_jusqu_a=now + timedelta(seconds=delai))
    tentative_compter(cle=adresse_cle(adresse=adresse), fenetre=settings.LOGIN_ADDRESS_WINDOW_SECONDS, now=now)


def connexion_reussie_enregistrer(*, identifiant: str, adresse: str | None = None) -> None:
    """A successful log-in (or a new password) clears the failures of that account: from that
    address, or from every address when `adresse` is None (a password reset)."""
    if adresse is None:
        CompteurTentatives.objects.filter(cle__startswith=connexion_cle_prefixe(identifiant=identifiant)).delete()
    else:
        CompteurTentatives.objects.filter(cle=connexion_cle(identifiant=identifiant, adresse=adresse)).delete()


# --- Accounts -------------------------------------------------------------------------------

CONFIRMATION_SALT = "candidatures.confirmation-email"


def _region_of(communes: list[Commune]):
    regions = [c.departement.region for c in communes if c.departement.region_id]
    if not regions:
        return None
    # An intercommunality spanning two régions goes to the région of most of its communes.
    return max(set(regions), key=lambda r: (regions.count(r), -r.pk))


def collectivite_get_or_create_commune(*, commune: Commune) -> Collectivite:
    collectivite = Collectivite.objects.filter(type=Collectivite.Type.COMMUNE, code=commune.code).first()
    if collectivite:
        return collectivite
    collectivite = Collectivite(
        type=Collectivite.Type.COMMUNE,
        code=commune.code,
        nom=commune.nom,
        commune=commune,
        region=_region_of([commune]),
    )
    collectivite.full_clean()
    collectivite.save()
    collectivite.communes.set([commune])
    return collectivite


def collectivite_get_or_create_epci(
    *, siren: str, epci: Epci | None = None, nom: str = "", communes: list[Commune] | None = None
) -> Collectivite:
    """An intercommunality: from the reference data when known, else as the porteur describes it."""
    collectivite = Collectivite.objects.filter(type=Collectivite.Type.EPCI, code=siren).first()
    if collectivite:
        return collectivite
    if epci is not None:
        nom = epci.nom
        communes = list(epci.communes.select_related("departement__region"))
    if not communes:
        raise ValidationError("Indiquez au moins une commune membre de l'intercommunalité.")
    collectivite = Collectivite(
        type=Collectivite.Type.EPCI, code=siren, nom=nom, epci=epci, region=_region_of(communes)
    )
    collectivite.full_clean()
    collectivite.save()
    collectivite.communes.set(communes)
    return collectivite


def porteur_register(
    *,
    email: str,
    password: str,
    prenom: str,
    nom: str,
    collectivite: Collectivite,
    fonction: str = "",
    telephone: str = "",
) -> User | None:
    """Create a porteur's account, waiting for e-mail confirmation and an agent's validation.

    For an address that already has an account, nothing is created and its owner is told by
    e-mail that someone tried: the caller answers the same as for a new account, so sign-up
    never reveals which addresses have an account. Returns None then.
    """
    email = email_normalize(email)
    existant = User.objects.filter(username__iexact=email).order_by("pk").first()
    if existant is not None:
        url = settings.SITE_URL + reverse("comptes:mot_de_passe_oublie")
        email_on_commit(template="inscription_existante", context={"user": existant, "url": url}, to=[existant.email])
        return None
    user = User(username=email, email=email, first_name=prenom.strip(), last_name=nom.strip())
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        ProfilPorteur.objects.create(
            user=user, collectivite=collectivite, fonction=fonction.strip(), telephone=telephone.strip()
        )
        porteur_send_confirmation(user=user)
    return user


def email_confirmation_token(*, user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRMATION_SALT, compress=True)


def porteur_send_confirmation(*, user) -> None:
    url = settings.SITE_URL + reverse("comptes:confirmation", kwargs={"token": email_confirmation_token(user=user)})
    email_on_commit(
        template="confirmation",
        context={"user": user, "url": url, "jours": settings.EMAIL_CONFIRMATION_MAX_AGE // 86400},
        to=[user.email],
    )


def porteur_confirm_email(*, token: str) -> ProfilPorteur:
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError("Ce lien de confirmation a expiré. Connectez-vous pour en recevoir un nouveau.") from exc
    except signing.BadSignature as exc:
        raise ValidationError(
            "Ce lien de confirmation n'est pas valide. Vérifiez qu'il a été copié en entier."
        ) from exc
    profil = (
        ProfilPorteur.objects.select_related("user", "collectivite")
        .filter(user_id=data.get("u"), user__email=data.get("e"))
        .first()
    )
    if profil is None:
        raise ValidationError("Ce lien de confirmation ne correspond à aucun compte.")
    if profil.email_confirme_le is None:
        profil.email_confirme_le = timezone.now()
        profil.save(update_fields=["email_confirme_le", "modifie_le"])
        agents = _agents_emails(region_id=profil.collectivite.region_id)
        email_on_commit(template="agents_compte_a_valider", context={"profil": profil}, to=agents)
    return profil


def porteur_validate(*, profil: ProfilPorteur, agent) -> ProfilPorteur:
    if not permissions.can_validate_porteur(agent, profil):
        raise ValidationError("Seul un agent de la région de la collectivité peut valider ce compte.")
    with transaction.atomic():
        profil = ProfilPorteur.objects.select_for_update().select_related("user", "collectivite").get(pk=profil.pk)
        if profil.statut == ProfilPorteur.Statut.VALIDE:
            return profil
        profil.statut = ProfilPorteur.Statut.VALIDE
        profil.statut_modifie_le = timezone.now()
        profil.statut_modifie_par = agent
        profil.motif_refus = ""
        profil.save()
        email_on_commit(template="compte_valide", context={"profil": profil}, to=[profil.user.email])
    return profil


def porteur_refuse(*, profil: ProfilPorteur, agent, motif: str) -> ProfilPorteur:
    if not permissions.can_validate_porteur(agent, profil):
        raise ValidationError("Seul un agent de la région de la collectivité peut refuser ce compte.")
    if not motif.strip():
        raise ValidationError("Indiquez le motif du refus : il est envoyé au porteur.")
    with transaction.atomic():
        profil = ProfilPorteur.objects.select_for_update().select_related("user", "collectivite").get(pk=profil.pk)
        profil.statut = ProfilPorteur.Statut.REFUSE
        profil.statut_modifie_le = timezone.now()
        profil.statut_modifie_par = agent
        profil.motif_refus = motif.strip()
        profil.save()
        email_on_commit(template="compte_refuse", context={"profil": profil}, to=[profil.user.email])
    return profil


def _porteurs_emails(*, collectivite_id: int) -> list[str]:
    return list(
        User.objects.filter(
            is_active=True,
            profil_porteur__collectivite_id=collectivite_id,
            profil_porteur__statut=ProfilPorteur.Statut.VALIDE,
            profil_porteur__email_confirme_le__isnull=False,
        ).values_list("email", flat=True)
    )


def _agents_emails(*, region_id: int | None) -> list[str]:
    if region_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=permissions.GROUPE_AGENTS_REGIONAUX,
            profil_agent__region_id=region_id,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


# --- Candidatures ---------------------------------------------------------------------------


def candidature_create(*, user, appel: AppelAProjets, communes: list[Commune] | None = None) -> Candidature:
    """— → brouillon: a validated porteur opens a draft on an open call.

    `communes` (from the eligibility simulator, already checked to be the collectivité's): the
    draft starts with them and their 2024 QPVs instead of the collectivité's own commune."""
    if not permissions.can_file(user):
        raise ValidationError(
            "Votre compte doit être confirmé et validé par un agent avant de déposer une candidature."
        )
    if not appel_est_ouvert(appel=appel):
        raise ValidationError(f"L'appel à projets « {appel.titre} » n'est pas ouvert aux dépôts à cette date.")
    collectivite = user.profil_porteur.collectivite
    with transaction.atomic():
        candidature = Candidature.objects.create(
            appel=appel, collectivite=collectivite, cree_par=user, dernier_changement=timezone.now()
        )
        membres = set(collectivite.communes.values_list("pk", flat=True))
        communes = [commune for commune in communes or [] if commune.pk in membres]
        if communes:
            candidature.communes.set(communes)
            candidature.qpvs.set(qpv_list_for_communes(communes=communes))
        elif collectivite.type == Collectivite.Type.COMMUNE:
            candidature.communes.set([collectivite.commune_id])
        EvenementCandidature.objects.create(candidature=candidature, auteur=user, etat_apres=Etat.BROUILLON)
    return candidature


# Each step of the form writes these fields, relations and rows, and nothing else.
ETAPES_CHAMPS = {
    "territoire": (["titre", "cite_etendue"], ["communes", "qpvs"], None),
    "ecoles": (
        ["college_chef_de_file", "college_chef_de_file_autre", "etablissements_hors_referentiel"],
        ["etablissements"],
        None,
    ),
    "diagnostic": (["diagnostic"], [], Indicateur),
    "actions": ([], [], FicheAction),
    "pilotage": (
        [
            "troika_prefecture",
            "troika_education",
            "troika_collectivite",
            "chef_de_projet_nom",
            "chef_de_projet_email",
            "chef_de_projet_telephone",
            "gouvernance",
            "actions_ressources",
            "actions_complementaires",
        ],
        [],
        None,
    ),
    "budget": ([], [], LigneBudget),
    "communication": (["plan_communication", "demarche_evaluation"], [], None),
}


def _lock_editable(*, candidature: Candidature, user) -> Candidature:
    locked = Candidature.objects.select_for_update().select_related("collectivite").get(pk=candidature.pk)
    if not permissions.can_edit_candidature(user, locked):
        if locked.etat not in ETATS_MODIFIABLES:
            raise ValidationError(
                f"Cette candidature est « {locked.get_etat_display()} » : elle ne peut plus être modifiée."
            )
        raise ValidationError("Vous ne pouvez pas modifier cette candidature.")
    return locked


def candidature_update(
    *,
    candidature: Candidature,
    user,
    etape: str,
    champs: dict | None = None,
    relations: dict | None = None,
    lignes: list[dict] | None = None,
    saisie: dict | None = None,
    erreurs: list[dict] | None = None,
) -> Candidature:
    """Save one step: its valid fields, its many-to-many choices and its valid rows (replaced as a whole).

    `erreurs` lists the fields of the step that did not validate: what was typed (`saisie`, the
    raw form data) is kept beside the candidature to be shown again as typed, and the summary
    and the deposit see it. Without errors, that kept input is dropped.
    """
    noms_champs, noms_relations, modele_lignes = ETAPES_CHAMPS[etape]
    champs = champs or {}
    relations = relations or {}
    inconnus = (set(champs) - set(noms_champs)) | (set(relations) - set(noms_relations))
    if inconnus:
        raise ValueError(f"fields not in step {etape}: {sorted(inconnus)}")
    with transaction.atomic():
        locked = _lock_editable(candidature=candidature, user=user)
        for nom, valeur in champs.items():
            setattr(locked, nom, valeur)
        locked.full_clean(exclude=["recepisse"])
        locked.save()
        for nom, valeurs in relations.items():
            getattr(locked, nom).set(valeurs)
        if modele_lignes is not None and lignes is not None:
            modele_lignes.objects.filter(candidature=locked).delete()
            objets = []
            for ordre, ligne in enumerate(lignes):
                objet = modele_lignes(candidature=locked, ordre=ordre, **ligne)
                objet.full_clean(exclude=["candidature"])
                objets.append(objet)
            modele_lignes.objects.bulk_create(objets)
        if erreurs:
            BrouillonEtape.objects.update_or_create(
                candidature=locked, etape=etape, defaults={"donnees": saisie or {}, "erreurs": erreurs}
            )
        else:
            BrouillonEtape.objects.filter(candidature=locked, etape=etape).delete()
    return locked


def fichier_verifier(*, fichier) -> tuple[str, str, str]:
    """Check an uploaded file (size, real content): (format, final name, SHA-256), or ValidationError."""
    nom = os.path.basename(getattr(fichier, "name", "") or "fichier")
    if fichier.size > TAILLE_MAX:
        raise ValidationError(
            f"Le fichier « {nom} » pèse {taille(fichier.size)} : la taille maximale est de {taille(TAILLE_MAX)}."
        )
    if fichier.size == 0:
        raise ValidationError(f"Le fichier « {nom} » est vide.")
    fmt = detect_format(fichier)
    if fmt is None:
        raise ValidationError(
            f"Le fichier « {nom} » ne s'ouvre pas comme un PDF, un tableur (ODS, XLSX) ou un document Word "
            "(DOCX), quel que soit son nom : il est peut-être abîmé, protégé par un mot de passe ou d'un autre "
            "format. Enregistrez-le de nouveau dans l'un de ces formats."
        )
    base, _ = os.path.splitext(nom)
    return fmt, (base or "fichier")[:200] + FORMATS[fmt][1], empreinte(fichier)


def piece_add(*, candidature: Candidature, user, type: str, fichier) -> PieceJointe:
    """Attach a file after checking its size and what its content really is; the same content
    twice on one candidature is refused."""
    fmt, nom_final, hash_contenu = fichier_verifier(fichier=fichier)
    with transaction.atomic():
        locked = _lock_editable(candidature=candidature, user=user)
        deja = PieceJointe.objects.filter(candidature=locked, empreinte=hash_contenu).first()
        if deja is not None:
            raise ValidationError(
                f"Ce fichier est déjà joint à la candidature, sous le nom « {deja.nom} » "
                f"({deja.get_type_display()}) : inutile de l'ajouter une seconde fois."
            )
        piece = PieceJointe(
            candidature=locked,
            type=type,
            nom=nom_final,
            format=fmt,
            taille=fichier.size,
            empreinte=hash_contenu,
            ajoute_par=user,
        )
        piece.fichier.save(nom_final, fichier, save=False)
        try:
            piece.full_clean(exclude=["fichier"])
            piece.save()
        except Exception:
            piece.fichier.delete(save=False)
            raise
        Candidature.objects.filter(pk=locked.pk).update(modifie_le=timezone.now())
    return piece


def piece_delete(*, piece: PieceJointe, user) -> None:
    with transaction.atomic():
        _lock_editable(candidature=piece.candidature, user=user)
        fichier = piece.fichier.name
        storage = piece.fichier.storage
        piece.delete()
        transaction.on_commit(lambda: storage.delete(fichier))


# --- The workflow ---------------------------------------------------------------------------


class TransitionRefusee(Exception):
    """A transition that is not allowed: nothing changed. `problemes` lists what is missing."""

    def __init__(self, message: str, problemes: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problemes = problemes or []

    def __str__(self) -> str:
        return " ".join([self.message, *self.problemes])


def _numero_reference(*, annee: int) -> int:
    CompteurReference.objects.get_or_create(annee=annee)
    compteur = CompteurReference.objects.select_for_update().get(annee=annee)
    compteur.dernier += 1
    compteur.save(update_fields=["dernier"])
    return compteur.dernier


def _effet_depot(*, candidature: Candidature, now) -> None:
    from candidatures.recepisse import recepisse_pdf

    if candidature.reference is None:
        annee = timezone.localtime(now).year
        candidature.reference = f"CE-{annee}-{_numero_reference(annee=annee):04d}"
    candidature.depose_le = now
    delai = timedelta(days=candidature.appel.delai_instruction_jours)
    candidature.echeance_instruction = timezone.localtime(now).date() + delai
    candidature.verifications = candidature_verifications_resume(candidature=candidature)
    _recepisse_save(candidature=candidature, pdf=recepisse_pdf(candidature=candidature))


def _effet_redepot(*, candidature: Candidature, now) -> None:
    from candidatures.recepisse import recepisse_pdf

    # « Déposée le » keeps the first deposit; the re-deposit has its own date.
    candidature.redepose_le = now
    candidature.verifications = candidature_verifications_resume(candidature=candidature)
    _recepisse_save(candidature=candidature, pdf=recepisse_pdf(candidature=candidature))


def _recepisse_save(*, candidature: Candidature, pdf: bytes) -> None:
    ancien = candidature.recepisse.name if candidature.recepisse else ""
    candidature.recepisse.save(f"recepisse-{candidature.reference}.pdf", ContentFile(pdf), save=False)
    if ancien and ancien != candidature.recepisse.name:
        storage = candidature.recepisse.storage
        transaction.on_commit(lambda: storage.delete(ancien))


# What a transition does besides changing the state (issue 4 adds the label decision here).
EFFETS: dict[tuple[str, str], Callable] = {
    (Etat.BROUILLON, Etat.DEPOSEE): _effet_depot,
    (Etat.COMPLEMENTS_DEMANDES, Etat.EN_INSTRUCTION): _effet_redepot,
    # The label decision creates or extends the cité and publishes it (candidatures.labellisation).
    (Etat.AVIS_EMIS, Etat.LABELLISEE): effet_labellisation,
}


def _etat_libelle(etat: str) -> str:
    return Etat(etat).label if etat in Etat.values else str(etat)


def _changement_recent(*, candidature: Candidature, evenement_vu: int | None) -> EvenementCandidature | None:
    """The latest change of state made after the one the actor saw (None when nothing changed)."""
    qs = candidature.evenements.select_related("auteur").order_by("-date", "-pk")
    if evenement_vu is not None:
        qs = qs.filter(pk__gt=evenement_vu)
    return qs.first()


def _message_deja_change(evenement: EvenementCandidature) -> str:
    auteur = (
        (evenement.auteur.get_full_name() or evenement.auteur.email) if evenement.auteur else "un autre utilisateur"
    )
    quand = timezone.localtime(evenement.date)
    moment = f"le {quand:%d/%m/%Y} à {quand:%H:%M}"
    etat = _etat_libelle(evenement.etat_apres)
    if evenement.etat_apres == Etat.RETIREE:
        return f"Cette candidature a été retirée par {auteur} {moment}. Votre action n'a pas été enregistrée."
    if evenement.etat_apres in ETATS_FINAUX:
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
            if source in ETATS_FINAUX and source != to:
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
                to=_porteurs_emails(collectivite_id=locked.collectivite_id),
            )
        if transition.email_agents:
            email_on_commit(
                template=transition.email_agents,
                context=contexte,
                to=_agents_emails(region_id=locked.collectivite.region_id),
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


def candidature_submit(*, candidature: Candidature, actor) -> Candidature:
    """The porteur's « Déposer »: a first deposit, or the answer to a request for more information."""
    cible = Etat.EN_INSTRUCTION if candidature.etat == Etat.COMPLEMENTS_DEMANDES else Etat.DEPOSEE
    return candidature_transition(candidature=candidature, to=cible, actor=actor)
