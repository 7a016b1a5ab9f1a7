"""Filters of the API (django-filter FilterSets). A value that names nothing (an unknown région
code, a year that is not a number) is a 400 with a French message, never an empty list."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from cites import selectors
from cites.models import (
    CiteEducative,
    Commune,
    CommuneRattachee,
    Departement,
    EducationPrioritaire,
    Etablissement,
    Qpv,
    Region,
)
from cites.search import search_fold_text, search_words

# The spellings of `Type_etablissement` in the annuaire de l'éducation.
TYPES_ETABLISSEMENT = (
    "Ecole",
    "Collège",
    "Lycée",
    "EREA",
    "Médico-social",
    "Service Administratif",
    "Information et orientation",
    "Autre",
)
_TYPES_PAR_FORME = {search_fold_text(type_): type_ for type_ in TYPES_ETABLISSEMENT}


def etablissement_type_normalize(value: str) -> str:
    """« college », « COLLÈGE » → « Collège »: the annuaire's spelling; another value is kept as typed."""
    value = value.strip()
    return _TYPES_PAR_FORME.get(" ".join((search_fold_text(value) or "").split()), value)


def departement_code_normalize(code: str) -> str:
    """`094` → `94`, `02a` → `2A` (the annuaire writes 3 characters, the COG does not)."""
    code = code.strip().upper()
    return code[1:] if len(code) == 3 and code.startswith("0") else code


def value_preview(value: str, length: int) -> str:
    """The start of a value typed by a client, to quote it in an error message."""
    return value if len(value) <= length else value[:length] + "…"


def unknown_value_error(message: str, value: str, *, length: int = 20) -> ValidationError:
    """`message` naming the value as « {valeur} ». The value goes in `params`: django-filter applies
    `%` formatting to every message, so a client's `%s` must never be part of the message itself."""
    return ValidationError(
        message.format(valeur="%(valeur)s"), code="invalid", params={"valeur": value_preview(value, length)}
    )


