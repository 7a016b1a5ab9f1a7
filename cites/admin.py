"""Back office of the reference data and of the labelled cités.

Foreign keys and many-to-many fields towards the large tables (37,000 communes, QPVs,
schools) use autocompletion, never a giant select. Changing a cité's label year goes
through `cite_set_annee_label`, so that it is kept as corrected on later imports.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import BooleanField, Case, Count, Value, When
from simple_history.admin import SimpleHistoryAdmin

from cites.models import (
    CiteEducative,
    Commune,
    CommuneRattachee,
    Departement,
    Epci,
    Etablissement,
    EtablissementQpv,
    EvenementLabel,
    Qpv,
    Region,
    Suggestion,
)
from cites.services import SUGGESTION_CLOSED, cite_set_annee_label, suggestion_close, suggestion_close_check

admin.site.site_header = "Administration du portail des cités éducatives"
admin.site.site_title = "Cités éducatives — administration"
admin.site.index_title = "Gestion du portail"

SOURCE_FIELDS = ("source", "importe_le")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "importe_le")
    search_fields = ("code", "nom")
    ordering = ("code",)
    readonly_fields = SOURCE_FIELDS


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("code", "nom")
    autocomplete_fields = ("region",)
    readonly_fields = SOURCE_FIELDS


class CommuneRattacheeInline(admin.TabularInline):
    model = CommuneRattachee
    fields = ("code", "nom", "type")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "codes rattachés à cette commune (déléguées, associées, arrondissements)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "departement", "population")
    list_filter = ("departement__region", "departement")
    list_select_related = ("departement",)
    search_fields = ("code", "nom")
    autocomplete_fields = ("departement",)
    readonly_fields = SOURCE_FIELDS
    inlines = (CommuneRattacheeInline,)
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # A five-character INSEE code finds the commune directly, also through a déléguée,
        # associée or arrondissement code (e.g. 75113 → Paris).
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if len(term) == 5 and term.isalnum():
            parents = CommuneRattachee.objects.filter(code=term).values("commune_id")
            queryset |= self.model.objects.filter(pk__in=parents)
        return queryset, may_have_duplicates


@admin.register(CommuneRattachee)
class CommuneRattacheeAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "type", "commune")
    list_filter = ("type", "commune__departement__region")
    list_select_related = ("commune",)
    search_fields = ("code", "nom", "commune__nom", "commune__code")
    autocomplete_fields = ("commune",)
    readonly_fields = SOURCE_FIELDS


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ("siren", "nom", "type", "nombre_communes")
    list_filter = ("type",)
    search_fields = ("siren", "nom", "communes__nom", "communes__code")
    autocomplete_fields = ("communes",)
    readonly_fields = SOURCE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_nombre_communes=Count("communes", distinct=True))

    @admin.display(description="communes", ordering="_nombre_communes")
    def nombre_communes(self, obj) -> int:
        return obj._nombre_communes


class QpvContourFilter(admin.SimpleListFilter):
    title = "contour"
    parameter_name = "contour"

    def lookups(self, request, model_admin):
        return (("oui", "avec contour"), ("non", "sans contour"))

    def queryset(self, request, queryset):
        if self.value() in ("oui", "non"):
            return queryset.filter(contour__isnull=self.value() == "non")
        return queryset


@admin.register(Qpv)
class QpvAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "generation", "liste_communes", "a_un_contour")
    list_filter = ("generation", QpvContourFilter, "communes__departement__region")
    search_fields = ("code", "nom", "communes__nom", "communes__code")
    autocomplete_fields = ("communes",)
    fields = (
        "code",
        "nom",
        "generation",
        "communes",
        "population",
        "latitude",
        "longitude",
        "resume_contour",
        *SOURCE_FIELDS,
    )
    readonly_fields = ("resume_contour", *SOURCE_FIELDS)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("contour")
            .annotate(
                _a_contour=Case(
                    When(contour__isnull=False, then=Value(True)), default=Value(False), output_field=BooleanField()
                )
            )
            .prefetch_related("communes")
        )

    @admin.display(description="communes")
    def liste_communes(self, obj) -> str:
        return ", ".join(commune.nom for commune in obj.communes.all())

    @admin.display(description="contour", boolean=True, ordering="_a_contour")
    def a_un_contour(self, obj) -> bool:
        return obj._a_contour

    @admin.display(description="contour")
    def resume_contour(self, obj) -> str:
        contour = Qpv.objects.filter(pk=obj.pk).values_list("contour", flat=True).first() if obj.pk else None
        if not contour:
            return "aucun (placement des écoles par commune)"
        return f"{contour.get('type', 'géométrie')} importé (placement des écoles dans le contour)"


class EtablissementQpvInline(admin.TabularInline):
    model = EtablissementQpv
    autocomplete_fields = ("qpv",)
    extra = 0
    verbose_name_plural = "QPV où l'établissement est placé"


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ("uai", "nom", "type", "statut", "education_prioritaire", "commune")
    list_filter = ("education_prioritaire", "statut", "type", "commune__departement")
    list_select_related = ("commune",)
    search_fields = ("uai", "nom", "commune__nom", "commune__code")
    autocomplete_fields = ("commune",)
    readonly_fields = SOURCE_FIELDS
    inlines = (EtablissementQpvInline,)


@admin.register(EtablissementQpv)
class EtablissementQpvAdmin(admin.ModelAdmin):
    list_display = ("etablissement", "qpv", "methode")
    list_filter = ("methode", "qpv__generation", "etablissement__education_prioritaire")
    list_select_related = ("etablissement", "qpv")
    search_fields = ("etablissement__uai", "etablissement__nom", "qpv__code", "qpv__nom")
    autocomplete_fields = ("etablissement", "qpv")


class EvenementLabelInline(admin.TabularInline):
    model = EvenementLabel
    fields = ("type", "annee", "date", "reference_decision", "description")
    extra = 0


@admin.register(CiteEducative)
class CiteEducativeAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "identifiant", "annee_label", "annee_label_deduite", "statut", "publiee", "nombre_communes")
    list_filter = ("statut", "publiee", "annee_label", "annee_label_deduite", "communes__departement__region")
    search_fields = ("nom", "identifiant", "slug", "communes__nom", "communes__code")
    prepopulated_fields = {"slug": ("nom",)}
    autocomplete_fields = ("communes", "qpvs", "etablissements", "college_chef_de_file")
    readonly_fields = SOURCE_FIELDS
    inlines = [EvenementLabelInline]
    fieldsets = (
        (None, {"fields": ("nom", "slug", "identifiant", "statut", "publiee")}),
        (
            "Label",
            {
                "fields": ("annee_label", "annee_label_deduite", "fin_financement"),
                "description": "Changer l'année la marque comme corrigée : les imports suivants ne la modifient plus.",
            },
        ),
        ("Périmètre", {"fields": ("communes", "qpvs", "etablissements", "college_chef_de_file")}),
        ("Contact", {"fields": ("contact_email",)}),
        ("Origine des données", {"fields": SOURCE_FIELDS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_nombre_communes=Count("communes", distinct=True))

    @admin.display(description="communes", ordering="_nombre_communes")
    def nombre_communes(self, obj) -> int:
        return obj._nombre_communes

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "annee_label" in form.changed_data and obj.annee_label is not None:
            cite_set_annee_label(cite=obj, annee=obj.annee_label, user=request.user)
            obj.refresh_from_db(fields=["annee_label", "annee_label_deduite"])


@admin.register(EvenementLabel)
class EvenementLabelAdmin(admin.ModelAdmin):
    list_display = ("cite", "type", "annee", "date", "reference_decision")
    list_filter = ("type", "annee")
    list_select_related = ("cite",)
    search_fields = ("cite__nom", "cite__identifiant", "reference_decision", "description")
    autocomplete_fields = ("cite",)


class SuggestionCloseForm(forms.ModelForm):
    """An agent's answer to a suggestion: handled or rejected, with a reply (suggestion_close)."""

    statut = forms.ChoiceField(
        label="Suite donnée",
        choices=[(value, Suggestion.Statut(value).label) for value in SUGGESTION_CLOSED],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Suggestion
        fields = ("statut", "reponse")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.statut not in SUGGESTION_CLOSED:
            self.initial["statut"] = None

    def clean(self):
        cleaned = super().clean()
        if "statut" in cleaned:
            suggestion_close_check(statut=cleaned["statut"], reponse=cleaned.get("reponse", ""))
        return cleaned


def _related_only_filter(title: str) -> type[admin.RelatedOnlyFieldListFilter]:
    """A filter on the values present only, with its own title."""

    class Filter(admin.RelatedOnlyFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Filter


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Corrections suggested by the public; agents close them through `suggestion_close`."""

    form = SuggestionCloseForm
    list_display = ("cite", "champ", "statut", "cree_le", "traitee_le")
    list_filter = (
        "statut",
        "champ",
        ("cite", _related_only_filter("cité éducative")),
        ("cite__communes__departement__region", _related_only_filter("région")),
    )
    list_select_related = ("cite",)
    search_fields = ("cite__nom", "message", "email")
    readonly_fields = ("cite", "champ", "message", "email", "cree_le", "traitee_le", "traitee_par")
    fieldsets = (
        ("Proposition", {"fields": ("cite", "champ", "message", "email", "cree_le")}),
        (
            "Suite donnée",
            {
                "fields": ("statut", "reponse", "traitee_le", "traitee_par"),
                "description": "La réponse est conservée avec la proposition ; l’adresse de la personne "
                "n’est jamais publiée.",
            },
        ),
    )
    date_hierarchy = "cree_le"
    actions = ("rejeter_indesirables",)

    def has_add_permission(self, request) -> bool:
        return False  # suggestions come from the public pages

    def save_model(self, request, obj, form, change):
        suggestion_close(
            suggestion=obj, statut=form.cleaned_data["statut"], reponse=form.cleaned_data["reponse"], user=request.user
        )

    @admin.action(description="Rejeter comme indésirables (publicité, message hors sujet)")
    def rejeter_indesirables(self, request, queryset):
        nombre = 0
        for suggestion in queryset.filter(statut=Suggestion.Statut.NOUVELLE):
            suggestion_close(
                suggestion=suggestion,
                statut=Suggestion.Statut.REJETEE,
                reponse="Message indésirable ou hors sujet.",
                user=request.user,
            )
            nombre += 1
        self.message_user(request, f"{nombre} proposition(s) rejetée(s) comme indésirables.", messages.SUCCESS)
