"""Writes on the cités and their reference data (business rules; views, admin and commands call these)."""

import datetime
import hashlib
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from cites.models import (
    CiteEducative,
    ConventionCadre,
    EvenementLabel,
    FinancementAnnuel,
    PersonneCite,
    RevueProjet,
    Suggestion,
)

# --- The ANCT identifiant -------------------------------------------------------------------

# The ANCT open list numbers its 208 cités « cite-001 » to « cite-208 », in order of labelling
# (cites/imports/mappers.py, CITE_ID_RE); new cités continue that numbering.
IDENTIFIANT_PREFIXE = "cite-"
_IDENTIFIANT_RE = re.compile(r"^cite-(\d+)$")


def cite_identifiant_suivant() -> str:
    """The next ANCT identifiant: « cite-209 » after « cite-208 », three digits at least
    (« cite-1000 » after « cite-999 »). Call it inside the transaction that saves the cité:
    the table is locked (PostgreSQL) so two labels at once do not take the same number, and
    the unique constraint on `identifiant` refuses a duplicate anyway."""
    if transaction.get_connection().vendor == "postgresql" and transaction.get_connection().in_atomic_block:
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{CiteEducative._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
    plus_grand = 0
    for identifiant in CiteEducative.objects.filter(identifiant__startswith=IDENTIFIANT_PREFIXE).values_list(
        "identifiant", flat=True
    ):
        match = _IDENTIFIANT_RE.match(identifiant)
        if match:
            plus_grand = max(plus_grand, int(match.group(1)))
    return f"{IDENTIFIANT_PREFIXE}{plus_grand + 1:03d}"


@transaction.atomic
def cite_identifiants_attribuer() -> list[str]:
    """Give an identifiant to every cité that has none (entered by hand or labelled before the
    numbering), oldest first. Returns the identifiants given."""
    donnes = []
    for cite in CiteEducative.objects.select_for_update().filter(identifiant__isnull=True).order_by("pk"):
        cite.identifiant = cite_identifiant_suivant()
        cite._change_reason = "Identifiant ANCT attribué"
        cite.save(update_fields=["identifiant"])
        donnes.append(cite.identifiant)
    return donnes


# --- The label decision (called by the candidatures app) -------------------------------------


@transaction.atomic
def cite_label_create(
    *,
    nom: str,
    slug: str,
    communes: list,
    qpvs: list,
    etablissements: list,
    college_chef_de_file,
    date: datetime.date,
    fin_financement: datetime.date | None,
    reference_decision: str,
    description: str,
    source: str,
) -> CiteEducative:
    """A new labelled cité, published at once, with the next ANCT identifiant and its label event."""
    if fin_financement is not None and fin_financement <= date:
        raise ValidationError(
            {"fin_financement": "La fin du financement doit être postérieure à la date de la décision."}
        )
    cite = CiteEducative(
        # Inside this transaction: cite_identifiant_suivant locks the table (PostgreSQL), so two
        # agents never get the same identifiant.
        identifiant=cite_identifiant_suivant(),
        nom=nom,
        slug=slug,
        college_chef_de_file=college_chef_de_file,
        annee_label=date.year,
        annee_label_deduite=False,
        statut=CiteEducative.Statut.LABELLISEE,
        fin_financement=fin_financement,
        publiee=True,
        source=source,
        importe_le=timezone.now(),
    )
    cite.full_clean()
    cite._change_reason = f"Labellisation ({reference_decision})"
    cite.save()
    cite.communes.set(communes)
    cite.qpvs.set(qpvs)
    cite.etablissements.set(etablissements)
    evenement = EvenementLabel(
        cite=cite,
        type=EvenementLabel.Type.LABEL,
        annee=date.year,
        date=date,
        reference_decision=reference_decision,
        fin_financement=fin_financement,
        description=description,
    )
    evenement.full_clean()
    evenement.save()
    return cite


@transaction.atomic
def cite_label_extend(
    *,
    cite: CiteEducative,
    communes: list,
    qpvs: list,
    etablissements: list,
    college_chef_de_file,
    date: datetime.date,
    reference_decision: str,
    description: str,
) -> tuple[CiteEducative, dict]:
    """Extend a cité's perimeter (what it lacks of `communes`, `qpvs`, `etablissements`): the cité
    becomes « étendue » and its history gets an extension event naming what was added. Its
    funding period does not change. Returns the cité and what was added, by kind."""
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    if cite.annee_label is not None and date.year < cite.annee_label:
        raise ValidationError({"date": f"L'extension ne peut pas précéder le label ({cite.annee_label})."})
    communes_avant = set(cite.communes.values_list("pk", flat=True))
    qpvs_avant = set(cite.qpvs.values_list("pk", flat=True))
    etablissements_avant = set(cite.etablissements.values_list("pk", flat=True))
    ajouts = {
        "communes": [c for c in communes if c.pk not in communes_avant],
        "qpvs": [q for q in qpvs if q.pk not in qpvs_avant],
        "etablissements": [e for e in etablissements if e.pk not in etablissements_avant],
    }
    cite.communes.add(*ajouts["communes"])
    cite.qpvs.add(*ajouts["qpvs"])
    cite.etablissements.add(*ajouts["etablissements"])
    champs = ["statut"]
    cite.statut = CiteEducative.Statut.ETENDUE
    if cite.college_chef_de_file_id is None and college_chef_de_file is not None:
        cite.college_chef_de_file = college_chef_de_file
        champs.append("college_chef_de_file")
    if not cite.identifiant:
        cite.identifiant = cite_identifiant_suivant()
        champs.append("identifiant")
    cite.full_clean(validate_unique=False)
    cite._change_reason = f"Extension du périmètre ({reference_decision})"
    cite.save(update_fields=champs)

    phrases = [description]
    if ajouts["communes"]:
        phrases.append("Communes ajoutées : " + ", ".join(c.nom for c in ajouts["communes"]) + ".")
    if ajouts["qpvs"]:
        phrases.append("Quartiers prioritaires ajoutés : " + ", ".join(q.nom for q in ajouts["qpvs"]) + ".")
    if ajouts["etablissements"]:
        n = len(ajouts["etablissements"])
        pluriel = "s" if n > 1 else ""
        phrases.append(f"{n} école{pluriel} ou collège{pluriel} ajouté{pluriel}.")
    evenement = EvenementLabel(
        cite=cite,
        type=EvenementLabel.Type.EXTENSION,
        annee=date.year,
        date=date,
        reference_decision=reference_decision,
        description=" ".join(phrases),
    )
    evenement.full_clean()
    evenement.save()
    # The ANCT list does not know these communes yet: the import keeps them (see cites_import).
    evenement.communes.set(ajouts["communes"])
    return cite, ajouts


@transaction.atomic
def cite_set_annee_label(*, cite: CiteEducative, annee: int, user: AbstractBaseUser | None = None) -> CiteEducative:
    """Set a cité's label year as known (no longer deduced from the ANCT id).

    A corrected year is never overwritten by a later import. The initial label event of the
    cité's history follows the year (created when the cité has none).
    """
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    cite.annee_label = annee
    cite.annee_label_deduite = False
    cite.full_clean(validate_unique=False)
    if user is not None and user.is_authenticated:
        cite._history_user = user
    cite._change_reason = "Année du label corrigée"
    cite.save(update_fields=["annee_label", "annee_label_deduite"])

    evenement = (
        EvenementLabel.objects.select_for_update()
        .filter(cite=cite, type=EvenementLabel.Type.LABEL)
        .order_by("annee", "date", "pk")
        .first()
    )
    if evenement is None:
        EvenementLabel.objects.create(
            cite=cite, type=EvenementLabel.Type.LABEL, annee=annee, description="Labellisation."
        )
    elif evenement.annee != annee:
        evenement.annee = annee
        if evenement.description.startswith("Labellisation (année déduite"):
            evenement.description = "Labellisation."
        evenement.save(update_fields=["annee", "description"])
    return cite


# --- After the label: prolongations, convention-cadre, revues de projet, renewal -------------

DOCUMENT_TAILLE_MAX = 10 * 1024 * 1024


def _user_or_none(user):
    return user if user is not None and user.is_authenticated else None


def _date_fr(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _document_check(document) -> None:
    """A published document is a PDF, checked by its content and not its name, of 10 MB at most."""
    nom = os.path.basename(getattr(document, "name", "") or "document")
    if document.size == 0:
        raise ValidationError({"document": f"Le fichier « {nom} » est vide."})
    if document.size > DOCUMENT_TAILLE_MAX:
        raise ValidationError({"document": f"Le fichier « {nom} » dépasse la taille maximale de 10 Mo."})
    document.seek(0)
    debut = document.read(1024)
    document.seek(0)
    if b"%PDF-" not in debut:
        raise ValidationError(
            {"document": f"Le contenu du fichier « {nom} » n'est pas celui d'un PDF, quel que soit son nom."}
        )


def _record_save(*, record, document, nom: str, user) -> None:
    """full_clean and save `record`, storing `document` (checked first) under `nom`; the stored
    file is removed again when the record cannot be saved."""
    if document is not None:
        _document_check(document)
        record.document.save(nom, document, save=False)
    try:
        record.full_clean(exclude=["document"])
        if _user_or_none(user) is not None:
            record._history_user = user
        record.save()
    except Exception:
        if document is not None:
            record.document.delete(save=False)
        raise


def _check_decision(*, cite: CiteEducative, type: str, date: datetime.date, reference_decision: str) -> dict:
    errors = {}
    if not reference_decision:
        errors["reference_decision"] = "Indiquez la référence de la décision."
    elif EvenementLabel.objects.filter(cite=cite, type=type, reference_decision=reference_decision).exists():
        errors["reference_decision"] = (
            f"Une {EvenementLabel.Type(type).label} de référence « {reference_decision} » est déjà enregistrée "
            "pour cette cité."
        )
    if date > timezone.localdate():
        errors["date"] = "La date de la décision ne peut pas être dans le futur."
    return errors


def _check_new_end(*, cite: CiteEducative, fin_financement: datetime.date | None, date: datetime.date) -> dict:
    if fin_financement is None:
        return {}
    if cite.fin_financement is not None and fin_financement <= cite.fin_financement:
        return {
            "fin_financement": "La nouvelle fin du financement doit être postérieure à la fin actuelle "
            f"({_date_fr(cite.fin_financement)})."
        }
    if fin_financement <= date:
        return {"fin_financement": "La nouvelle fin du financement doit être postérieure à la date de la décision."}
    return {}


def _check_after_label(*, cite: CiteEducative, date: datetime.date | None, quoi: str) -> dict:
    """A decision about a cité cannot precede its label (the label event's date, else its year)."""
    if date is None:
        return {}
    label = (
        EvenementLabel.objects.filter(cite=cite, type=EvenementLabel.Type.LABEL, date__isnull=False)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if label is not None and date < label:
        return {"date": f"{quoi} ne peut pas précéder le label ({_date_fr(label)})."}
    if label is None and cite.annee_label is not None and date.year < cite.annee_label:
        return {"date": f"{quoi} ne peut pas précéder le label ({cite.annee_label})."}
    return {}


def _evenement_decision_create(
    *,
    cite: CiteEducative,
    type: str,
    date: datetime.date,
    reference_decision: str,
    fin_financement: datetime.date | None,
    description: str,
) -> EvenementLabel:
    """The label event of a dated decision (prolongation, renewal), validated then saved."""
    evenement = EvenementLabel(
        cite=cite,
        type=type,
        annee=date.year,
        date=date,
        reference_decision=reference_decision,
        fin_financement=fin_financement,
        description=description.strip(),
    )
    evenement.full_clean()
    evenement.save()
    return evenement


def _cite_save_with_history(*, cite: CiteEducative, user, reason: str, fields: list[str]) -> None:
    cite.full_clean(validate_unique=False)
    if _user_or_none(user) is not None:
        cite._history_user = user
    cite._change_reason = reason
    cite.save(update_fields=fields)


@transaction.atomic
def cite_prolong(
    *,
    cite: CiteEducative,
    fin_financement: datetime.date,
    date: datetime.date,
    reference_decision: str,
    description: str = "",
    user: AbstractBaseUser | None = None,
) -> EvenementLabel:
    """Prolong a cité's funding to `fin_financement`: the cité becomes « prolongée » and its
    history gets a prolongation event (date and reference of the decision)."""
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    reference_decision = (reference_decision or "").strip()
    errors = _check_decision(
        cite=cite, type=EvenementLabel.Type.PROLONGATION, date=date, reference_decision=reference_decision
    )
    if fin_financement is None:
        errors["fin_financement"] = "Indiquez la nouvelle fin de la période de financement."
    else:
        errors.update(_check_new_end(cite=cite, fin_financement=fin_financement, date=date))
    errors.update(_check_after_label(cite=cite, date=date, quoi="La prolongation"))
    if errors:
        raise ValidationError(errors)
    evenement = _evenement_decision_create(
        cite=cite,
        type=EvenementLabel.Type.PROLONGATION,
        date=date,
        reference_decision=reference_decision,
        fin_financement=fin_financement,
        description=description,
    )
    cite.fin_financement = fin_financement
    cite.statut = CiteEducative.Statut.PROLONGEE
    _cite_save_with_history(
        cite=cite,
        user=user,
        reason=f"Prolongation jusqu'au {_date_fr(fin_financement)} ({reference_decision})",
        fields=["fin_financement", "statut"],
    )
    return evenement


@transaction.atomic
def cite_renew(
    *,
    cite: CiteEducative,
    date: datetime.date,
    reference_decision: str,
    fin_financement: datetime.date | None = None,
    description: str = "",
    user: AbstractBaseUser | None = None,
) -> EvenementLabel:
    """Renew a cité's label (after its three years): a renewal event, the cité « renouvelée »,
    and the new end of its funding when the decision gives one."""
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    reference_decision = (reference_decision or "").strip()
    errors = _check_decision(
        cite=cite, type=EvenementLabel.Type.RENOUVELLEMENT, date=date, reference_decision=reference_decision
    )
    errors.update(_check_new_end(cite=cite, fin_financement=fin_financement, date=date))
    if cite.annee_label is not None and date.year < cite.annee_label:
        errors["date"] = f"Le renouvellement ne peut pas précéder le label ({cite.annee_label})."
    if errors:
        raise ValidationError(errors)
    evenement = _evenement_decision_create(
        cite=cite,
        type=EvenementLabel.Type.RENOUVELLEMENT,
        date=date,
        reference_decision=reference_decision,
        fin_financement=fin_financement,
        description=description,
    )
    fields = ["statut"]
    cite.statut = CiteEducative.Statut.RENOUVELEE
    if fin_financement is not None:
        cite.fin_financement = fin_financement
        fields.append("fin_financement")
    _cite_save_with_history(
        cite=cite, user=user, reason=f"Renouvellement du label ({reference_decision})", fields=fields
    )
    return evenement


# --- The people of a cité carried from its candidature -----------------------------------------


@dataclass(frozen=True)
class PersonneReprise:
    """Someone a labelled candidature names, to become a person of its cité (cites.PersonneCite)."""

    role: str
    nom: str
    email: str
    fonction: str = ""
    user: AbstractBaseUser | None = None


# Short names of the roles, for the cité's history (its reason holds 100 characters).
ROLES_COURTS = {
    PersonneCite.Role.REFERENT: "référent",
    PersonneCite.Role.CPO: "CPO",
    PersonneCite.Role.PRINCIPAL: "principal",
    PersonneCite.Role.TROIKA_PREFECTURE: "troïka préfecture",
    PersonneCite.Role.TROIKA_EDUCATION: "troïka DASEN",
    PersonneCite.Role.TROIKA_COLLECTIVITE: "troïka collectivité",
}


def _meme_personne(personne: PersonneCite, reprise: PersonneReprise) -> bool:
    return personne.email.strip().casefold() == reprise.email.strip().casefold()


@transaction.atomic
def cite_personnes_reprendre(
    *, cite: CiteEducative, personnes: list[PersonneReprise], remplacer: bool, reference_decision: str = ""
) -> dict[str, list[PersonneCite]]:
    """Carry the people of a labelled candidature to its cité (same role, name, function, e-mail, account).

    `remplacer=False` (a label, an extension): a person is added only when the cité has no active
    person of that role — the cité's people are never duplicated nor replaced.
    `remplacer=True` (a renewal): the person replaces the active ones of the same role who are
    someone else (another e-mail): those are kept, inactive, and the cité's history says which roles
    changed hands; the same person (same e-mail) is kept, with the name, function and account the
    candidature gives. Returns {"ajoutees": [...], "retirees": [...]}."""
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    actives: dict[str, list[PersonneCite]] = {}
    for personne in PersonneCite.objects.select_for_update().filter(cite=cite, actif=True).order_by("pk"):
        actives.setdefault(personne.role, []).append(personne)
    ajoutees, retirees, roles_changes = [], [], []
    for reprise in personnes:
        presentes = actives.get(reprise.role, [])
        if presentes and not remplacer:
            continue
        meme = next((p for p in presentes if _meme_personne(p, reprise)), None)
        autres = [p for p in presentes if p is not meme]
        for ancienne in autres:
            ancienne.actif = False
            ancienne.save(update_fields=["actif"])
            retirees.append(ancienne)
        if meme is not None:
            meme.nom, meme.fonction = reprise.nom, reprise.fonction
            meme.user = reprise.user or meme.user
            meme.full_clean()
            meme.save(update_fields=["nom", "fonction", "user"])
            actives[reprise.role] = [meme]
            continue
        nouvelle = PersonneCite(
            cite=cite,
            role=reprise.role,
            nom=reprise.nom,
            fonction=reprise.fonction,
            email=reprise.email.strip(),
            user=reprise.user,
        )
        nouvelle.full_clean()
        nouvelle.save()
        ajoutees.append(nouvelle)
        actives[reprise.role] = [nouvelle]
        if autres:
            roles_changes.append(ROLES_COURTS[reprise.role])
    if roles_changes:
        raison = f"Personnes remplacées ({reference_decision or 'renouvellement'}) : " + ", ".join(roles_changes)
        _cite_save_with_history(cite=cite, user=None, reason=raison[:100], fields=["statut"])
    return {"ajoutees": ajoutees, "retirees": retirees}


@transaction.atomic
def cite_record_convention(
    *,
    cite: CiteEducative,
    date_signature: datetime.date,
    document=None,
    document_public: bool = True,
    description: str = "",
    user: AbstractBaseUser | None = None,
) -> ConventionCadre:
    """Record the signed convention-cadre of a cité (or an amendment), with its PDF when given."""
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    if date_signature is not None and date_signature > timezone.localdate():
        raise ValidationError({"date_signature": "La date de signature ne peut pas être dans le futur."})
    convention = ConventionCadre(
        cite=cite,
        date_signature=date_signature,
        description=description.strip(),
        document_public=document_public,
        enregistre_par=_user_or_none(user),
    )
    _record_save(record=convention, document=document, nom=f"convention-{cite.slug}-{date_signature}.pdf", user=user)
    return convention


@transaction.atomic
def cite_record_revue(
    *,
    cite: CiteEducative,
    date: datetime.date,
    resume: str,
    document=None,
    document_public: bool = False,
    user: AbstractBaseUser | None = None,
) -> RevueProjet:
    """Record the yearly revue de projet of a cité. Recording the revue of a year that already has
    one corrects it (date, summary, and the document when a new one is given)."""
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    resume = (resume or "").strip()
    if date is not None and date > timezone.localdate():
        raise ValidationError({"date": "La date de la revue ne peut pas être dans le futur."})
    revue = RevueProjet.objects.filter(cite=cite, annee=date.year).first() if date else None
    ancien = ""
    if revue is None:
        revue = RevueProjet(cite=cite, annee=date.year if date else None, enregistre_par=_user_or_none(user))
    elif document is not None and revue.document:
        ancien = revue.document.name
    revue.date = date
    revue.resume = resume
    revue.document_public = document_public
    _record_save(record=revue, document=document, nom=f"revue-{cite.slug}-{revue.annee}.pdf", user=user)
    if ancien and ancien != revue.document.name:
        storage = revue.document.storage
        transaction.on_commit(lambda: storage.delete(ancien))
    return revue


# --- Money per year, from what a cité declared ------------------------------------------------

FINANCEMENT_MONTANTS = ("dotation_etat", "fonds_cite", "cofinancement", "autres", "depenses")
FINANCEMENT_MAXIMUM = Decimal("9999999999.99")  # FinancementAnnuel's 12 digits, 2 of them centimes


@dataclass
class FinancementComplete:
    """What financement_completer did: the amounts written, those kept because an agent had
    entered them (their figure, the one declared), those refused (the reason)."""

    financement: FinancementAnnuel | None = None
    repris: dict[str, Decimal] = field(default_factory=dict)
    gardes: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    refuses: dict[str, str] = field(default_factory=dict)


def _financement_saisi(financement: FinancementAnnuel, nom: str) -> bool:
    """Has an agent entered this amount? The amounts are 0 until then; the dépenses are empty
    (« pas encore connues ») until then, so a 0 typed for them is an agent's figure."""
    valeur = getattr(financement, nom)
    return valeur is not None if nom == "depenses" else valeur != 0


def financement_libelle(nom: str) -> str:
    return str(FinancementAnnuel._meta.get_field(nom).verbose_name)


@transaction.atomic
def financement_completer(
    *, cite: CiteEducative, annee: int, montants: dict[str, Decimal], source: str, user=None
) -> FinancementComplete:
    """Fill the cité's money of `annee` with amounts it declared (`source`, e.g. « la revue de
    projet 2026 acceptée par l'ANCT »), only where no agent has entered a figure: an agent's
    figure is never overwritten. The public comment says where the amounts come from, and the
    cité's history records it."""
    inconnus = set(montants) - set(FINANCEMENT_MONTANTS)
    if inconnus:
        raise ValueError(f"Montants inconnus : {', '.join(sorted(inconnus))}")
    cite = CiteEducative.objects.select_for_update().get(pk=cite.pk)
    resultat = FinancementComplete()
    financement = FinancementAnnuel.objects.select_for_update().filter(cite=cite, annee=annee).first()
    if financement is None:
        financement = FinancementAnnuel(cite=cite, annee=annee)
    for nom in FINANCEMENT_MONTANTS:
        if nom not in montants:
            continue
        valeur = Decimal(montants[nom])
        if valeur < 0 or valeur > FINANCEMENT_MAXIMUM:
            resultat.refuses[nom] = "montant hors des limites (de 0 à 9 999 999 999,99 €)"
        elif financement.pk is not None and _financement_saisi(financement, nom):
            resultat.gardes[nom] = (getattr(financement, nom), valeur)
        else:
            setattr(financement, nom, valeur)
            resultat.repris[nom] = valeur
    if resultat.repris:
        libelles = [financement_libelle(nom) for nom in resultat.repris]
        provenance = f"{', '.join(libelles)} : d'après {source}."
        provenance = provenance[:1].upper() + provenance[1:]
        financement.commentaire = "\n".join(filter(None, [financement.commentaire.strip(), provenance]))
        financement.modifie_par = _user_or_none(user)
        financement.full_clean()
        financement.save()
        raison = f"Financements {annee} complétés d'après {source}"  # the amounts: in the comment
        CiteEducative.history.bulk_history_create(
            [cite], update=True, default_user=_user_or_none(user), default_change_reason=raison[:100]
        )
        resultat.financement = financement
    else:
        resultat.financement = financement if financement.pk else None
    return resultat


# --- "Proposer une correction" ---------------------------------------------------------------


def suggestion_create(*, cite: CiteEducative, champ: str, message: str, email: str = "") -> Suggestion:
    """Record a correction suggested by the public; it waits, « nouvelle », for an agent."""
    suggestion = Suggestion(cite=cite, champ=champ, message=message.strip(), email=email.strip())
    suggestion.full_clean()
    suggestion.save()
    return suggestion


SUGGESTION_CLOSED = (Suggestion.Statut.TRAITEE, Suggestion.Statut.REJETEE)


def suggestion_close_check(*, statut: str, reponse: str) -> None:
    """Raise ValidationError (by field) unless `statut` and `reponse` can close a suggestion."""
    errors = {}
    if statut not in SUGGESTION_CLOSED:
        errors["statut"] = "Choisissez « traitée » ou « rejetée »."
    if not (reponse or "").strip():
        errors["reponse"] = "Écrivez la réponse faite à la proposition."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def suggestion_close(*, suggestion: Suggestion, statut: str, reponse: str, user: AbstractBaseUser | None) -> Suggestion:
    """An agent handles or rejects a suggestion, with a reply (a closed one may be answered again)."""
    suggestion_close_check(statut=statut, reponse=reponse)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.statut = statut
    suggestion.reponse = reponse.strip()
    suggestion.traitee_le = timezone.now()
    suggestion.traitee_par = user if user is not None and user.is_authenticated else None
    suggestion.full_clean()
    suggestion.save(update_fields=["statut", "reponse", "traitee_le", "traitee_par"])
    return suggestion


def suggestion_rate_limited(*, client_key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one suggestion from this client; True when it goes over `limit` in the window.

    The counter lives in the cache (shared by every application server with Redis), under a
    hash of the client's address, which is never stored as such.
    """
    key = "suggestions:" + hashlib.sha256(client_key.encode()).hexdigest()
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit


# --- Cités labelled outside the imported ANCT list (issue 13) ---------------------------------


@transaction.atomic
def cite_create_hors_liste(
    *,
    nom: str,
    communes: list,
    date: datetime.date,
    reference_decision: str,
    user,
    fin_financement: datetime.date | None = None,
) -> CiteEducative:
    """A cité labelled by a decision the ANCT open list does not carry (the 40 cités of 26 May
    2025): entered by a national agent with its decision, without a candidature; it gets the next
    identifiant, its label event, and is published."""
    from django.utils.text import slugify

    nom = (nom or "").strip()
    reference_decision = (reference_decision or "").strip()
    errors = {}
    if not nom:
        errors["nom"] = "Indiquez le nom de la cité."
    if not communes:
        errors["communes"] = "Indiquez au moins une commune."
    if not reference_decision:
        errors["reference_decision"] = "Indiquez la référence de la décision."
    if date > timezone.localdate():
        errors["date"] = "La date de la décision ne peut pas être dans le futur."
    if date.year < 2019:
        errors["date"] = "Le label existe depuis 2019 : vérifiez la date de la décision."
    if fin_financement is not None and fin_financement <= date:
        errors["fin_financement"] = "La fin du financement doit être postérieure à la date de la décision."
    if errors:
        raise ValidationError(errors)
    base = slugify(nom)[:200] or "cite"
    pris = set(CiteEducative.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, numero = base, 2
    while slug in pris:
        slug, numero = f"{base}-{numero}", numero + 1
    cite = CiteEducative(
        # Inside this transaction: cite_identifiant_suivant locks the table (PostgreSQL), so two
        # agents never get the same identifiant.
        identifiant=cite_identifiant_suivant(),
        nom=nom,
        slug=slug,
        annee_label=date.year,
        annee_label_deduite=False,
        statut=CiteEducative.Statut.LABELLISEE,
        fin_financement=fin_financement,
        publiee=True,
        source=f"Décision {reference_decision} (hors liste ANCT importée)",
        importe_le=timezone.now(),
    )
    cite.full_clean()
    if _user_or_none(user) is not None:
        cite._history_user = user
    cite._change_reason = f"Labellisation hors liste importée ({reference_decision})"
    cite.save()
    cite.communes.set(communes)
    _evenement_decision_create(
        cite=cite,
        type=EvenementLabel.Type.LABEL,
        date=date,
        reference_decision=reference_decision,
        fin_financement=fin_financement,
        description=f"Labellisation du {_date_fr(date)} (décision {reference_decision}), saisie par un agent.",
    )
    return cite
