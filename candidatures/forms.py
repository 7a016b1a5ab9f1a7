"""Forms of the accounts and of the candidature steps (DSFR). They validate input; services write."""

import re
from decimal import Decimal

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from candidatures import contenu, selectors
from candidatures.models import Candidature, Collectivite, Indicateur, PieceJointe
from candidatures.tasks import email_send
from cites import formats
from cites.models import Commune, CommuneRattachee, Epci
from partenaires.models import Famille, Objectif, TempsEducatif
from portal.emails import email_render

User = get_user_model()

# --- Accounts -------------------------------------------------------------------------------


def commune_resolve(saisie: str) -> Commune:
    """A commune from its INSEE code (arrondissements and communes déléguées lead to their commune) or its name."""
    saisie = (saisie or "").strip()
    match = re.search(r"\b(\d[\dAB]\d{3})\b", saisie.upper())
    if match:
        code = match.group(1)
        commune = Commune.objects.filter(code=code).select_related("departement").first()
        if commune:
            return commune
        rattachee = CommuneRattachee.objects.filter(code=code).select_related("commune").first()
        if rattachee:
            return rattachee.commune
        raise ValidationError(f"Aucune commune n'a le code INSEE {code}.")
    if not saisie:
        raise ValidationError("Indiquez le code INSEE ou le nom de la commune.")
    communes = list(Commune.objects.filter(nom__iexact=saisie).select_related("departement")[:10])
    if len(communes) == 1:
        return communes[0]
    if not communes:
        raise ValidationError(
            f"Aucune commune ne s'appelle « {saisie} ». Indiquez son code INSEE à 5 caractères (par exemple 31555)."
        )
    candidats = ", ".join(f"{c.nom} ({c.code}, {c.departement.nom})" for c in communes)
    raise ValidationError(f"Plusieurs communes portent ce nom : {candidats}. Indiquez le code INSEE.")


