"""Writes: accounts, candidatures, attachments, and the one function that changes a candidature's state."""

import logging
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidatures import labellisation, permissions
from candidatures.contenu import ETAPES
from candidatures.emails import email_on_commit
from candidatures.fichiers import fichier_verifier
from candidatures.models import (
    AppelAProjets,
    BrouillonEtape,
    Candidature,
    Collectivite,
    CompteurTentatives,
    Etat,
    EvenementCandidature,
    Export,
    FicheAction,
    Indicateur,
    LigneBudget,
    PieceJointe,
    ProfilPorteur,
)
from candidatures.selectors import (
    COMPTES_ANONYMISES_DOMAINE,
    adresse_cle,
    agents_emails,
    appel_est_ouvert,
    connexion_cle,
    connexion_cle_prefixe,
    qpv_list_for_communes,
)
from candidatures.workflow.appliquer import TransitionRefusee, candidature_transition  # noqa: F401
from candidatures.workflow.etats import PORTEUR, etat_get
from candidatures.workflow.transitions import transition_depot
from cites.models import CiteEducative, Commune, Epci

User = get_user_model()
logger = logging.getLogger(__name__)

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
        agents = agents_emails(region_id=profil.collectivite.region_id)
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


def porteur_anonymise(*, profil: ProfilPorteur, agent) -> ProfilPorteur:
    """Honour an erasure request: the account is deactivated and emptied of personal data (name,
    e-mail, phone, function, password), while the candidatures of the collectivité and their
    history stay, their author named « compte supprimé ». Deleting the account is refused instead:
    the history would lose who filed what. The old address is told once, then forgotten."""
    if not permissions.can_anonymise_porteur(agent, profil):
        raise ValidationError("Seul un agent national (ANCT) peut anonymiser un compte porteur.")
    with transaction.atomic():
        profil = ProfilPorteur.objects.select_for_update().select_related("user", "collectivite").get(pk=profil.pk)
        user = User.objects.select_for_update().get(pk=profil.user_id)
        if profil.anonymise_le is not None:
            raise ValidationError("Ce compte est déjà anonymisé.")
        ancienne_adresse = user.email
        # A unique address of a reserved domain: the account can never receive mail or log in.
        adresse = f"compte-{uuid.uuid4().hex}@{COMPTES_ANONYMISES_DOMAINE}"
        user.username = user.email = adresse
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        profil.fonction = profil.telephone = profil.motif_refus = ""
        profil.anonymise_le = timezone.now()
        profil.anonymise_par = agent
        profil.save()
        # Log-in counters are keyed by a hash of the address: nothing left that points to it.
        CompteurTentatives.objects.filter(
            cle__startswith=connexion_cle_prefixe(identifiant=email_normalize(ancienne_adresse))
        ).delete()
        email_on_commit(
            template="compte_anonymise", context={"collectivite": profil.collectivite}, to=[ancienne_adresse]
        )
    return profil


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


# Each step of the form writes these fields, relations and rows, and nothing else (candidatures.contenu).
LIGNES_MODELES = {"Indicateur": Indicateur, "FicheAction": FicheAction, "LigneBudget": LigneBudget}
ETAPES_CHAMPS = {
    e.slug: (e.noms_champs, e.noms_relations, LIGNES_MODELES[e.lignes] if e.lignes else None)
    for e in ETAPES
    if e.formulaire and e.slug != "pieces"
}


def _lock_editable(*, candidature: Candidature, user) -> Candidature:
    locked = Candidature.objects.select_for_update().select_related("collectivite").get(pk=candidature.pk)
    if not permissions.can_edit_candidature(user, locked):
        if PORTEUR not in etat_get(locked.etat).modifiable_par:
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


# --- The workflow (applied by candidatures.workflow.appliquer) -------------------------------


def candidature_submit(*, candidature: Candidature, actor) -> Candidature:
    """The porteur's « Déposer »: a first deposit, or the answer to a request for more information."""
    depot = transition_depot(source=candidature.etat)
    if depot is None:
        raise TransitionRefusee(f"Une candidature « {candidature.get_etat_display()} » ne peut pas être déposée.")
    return candidature_transition(candidature=candidature, to=depot.cible, actor=actor)


def recepisse_produire(*, candidature_id: int) -> str:
    """Writes the receipt of the candidature as deposited now to the private storage (the task
    candidatures.tasks.recepisse_generer, queued by the deposit); returns its file name ("" when the
    candidature has no deposit any more). Run again, it replaces the file."""
    from candidatures.recepisse import recepisse_pdf

    candidature = Candidature.objects.filter(pk=candidature_id, depose_le__isnull=False).first()
    if candidature is None:
        return ""
    pdf = recepisse_pdf(candidature=candidature)
    ancien = candidature.recepisse.name if candidature.recepisse else ""
    storage = candidature.recepisse.storage
    nom = storage.save(f"recepisses/recepisse-{candidature.reference}.pdf", ContentFile(pdf))
    Candidature.objects.filter(pk=candidature_id).update(recepisse=nom)
    if ancien and ancien != nom:
        storage.delete(ancien)
    return nom