class CodeField(forms.CharField):
    """The INSEE code of an existing row of `model` (one query), else a French error."""

    def __init__(self, *, model, message: str, normalize=None, rattachees: bool = False, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.model, self.message, self.normalize, self.rattachees = model, message, normalize, rattachees

    def clean(self, value):
        value = (value or "").strip()
        if self.normalize:
            value = self.normalize(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise unknown_value_error(self.message, value)
        value = super().clean(value)
        if not value:
            return ""
        if self.model.objects.filter(code=value).exists():
            return value
        if self.rattachees:
            # A commune déléguée or an arrondissement (75113) stands for its commune (75056).
            parent = CommuneRattachee.objects.filter(code=value).values_list("commune__code", flat=True).first()
            if parent:
                return parent
        raise unknown_value_error(self.message, value)


class CodeFilter(django_filters.CharFilter):
    field_class = CodeField


class AnneeFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


REGION = {
    "model": Region,
    "message": "Région inconnue : « {valeur} ». Indiquez le code INSEE d'une région (ex. 76 pour l'Occitanie, "
    "11 pour l'Île-de-France).",
    "help_text": "Code INSEE de la région (ex. 76).",
}
DEPARTEMENT = {
    "model": Departement,
    "message": "Département inconnu : « {valeur} ». Indiquez le code INSEE d'un département (ex. 69, 2A, 974).",
    "normalize": departement_code_normalize,
    "help_text": "Code INSEE du département (ex. 93, 2A, 974).",
}
COMMUNE = {
    "model": Commune,
    "message": "Commune inconnue : « {valeur} ». Indiquez le code INSEE d'une commune (5 caractères, ex. 31555).",
    "rattachees": True,
    "help_text": "Code INSEE de la commune (ex. 31555) ; un arrondissement ou une commune déléguée désigne sa commune.",
}
ANNEE_ERRORS = {"invalid": "Année invalide : indiquez un nombre entier, par exemple 2019."}
Q_ERRORS = {"max_length": "Recherche trop longue : %(limit_value)d caractères au plus (%(show_value)d reçus)."}


class CiteFilterSet(django_filters.FilterSet):
    """The filters of the public list of cités, applied by `selectors.cite_list_published`."""

    region = CodeFilter(**REGION)
    departement = CodeFilter(**DEPARTEMENT)
    annee = AnneeFilter(field_name="annee_label", help_text="Année du label (ex. 2019).", error_messages=ANNEE_ERRORS)
    q = django_filters.CharFilter(
        help_text="Texte cherché dans le nom de la cité ou de ses communes (sans tenir compte des accents).",
        max_length=100,
        error_messages=Q_ERRORS,
    )

    class Meta:
        model = CiteEducative
        fields = ["region", "departement", "annee", "q"]

    def filter_queryset(self, queryset):
        # The list's own filtering, written once in the selector; `queryset` is that selector's
        # unfiltered result (see CiteViewSet.get_queryset).
        data = self.form.cleaned_data
        return selectors.cite_list_published(
            filters=selectors.CiteListFilters(
                region=data.get("region") or "",
                departement=data.get("departement") or "",
                annee=data.get("annee"),
                q=(data.get("q") or "").strip(),
            )
        )


class CommuneFilterSet(django_filters.FilterSet):
    region = CodeFilter(field_name="departement__region__code", **REGION)
    departement = CodeFilter(field_name="departement__code", **DEPARTEMENT)
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Texte cherché dans le nom (sans accents).",
        max_length=100,
        error_messages=Q_ERRORS,
    )

    class Meta:
        model = Commune
        fields = ["region", "departement", "q"]

    def filter_q(self, queryset, name, value):
        words = search_words(value)
        if not words:
            return queryset
        for word in words:
            queryset = queryset.filter(nom_recherche__contains=word)
        return queryset


class QpvFilterSet(django_filters.FilterSet):
    commune = CodeFilter(method="filter_commune", **COMMUNE)
    region = CodeFilter(method="filter_region", **REGION)
    departement = CodeFilter(method="filter_departement", **DEPARTEMENT)
    generation = django_filters.TypedChoiceFilter(
        choices=[(2015, "2015"), (2024, "2024")],
        coerce=int,
        help_text="Génération des QPV : 2024 (en vigueur) ou 2015 (contours d'Occitanie).",
        error_messages={"invalid_choice": "Génération inconnue : « %(value)s ». Indiquez 2015 ou 2024."},
    )

    class Meta:
        model = Qpv
        fields = ["commune", "region", "departement", "generation"]

    def filter_commune(self, queryset, name, value):
        return queryset.filter(pk__in=Qpv.communes.through.objects.filter(commune__code=value).values("qpv_id"))

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            pk__in=Qpv.communes.through.objects.filter(commune__departement__region__code=value).values("qpv_id")
        )

    def filter_departement(self, queryset, name, value):
        return queryset.filter(
            pk__in=Qpv.communes.through.objects.filter(commune__departement__code=value).values("qpv_id")
        )


class EducationPrioritaireField(forms.ChoiceField):
    def to_python(self, value):
        value = super().to_python(value)
        if value.upper() == "REP ":
            # "REP+" unencoded in a URL arrives as "REP ": in a query string "+" means a space.
            return "REP+"
        value = value.strip()
        return value.upper() if value.upper().startswith("REP") else value.lower()


class EducationPrioritaireFilter(django_filters.ChoiceFilter):
    field_class = EducationPrioritaireField


class EtablissementFilterSet(django_filters.FilterSet):
    commune = CodeFilter(field_name="commune__code", **COMMUNE)
    departement = CodeFilter(field_name="commune__departement__code", **DEPARTEMENT)
    education_prioritaire = EducationPrioritaireFilter(
        choices=[("REP", "REP"), ("REP+", "REP+"), ("aucune", "hors éducation prioritaire")],
        method="filter_education_prioritaire",
        help_text="REP, REP+ (écrire REP%2B dans une adresse) ou « aucune ».",
        error_messages={
            "invalid_choice": "Éducation prioritaire inconnue : « %(value)s ». Indiquez REP, REP+ ou aucune."
        },
    )
    type = django_filters.CharFilter(
        method="filter_type",
        max_length=60,
        help_text="Type d'établissement (Ecole, Collège, Lycée…), sans tenir compte des accents ni des majuscules.",
    )

    class Meta:
        model = Etablissement
        fields = ["commune", "departement", "education_prioritaire", "type"]

    def filter_type(self, queryset, name, value):
        # An exact comparison with the stored spelling, so that the index on `type` serves it.
        return queryset.filter(type=etablissement_type_normalize(value))

    def filter_education_prioritaire(self, queryset, name, value):
        return queryset.filter(education_prioritaire=EducationPrioritaire.AUCUNE if value == "aucune" else value)