def _champs_mot_de_passe() -> tuple[forms.CharField, forms.CharField]:
    """The new password and its confirmation, for the forms that create an account."""
    return (
        forms.CharField(
            label="Mot de passe",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text="Au moins 10 caractères, pas uniquement des chiffres, ni trop courant.",
        ),
        forms.CharField(
            label="Confirmation du mot de passe",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


def _mot_de_passe_verifier(form: forms.Form, data: dict, *, email: str) -> None:
    """The two passwords match and pass the validators, judged against the account to be created."""
    password1, password2 = data.get("password1"), data.get("password2")
    if password1 and password2 and password1 != password2:
        form.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
    elif password1:
        candidat = User(
            username=email, email=email, first_name=data.get("prenom") or "", last_name=data.get("nom") or ""
        )
        try:
            validate_password(password1, candidat)
        except ValidationError as exc:
            form.add_error("password1", exc)


class InscriptionForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text="Elle sert d'identifiant ; un lien de confirmation y sera envoyé.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    prenom = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    nom = forms.CharField(label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    fonction = forms.CharField(
        label="Fonction",
        max_length=200,
        required=False,
        help_text="Par exemple : chef de projet, directeur de l'éducation.",
    )
    telephone = forms.CharField(
        label="Téléphone", max_length=30, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel"})
    )
    type_collectivite = forms.ChoiceField(
        label="Vous représentez",
        choices=[("commune", "une commune"), ("epci", "une intercommunalité (EPCI)")],
        widget=forms.RadioSelect,
        initial="commune",
    )
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=150,
        help_text="Pour une commune : son code INSEE à 5 caractères (par exemple 31555 pour Toulouse) ou son nom.",
    )
    siren = forms.CharField(
        label="SIREN de l'intercommunalité",
        required=False,
        max_length=11,
        help_text="Pour une intercommunalité (EPCI) : son numéro SIREN à 9 chiffres, par exemple 243100518.",
    )
    nom_epci = forms.CharField(
        label="Nom de l'intercommunalité",
        required=False,
        max_length=200,
        help_text="Seulement si elle n'est pas reconnue à partir de son SIREN.",
    )
    communes_membres = forms.CharField(
        label="Communes membres",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Seulement si l'intercommunalité n'est pas reconnue : codes INSEE séparés par des virgules.",
    )
    password1, password2 = _champs_mot_de_passe()

    # Shown as required although validated only for the kind of collectivité chosen.
    requis_selon_type = {"commune": ("commune",), "epci": ("siren",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False
        for noms in self.requis_selon_type.values():
            for nom in noms:
                self.fields[nom].required = True  # display only: see full_clean

    def full_clean(self):
        champs = [self.fields[nom] for noms in self.requis_selon_type.values() for nom in noms]
        for champ in champs:
            champ.required = False
        try:
            super().full_clean()
        finally:
            for champ in champs:
                champ.required = True

    def clean_email(self):
        # Whether an account exists is never said here (services.porteur_register e-mails its owner).
        return self.cleaned_data["email"].strip().lower()

    def clean_siren(self):
        siren = re.sub(r"\s", "", self.cleaned_data.get("siren", ""))
        if siren and not re.fullmatch(r"\d{9}", siren):
            raise ValidationError("Le SIREN compte 9 chiffres.")
        return siren

    def clean(self):
        data = super().clean()
        if data.get("type_collectivite") == "commune":
            try:
                data["commune_obj"] = commune_resolve(data.get("commune", ""))
            except ValidationError as exc:
                self.add_error("commune", exc)
        elif data.get("type_collectivite") == "epci":
            siren = data.get("siren")
            if not siren:
                if "siren" not in self.errors:
                    self.add_error("siren", "Indiquez le SIREN de l'intercommunalité.")
            else:
                data["epci_obj"] = Epci.objects.filter(siren=siren).first()
                existe = Collectivite.objects.filter(type=Collectivite.Type.EPCI, code=siren).exists()
                if data["epci_obj"] is None and not existe:
                    if not data.get("nom_epci", "").strip():
                        self.add_error(
                            "nom_epci", "Cette intercommunalité n'est pas dans nos données : indiquez son nom."
                        )
                    communes, erreurs = [], []
                    for code in re.split(r"[\s,;]+", data.get("communes_membres", "")):
                        if code:
                            try:
                                communes.append(commune_resolve(code))
                            except ValidationError as exc:
                                erreurs.extend(exc.messages)
                    if erreurs:
                        self.add_error("communes_membres", erreurs)
                    elif not communes:
                        self.add_error("communes_membres", "Indiquez les codes INSEE des communes membres.")
                    data["communes_obj"] = communes
        _mot_de_passe_verifier(self, data, email=data.get("email") or "")
        return data


def _attente_lisible(secondes: int) -> str:
    if secondes < 60:
        return f"{secondes} seconde{'s' if secondes > 1 else ''}"
    minutes = (secondes + 59) // 60
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class VerrouillageMixin:
    """Says that this account is waiting after repeated failures from this address (set by
    candidatures.backends.EmailBackend on the request), with a way out: the password reset."""

    message_verrouille = (
        "Trop de tentatives de connexion ont échoué pour ce compte depuis votre connexion internet : "
        "réessayez dans {attente}, ou réinitialisez votre mot de passe."
    )

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            attente = getattr(self.request, "connexion_attente", 0) if self.request is not None else 0
            if attente:
                raise ValidationError(
                    self.message_verrouille.format(attente=_attente_lisible(attente)), code="locked"
                ) from None
            raise


def _libelles(form, libelles: dict[str, str]) -> None:
    """Set field labels after __init__: DsfrBaseForm has already built the bound fields, which
    copied the old labels (that is why « Nom d'utilisateur » was rendered), so they are rebuilt."""
    for nom, libelle in libelles.items():
        form.fields[nom].label = libelle
    form._bound_fields_cache.clear()


class ConnexionForm(VerrouillageMixin, DsfrBaseForm, AuthenticationForm):
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "email"
        _libelles(self, {"username": "Adresse électronique", "password": "Mot de passe"})


class AdminConnexionForm(VerrouillageMixin, AdminAuthenticationForm):
    """The agents' log-in (/admin/login/): the same lock-out message, in French."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _libelles(self, {"username": "Adresse électronique"})


class MotDePasseOublieForm(DsfrBaseForm, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _libelles(self, {"email": "Adresse électronique"})

    def get_users(self, email):
        return User._default_manager.filter(username__iexact=email.strip(), is_active=True)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        # Through the task, after commit, like every e-mail of the portal.
        # The subject is the first line of the body's template (it includes subject_template_name).
        sujet, texte = email_render(template=email_template_name, context=context)
        transaction.on_commit(lambda: email_send.enqueue(subject=sujet, body=texte, to=[to_email]))


class NouveauMotDePasseForm(DsfrBaseForm, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _libelles(
            self,
            {"new_password1": "Nouveau mot de passe", "new_password2": "Confirmation du nouveau mot de passe"},
        )


# --- Candidature steps ----------------------------------------------------------------------

MONTANT_PLAUSIBLE = selectors.MONTANT_PLAUSIBLE


class MontantField(forms.CharField):
    """An amount in euros typed the French way (cites.formats.montant_lire): « 150 000,50 »,
    « 150000,50 », « 150 000 € », « 150000.50 »; an ambiguous text is refused and kept as typed."""

    def __init__(self, *args, max_value: Decimal = Decimal("9999999999.99"), **kwargs):
        self.max_value = max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)):
            return formats.nombre(value)
        return value

    def to_python(self, value):
        texte = super().to_python(value)
        if texte in self.empty_values:
            return None
        try:
            valeur = formats.montant_lire(texte)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
        if valeur > self.max_value:
            raise ValidationError(f"Le montant ne peut pas dépasser {formats.montant(self.max_value)}.", code="max")
        return valeur


class EtapeForm(DsfrBaseForm):
    """A step of the candidature: it saves even incomplete, so no field blocks a save.

    Every field of a step being optional for saving, the DSFR asks to say so once at the top of
    the form (the step page does) rather than to mark each field: the fields are displayed as
    not optional (no « (Optionnel) ») but are validated as optional. What the deposit needs is
    listed by the summary, criterion by criterion.
    """

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True  # display only: see full_clean

    def full_clean(self):
        champs = list(self.fields.values())
        for field in champs:
            field.required = False
        try:
            super().full_clean()
        finally:
            for field in champs:
                field.required = True


def champ_formulaire(champ: contenu.Champ) -> forms.Field:
    """The form field of a plain field of the candidature, from its model field and its description."""
    kwargs = {"label": champ.libelle, "help_text": champ.aide, "required": False}
    if champ.lignes:
        kwargs["widget"] = forms.Textarea(attrs={"rows": champ.lignes})
    return Candidature._meta.get_field(champ.nom).formfield(**kwargs)


def formulaire_etape(slug: str, base: type[EtapeForm] | None = None) -> type[EtapeForm]:
    """The form of a step: its plain fields built from candidatures.contenu, in the described order.
    The fields marked `special` (choices among reference data) are declared by `base`."""
    etape = contenu.ETAPES_PAR_SLUG[slug]
    champs = {c.nom: champ_formulaire(c) for c in etape.champs if not c.special}
    attrs = {**champs, "field_order": [c.nom for c in etape.champs], "__module__": __name__}
    nom = f"{slug.capitalize()}Form" if base is None else base.__name__
    return type(nom, (base or EtapeForm,), attrs)


class NouvelleCandidatureForm(DsfrBaseForm):
    appel = forms.ModelChoiceField(label="Appel à projets", queryset=None, empty_label=None)

    def __init__(self, *args, appels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appel"].queryset = appels


class ChoixMultiples(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, libelle=None, **kwargs):
        self.libelle = libelle
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.libelle(obj) if self.libelle else str(obj)


def _qpv_libelle(qpv) -> str:
    communes = ", ".join(c.nom for c in qpv.communes.all())
    return f"{qpv.nom} ({qpv.code}) — {communes}"


def _etablissement_libelle(e) -> str:
    ep = e.education_prioritaire or "hors EP"
    return f"{e.nom} — {ep} — {e.commune.nom} ({e.uai})"


class _TerritoireForm(EtapeForm):
    communes = ChoixMultiples(
        label=contenu.CHAMPS["communes"].libelle,
        queryset=Commune.objects.none(),
        required=False,
        libelle=lambda c: f"{c.nom} ({c.code})",
    )
    qpvs = ChoixMultiples(
        label=contenu.CHAMPS["qpvs"].libelle,
        queryset=None,
        required=False,
        libelle=_qpv_libelle,
        help_text="Proposés à partir des données de référence de l'ANCT pour les communes de votre collectivité.",
    )

    cite_etendue = forms.ModelChoiceField(
        label=contenu.CHAMPS["cite_etendue"].libelle,
        queryset=None,
        required=False,
        empty_label="Non : elle crée une nouvelle cité éducative",
        help_text="Choisissez la cité dont vous demandez l'extension du périmètre.",
    )

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, **kwargs)
        perimetre = selectors.collectivite_communes(collectivite=candidature.collectivite)
        self.fields["communes"].queryset = perimetre
        self.fields["qpvs"].queryset = selectors.qpv_list_for_communes(communes=perimetre).prefetch_related("communes")
        # The labelled cités of the départements of the collectivité, if it has any to extend.
        cites = selectors.cite_list_extensibles(communes=perimetre)
        if cites.exists():
            self.fields["cite_etendue"].queryset = cites
        else:
            del self.fields["cite_etendue"]

    def clean(self):
        data = super().clean()
        communes = set(data.get("communes") or [])
        hors = [q for q in data.get("qpvs") or [] if not communes.intersection(q.communes.all())]
        if hors:
            self.add_error(
                "qpvs",
                "Ces QPV ne sont sur aucune des communes choisies : "
                + ", ".join(f"{q.nom} ({q.code})" for q in hors)
                + ". Cochez aussi leur commune ou décochez-les.",
            )
        return data


class _EcolesForm(EtapeForm):
    etablissements = ChoixMultiples(
        label=contenu.CHAMPS["etablissements"].libelle,
        queryset=None,
        required=False,
        libelle=_etablissement_libelle,
        help_text="Proposés à partir de l'annuaire de l'éducation pour les communes choisies à l'étape 1. "
        "REP et REP+ : réseaux d'éducation prioritaire ; « hors EP » : hors éducation prioritaire.",
    )
    college_chef_de_file = forms.ModelChoiceField(
        label=contenu.CHAMPS["college_chef_de_file"].libelle,
        queryset=None,
        required=False,
        empty_label="— Choisir un collège —",
    )
    college_chef_de_file_autre = forms.CharField(
        label=contenu.CHAMPS["college_chef_de_file_autre"].libelle,
        max_length=300,
        required=False,
        help_text="Son nom et son UAI (l'identifiant national de l'établissement, 7 chiffres et une lettre, "
        "par exemple 0310054X), si l'annuaire ne le propose pas.",
    )

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, **kwargs)
        communes = candidature.communes.all()
        self.fields["etablissements"].queryset = selectors.etablissement_list_prioritaires(communes=communes)
        colleges = selectors.etablissement_list_colleges(communes=communes)
        self.sans_college = communes.exists() and not colleges.exists()
        if self.sans_college:
            # Nothing to choose from: the porteur is told why and types the collège and its UAI.
            del self.fields["college_chef_de_file"]
            self.fields["college_chef_de_file_autre"].label = "Collège chef de file : nom et UAI"
            self.fields["college_chef_de_file_autre"].help_text = (
                "L'annuaire de l'éducation ne propose aucun collège pour les communes choisies : indiquez le "
                "nom du collège et son UAI (identifiant national à 7 chiffres et une lettre, par exemple 0940123A)."
            )
        else:
            self.fields["college_chef_de_file"].queryset = colleges
            self.fields["college_chef_de_file"].label_from_instance = _etablissement_libelle
            self.fields["college_chef_de_file"].help_text = (
                "Le collège qui coordonne les établissements de la cité. REP, REP+ : réseaux d'éducation "
                "prioritaire ; « hors EP » : hors éducation prioritaire."
            )
        self._bound_fields_cache.clear()  # labels and help texts changed after DsfrBaseForm built them


# The forms of the steps: their plain fields come from candidatures.contenu.
TerritoireForm = formulaire_etape("territoire", _TerritoireForm)
EcolesForm = formulaire_etape("ecoles", _EcolesForm)
DiagnosticForm = formulaire_etape("diagnostic")
PilotageForm = formulaire_etape("pilotage")
CommunicationForm = formulaire_etape("communication")


class TexteLibre(forms.CharField):
    def __init__(self, *args, rows=5, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(*args, **kwargs)


class AnneeField(forms.IntegerField):
    """A year at most `plus` years after the current one, counted when the form is built (not at
    import: a server started in December still accepts next year's lines in January)."""

    def __init__(self, *, plus: int, **kwargs):
        self.plus = plus
        super().__init__(**kwargs)

    def borner(self) -> None:
        self.max_value = timezone.localdate().year + self.plus
        self.validators.append(MaxValueValidator(self.max_value))
        self.widget.attrs["max"] = self.max_value


class LigneForm(EtapeForm):
    """A row of a formset: empty rows are ignored, partly filled rows must be completed."""

    requis: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            if isinstance(champ, AnneeField):
                champ.borner()

    def est_vide(self) -> bool:
        return not any(v not in (None, "", [], False) for k, v in self.cleaned_data.items() if k != "DELETE")

    def clean(self):
        data = super().clean()
        if not self.est_vide():
            for nom in self.requis:
                if data.get(nom) in (None, "") and nom not in self.errors:
                    self.add_error(nom, "Ce champ est obligatoire pour cette ligne.")
        return data


class IndicateurForm(LigneForm):
    requis = ("categorie", "libelle", "valeur")
    categorie = forms.ChoiceField(
        label="Catégorie", choices=[("", "— Choisir —"), *Indicateur.Categorie.choices], required=False
    )
    libelle = forms.CharField(
        label="Indicateur", max_length=300, required=False, help_text="Par exemple : taux de retard à l'entrée en 6e."
    )
    valeur = forms.CharField(label="Valeur", max_length=100, required=False)
    annee = AnneeField(label="Année", min_value=1990, plus=1, required=False)
    source = forms.CharField(label="Source", max_length=300, required=False)


class FicheActionForm(LigneForm):
    requis = ("titre",)
    titre = forms.CharField(label="Titre de l'action", max_length=250, required=False)
    objectif = forms.ChoiceField(label="Objectif", choices=[("", "— Choisir —"), *Objectif.choices], required=False)
    temps = forms.MultipleChoiceField(
        label="Temps éducatifs", choices=TempsEducatif.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    age_min = forms.IntegerField(label="Âge minimal (ans)", min_value=0, max_value=25, required=False)
    age_max = forms.IntegerField(label="Âge maximal (ans)", min_value=0, max_value=25, required=False)
    existante = forms.ChoiceField(
        label="Cette action",
        choices=[("nouvelle", "est nouvelle"), ("existante", "existe déjà sur le territoire")],
        widget=forms.RadioSelect,
        required=False,
    )
    familles_partenaires = forms.MultipleChoiceField(
        label="Familles de partenaires", choices=Famille.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    partenaires = forms.CharField(
        label="Partenaires",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leurs noms et leur rôle.",
    )
    budget = MontantField(label="Budget de l'action (€)", required=False, help_text="Par exemple : 25 000 ou 2 500,50.")
    description = TexteLibre(label="Description", rows=3)
    indicateurs = TexteLibre(label="Indicateurs de suivi", rows=2)

    def clean(self):
        data = super().clean()
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", "L'âge maximal doit être supérieur ou égal à l'âge minimal.")
        return data

    @staticmethod
    def initial_from(fiche) -> dict:
        return {
            "titre": fiche.titre,
            "objectif": fiche.objectif,
            "temps": [t for t in ("avant", "pendant", "apres") if getattr(fiche, f"temps_{t}")],
            "age_min": fiche.age_min,
            "age_max": fiche.age_max,
            "existante": "existante" if fiche.existante else "nouvelle",
            "familles_partenaires": fiche.familles_partenaires,
            "partenaires": fiche.partenaires,
            "budget": fiche.budget,
            "description": fiche.description,
            "indicateurs": fiche.indicateurs,
        }

    def to_row(self) -> dict:
        d = self.cleaned_data
        temps = set(d.get("temps") or [])
        return {
            "titre": d["titre"],
            "objectif": d.get("objectif") or "",
            "temps_avant": "avant" in temps,
            "temps_pendant": "pendant" in temps,
            "temps_apres": "apres" in temps,
            "age_min": d.get("age_min"),
            "age_max": d.get("age_max"),
            "existante": d.get("existante") == "existante",
            "familles_partenaires": list(d.get("familles_partenaires") or []),
            "partenaires": d.get("partenaires", ""),
            "budget": d.get("budget"),
            "description": d.get("description", ""),
            "indicateurs": d.get("indicateurs", ""),
        }


UAI_RE = re.compile(r"^\d{7}[A-Z]$")
LIGNE_ETABLISSEMENT_RE = re.compile(r"^(?P<nom>.*?)\s*\((?P<uai>[0-9A-Za-z]{8})\)(?:,\s*(?P<ep>REP\+?|hors EP))?\s*$")


class EtablissementHorsForm(LigneForm):
    """A school the annuaire does not list (a row of the schools step), written back as one line
    « nom (UAI), REP+ » of Candidature.etablissements_hors_referentiel."""

    requis = ("nom", "uai")
    nom = forms.CharField(label="Nom de l'établissement", max_length=200, required=False)
    uai = forms.CharField(
        label="UAI",
        max_length=8,
        required=False,
        help_text="L'identifiant national de l'établissement : 7 chiffres et une lettre, par exemple 0940123A.",
    )
    education_prioritaire = forms.ChoiceField(
        label="Éducation prioritaire",
        choices=[("", "hors EP (hors éducation prioritaire)"), ("REP", "REP"), ("REP+", "REP+")],
        required=False,
    )

    def clean_uai(self):
        uai = re.sub(r"\s", "", self.cleaned_data.get("uai", "")).upper()
        if uai and not UAI_RE.fullmatch(uai):
            raise ValidationError(f"« {uai} » n'est pas un UAI : 7 chiffres et une lettre, par exemple 0940123A.")
        return uai

    @staticmethod
    def ligne(donnees: dict) -> str:
        return f"{donnees['nom']} ({donnees['uai']}), {donnees.get('education_prioritaire') or 'hors EP'}"

    @staticmethod
    def initial_from(texte: str) -> list[dict]:
        lignes = []
        for ligne in (texte or "").splitlines():
            if not ligne.strip():
                continue
            m = LIGNE_ETABLISSEMENT_RE.match(ligne.strip())
            if m:
                ep = m.group("ep") if m.group("ep") in ("REP", "REP+") else ""
                lignes.append({"nom": m.group("nom"), "uai": m.group("uai").upper(), "education_prioritaire": ep})
            else:
                lignes.append({"nom": ligne.strip()})
        return lignes


class LigneBudgetForm(LigneForm):
    requis = ("annee", "cofinanceur", "montant")
    annee = AnneeField(label="Année", min_value=2019, plus=5, required=False)
    cofinanceur = forms.CharField(label="Cofinanceur", max_length=200, required=False, help_text="État, commune, CAF…")
    objet = forms.CharField(label="Objet", max_length=300, required=False)
    montant = MontantField(label="Montant (€)", required=False, help_text="Par exemple : 150 000 ou 150 000,50.")

    @property
    def avertissement(self) -> str:
        """A warning (not an error) for an amount above what one line plausibly holds."""
        if self.is_bound:
            valeur = (getattr(self, "cleaned_data", None) or {}).get("montant")
        else:
            valeur = self.initial.get("montant")
        if valeur is not None and valeur > MONTANT_PLAUSIBLE:
            return (
                f"{formats.montant(valeur)} sur une seule ligne : ce montant paraît élevé, vérifiez-le "
                f"(au-delà de {formats.montant(MONTANT_PLAUSIBLE)} par ligne, une faute de frappe est probable)."
            )
        return ""


class PieceForm(DsfrBaseForm):
    type = forms.ChoiceField(label="Type de pièce", choices=PieceJointe.Type.choices)
    fichier = forms.FileField(
        label="Fichier",
        help_text="PDF, ODS, XLSX ou DOCX, 10 Mo au plus. Le format est vérifié d'après le contenu du fichier.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ods,.xlsx,.docx"}),
    )


class MessageForm(DsfrBaseForm):
    message = TexteLibre(label="Message", rows=3, help_text="Il est joint au retrait, pour les agents.")


class MessageAgentsForm(DsfrBaseForm):
    texte = forms.CharField(
        label="Écrire aux agents qui instruisent la candidature",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    fichier = forms.FileField(
        label="Pièce jointe",
        required=False,
        help_text="PDF, ODS, XLSX ou DOCX, 10 Mo au plus ; le format est vérifié d'après le contenu.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ods,.xlsx,.docx"}),
    )


class LignesFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Supprimer cette ligne"
            form.fields["DELETE"].required = True  # display only, like the other fields (EtapeForm)


def formset(form_class, *, extra: int):
    return forms.formset_factory(
        form_class, formset=LignesFormSet, extra=extra, can_delete=True, max_num=100, validate_max=True
    )


IndicateurFormSet = formset(IndicateurForm, extra=1)
FicheActionFormSet = formset(FicheActionForm, extra=1)
LigneBudgetFormSet = formset(LigneBudgetForm, extra=1)
EtablissementHorsFormSet = formset(EtablissementHorsForm, extra=1)


def ligne_rows(formset_instance) -> list[dict]:
    """The filled, valid rows of a formset, in order, without the deleted ones (a row that does
    not validate is kept as typed beside the candidature, see services.candidature_update)."""
    rows = []
    for form in formset_instance.forms:
        if form.errors or not form.cleaned_data or form.cleaned_data.get("DELETE") or form.est_vide():
            continue
        if isinstance(form, FicheActionForm):
            rows.append(form.to_row())
        else:
            rows.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
    return rows


# --- Eligibility simulator ------------------------------------------------------------------


class EligibiliteForm(DsfrBaseForm):
    """« Mon territoire est-il éligible ? »: a commune or an intercommunality, by name or code."""

    territoire = forms.CharField(
        label="Commune ou intercommunalité",
        help_text="Nom, code INSEE à 5 caractères (par exemple 82121 pour Montauban) ou SIREN d'une "
        "intercommunalité (9 chiffres).",
        max_length=100,
        error_messages={
            "required": "Indiquez une commune ou une intercommunalité.",
            "max_length": "Indiquez au plus %(limit_value)d caractères.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].widget.attrs.update({"autocomplete": "address-level2", "spellcheck": "false"})


# --- People of a candidature (troïka, CPO, principal) --------------------------------------


class PersonneCandidatureForm(DsfrBaseForm):
    """One person of the candidature; the role comes from the page's section (one form per role)."""

    nom = forms.CharField(label="Prénom et nom", max_length=200)
    fonction = forms.CharField(
        label="Fonction",
        max_length=200,
        required=False,
        help_text="Par exemple : sous-préfète à la ville, DASEN, adjointe au maire chargée de l'éducation.",
    )
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text="Jamais publiée : elle reçoit le lien de confirmation ou d'invitation.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple prenom.nom@ville.fr."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nom"].error_messages["required"] = "Indiquez le prénom et le nom."
        self.fields["email"].error_messages["required"] = "Indiquez l'adresse électronique professionnelle."


class CompteCoediteurForm(DsfrBaseForm):
    """An invitee without an account creates one: the address is the invitation's."""

    prenom = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    nom = forms.CharField(label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    password1, password2 = _champs_mot_de_passe()

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        _mot_de_passe_verifier(self, data, email=self.email)
        return data