# --- Exports built in the background ---------------------------------------------------------


def export_request(*, agent, format: str, nom: str, filtres: str = "", selection: list[int] | None = None) -> Export:
    """An agent asks for an export of the list as it shows it (`filtres`: its query string) or of
    the candidatures they selected: built by a task once the request commits, then offered on
    « Mes exports » and announced by e-mail."""
    from candidatures.tasks import export_construire

    if not permissions.is_agent(agent):
        raise ValidationError("Seuls les agents exportent les candidatures.")
    if format not in Export.Format.values:
        raise ValidationError(f"Format d'export inconnu : {format}.")
    export = Export.objects.create(agent=agent, format=format, nom=nom, filtres=filtres, selection=selection)
    transaction.on_commit(lambda: export_construire.enqueue(export_id=export.pk))
    return export


def export_build(*, export_id: int) -> Export:
    """Write the export's file into private storage; « prêt » and an e-mail to its agent, or
    « échec » with the reason. Within the agent's scope at the time of building."""
    from candidatures import exports
    from candidatures.admin_instruction import candidature_list_filtree

    with transaction.atomic():
        export = Export.objects.select_for_update().select_related("agent").get(pk=export_id)
        if export.statut != Export.Statut.EN_ATTENTE:
            return export
        export.statut = Export.Statut.EN_COURS
        export.save(update_fields=["statut"])
    try:
        queryset = candidature_list_filtree(agent=export.agent, filtres=export.filtres, selection=export.selection)
        with tempfile.TemporaryFile() as fichier:
            if export.format == Export.Format.XLSX:
                nombre = exports.xlsx_ecrire(queryset=queryset, fichier=fichier)
            else:
                nombre = 0
                for morceau, lignes in exports.csv_lots(queryset=queryset, criteres=exports.criteres_nombre()):
                    fichier.write(morceau)
                    nombre += lignes
            export.taille = fichier.tell()
            fichier.seek(0)
            export.fichier.save(f"{uuid.uuid4().hex}.{export.format}", File(fichier), save=False)
    except Exception as exc:  # the agent sees « échec » with the reason; the error is logged
        logger.exception("Export %s en échec", export.pk)
        export.statut = Export.Statut.ECHEC
        export.erreur = str(exc)[:500] or exc.__class__.__name__
        export.termine_le = timezone.now()
        export.save(update_fields=["statut", "erreur", "termine_le"])
        return export
    export.statut = Export.Statut.PRET
    export.nombre_lignes = nombre
    export.termine_le = timezone.now()
    export.save(update_fields=["statut", "fichier", "nombre_lignes", "taille", "termine_le"])
    if export.agent.email:
        email_on_commit(
            template="export_pret",
            context={
                "export": export,
                "jours": settings.EXPORTS_CONSERVATION_JOURS,
                "url": settings.SITE_URL + reverse("admin:candidatures_candidature_mes_exports"),
            },
            to=[export.agent.email],
        )
    return export


def exports_purger(*, now=None) -> int:
    """Delete the exports (rows and files) older than EXPORTS_CONSERVATION_JOURS days; called by
    `manage.py purger_exports` from the daily job. Returns how many were deleted."""
    limite = (now or timezone.now()) - timedelta(days=settings.EXPORTS_CONSERVATION_JOURS)
    nombre = 0
    for export in Export.objects.filter(cree_le__lt=limite).only("pk", "fichier").iterator():
        if export.fichier:
            export.fichier.storage.delete(export.fichier.name)
        export.delete()
        nombre += 1
    return nombre


# --- The label decision ----------------------------------------------------------------------


def candidature_label_decide(
    *,
    candidature: Candidature,
    actor,
    message: str,
    cite_etendue: CiteEducative | None,
    evenement_vu: int | None = None,
) -> Candidature:
    """The ANCT's « Labelliser » with the agent's choice: create a new cité (`cite_etendue` None)
    or extend that one. Both in one transaction: a refused label leaves the choice unchanged.
    A renewal candidature offers no choice: its label renews the cité it names (`cite_etendue` None)."""
    if candidature.renouvellement_de_id and cite_etendue is not None:
        raise TransitionRefusee(
            f"Cette candidature renouvelle la cité « {candidature.renouvellement_de.nom} » : "
            "son label renouvelle cette cité, il n'en étend pas une autre."
        )
    with transaction.atomic():
        labellisation.candidature_set_cite_etendue(candidature=candidature, cite=cite_etendue, actor=actor)
        return candidature_transition(
            candidature=candidature, to=Etat.LABELLISEE, actor=actor, message=message, evenement_vu=evenement_vu
        )
