"""Back office of the reference data and of the labelled cités.

Foreign keys and many-to-many fields towards the large tables (37,000 communes, QPVs,
schools) use autocompletion, never a giant select. Changing a cité's label year goes
through `cite_set_annee_label`, so that it is kept as corrected on later imports.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Count, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from cites.models import (
    Abonnement,
    AlerteEnvoi,
    CiteEducative,
    Commune,
    CommuneRattachee,
    ConventionCadre,
    Departement,
    Epci,
    Etablissement,
    EtablissementQpv,
    EvenementLabel,
    FinancementAnnuel,
    IndicePositionSociale,
    PersonneCite,
    Qpv,
    RappelEnvoi,
    Region,
    RevueProjet,
    Suggestion,
)
from cites.services import (
    SUGGESTION_CLOSED,
    cite_create_hors_liste,
    cite_identifiant_suivant,
    cite_prolong,
    cite_record_convention,
    cite_record_revue,
    cite_renew,
    cite_set_annee_label,
    suggestion_close,
    suggestion_close_check,
)
from cites.stockage import fichier_prive_reponse
from portal.admin_lecture import LectureSeuleMixin

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


@admin.register(Abonnement)
class AbonnementAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """E-mail alerts asked for by the public: only to answer a request about personal data (the
    address is never shown on the site); created by the public form, deleted on unsubscribing."""

    list_display = ("email", "departement", "sujet", "cree_le", "confirme_le")
    list_filter = ("sujet", "departement")
    list_select_related = ("departement",)
    search_fields = ("email",)
    readonly_fields = ("email", "departement", "sujet", "jeton", "cree_le", "confirme_le")


@admin.register(AlerteEnvoi)
class AlerteEnvoiAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("cle", "abonnement", "envoye_le")
    list_select_related = ("abonnement__departement",)
    search_fields = ("cle",)


@admin.register(IndicePositionSociale)
class IndicePositionSocialeAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """The IPS files as imported (read-only: `import_ips` or `import_referentiels` writes them)."""

    list_display = ("uai", "nom", "niveau", "rentree", "ips", "secteur", "code_commune", "departement")
    list_filter = ("niveau", "rentree", "secteur", "departement")
    list_select_related = ("departement",)
    search_fields = ("uai", "nom", "code_commune")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EtablissementQpv)
class EtablissementQpvAdmin(admin.ModelAdmin):
    list_display = ("etablissement", "qpv", "methode")
    list_filter = ("methode", "qpv__generation", "etablissement__education_prioritaire")
    list_select_related = ("etablissement", "qpv")
    search_fields = ("etablissement__uai", "etablissement__nom", "qpv__code", "qpv__nom")
    autocomplete_fields = ("etablissement", "qpv")


class EvenementLabelInline(admin.StackedInline):
    """The label history, read-only: events are written by the services (label decision,
    prolongation, renewal, year corrected), through the buttons of the cité's page. Stacked, not
    tabular: each field keeps its visible label (axe-core) and the page fits 1,366 px."""

    model = EvenementLabel
    fields = ("type", "annee", "date", "reference_decision", "fin_financement", "description")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# --- After the label: forms of the records agents add on a cité (services do the writing) ---

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HorsListeForm(forms.Form):
    """A cité labelled by a decision the imported ANCT list does not carry (cites.services.cite_create_hors_liste)."""

    nom = forms.CharField(label="Nom de la cité", max_length=200)
    communes = forms.CharField(
        label="Communes (codes INSEE)",
        help_text="Séparés par des virgules ou des espaces, par exemple : 69123, 69266.",
        max_length=2000,
    )
    date = forms.DateField(label="Date de la décision de label", widget=DATE)
    reference_decision = forms.CharField(label="Référence de la décision", max_length=200)
    fin_financement = forms.DateField(label="Fin de la période de financement", widget=DATE, required=False)

    def clean_communes(self):
        codes = [code for code in self.cleaned_data["communes"].replace(",", " ").split() if code]
        communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
        inconnus = [code for code in codes if code not in communes]
        if inconnus:
            raise forms.ValidationError(f"Codes INSEE inconnus : {', '.join(inconnus)}.")
        return [communes[code] for code in dict.fromkeys(codes)]


class ProlongationForm(forms.Form):
    fin_financement = forms.DateField(label="Nouvelle fin de la période de financement", widget=DATE)
    date = forms.DateField(label="Date de la décision", widget=DATE)
    reference_decision = forms.CharField(label="Référence de la décision", max_length=200)
    description = forms.CharField(
        label="Commentaire (publié dans l'historique)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RenouvellementForm(forms.Form):
    date = forms.DateField(label="Date de la décision", widget=DATE)
    reference_decision = forms.CharField(label="Référence de la décision", max_length=200)
    fin_financement = forms.DateField(
        label="Nouvelle fin de la période de financement",
        required=False,
        widget=DATE,
        help_text="Si la décision en fixe une.",
    )
    description = forms.CharField(
        label="Commentaire (publié dans l'historique)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConventionForm(forms.Form):
    date_signature = forms.DateField(label="Date de signature", widget=DATE)
    description = forms.CharField(
        label="Objet", required=False, max_length=500, help_text="Par exemple : avenant n° 1."
    )
    document = forms.FileField(label="Convention signée (PDF, 10 Mo au plus)", required=False)
    document_public = forms.BooleanField(
        label="Publier la convention sur la page de la cité", required=False, initial=True
    )


class RevueForm(forms.Form):
    date = forms.DateField(label="Date de la revue de projet", widget=DATE)
    resume = forms.CharField(label="Synthèse (publiée)", widget=forms.Textarea(attrs={"rows": 6}))
    document = forms.FileField(label="Document de la revue (PDF, 10 Mo au plus)", required=False)
    document_public = forms.BooleanField(
        label="Publier le document sur la page de la cité",
        required=False,
        help_text="Vérifiez d'abord qu'il ne contient pas de données personnelles.",
    )


@dataclass(frozen=True)
class Suivi:
    titre: str
    form: type[forms.Form]
    service: Callable
    succes: str


SUIVIS = {
    "prolongation": Suivi(
        "Enregistrer une prolongation",
        ProlongationForm,
        cite_prolong,
        "Prolongation enregistrée : la cité est prolongée.",
    ),
    "renouvellement": Suivi(
        "Enregistrer le renouvellement du label", RenouvellementForm, cite_renew, "Renouvellement du label enregistré."
    ),
    "convention": Suivi(
        "Enregistrer la convention-cadre", ConventionForm, cite_record_convention, "Convention-cadre enregistrée."
    ),
    "revue": Suivi("Enregistrer une revue de projet", RevueForm, cite_record_revue, "Revue de projet enregistrée."),
}


def _form_add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def document_link(obj: ConventionCadre | RevueProjet) -> str:
    """A link to the permission-checked download of the record's PDF: the private storage has no
    public URL (PrivateStorage.url raises), so the admin never shows the file field itself."""
    if not obj.document:
        return "—"
    type_ = "convention" if isinstance(obj, ConventionCadre) else "revue"
    url = reverse("admin:cites_citeeducative_document", args=[obj.cite_id, type_, obj.pk])
    return format_html('<a href="{}">Ouvrir le PDF</a>', url)


class DocumentInline(admin.StackedInline):
    """Read-only list of a cité's records: added through the forms above, removable by agents."""

    extra = 0

    # Whoever may see or change the cité may see or remove its records (no separate permission).
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("cites.view_citeeducative") or request.user.has_perm("cites.change_citeeducative")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("cites.change_citeeducative")

    @admin.display(description="document")
    def lien_document(self, obj) -> str:
        return document_link(obj)


class ConventionCadreInline(DocumentInline):
    model = ConventionCadre
    fields = ("date_signature", "description", "lien_document", "document_public", "enregistre_par")
    readonly_fields = fields


class RevueProjetInline(DocumentInline):
    model = RevueProjet
    fields = ("annee", "date", "resume", "lien_document", "document_public", "enregistre_par")
    readonly_fields = fields


class FinancementAnnuelInline(admin.StackedInline):  # stacked: labelled fields (axe-core), fits 1,366 px
    """Money per year, typed by agents on the cité's page (public: the page and the open data show it)."""

    model = FinancementAnnuel
    extra = 0
    fields = ("annee", "dotation_etat", "fonds_cite", "cofinancement", "autres", "depenses", "commentaire")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("cites.view_financementannuel") or request.user.has_perm(
            "cites.change_citeeducative"
        )


class PersonneCiteInline(admin.StackedInline):  # stacked: labelled fields (axe-core), fits 1,366 px
    """The people who run the cité: référents, CPO, principal of the collège chef de file, troïka.
    Their e-mail is private (reminders of the deadlines); a linked account may edit the revue."""

    model = PersonneCite
    extra = 0
    fields = ("role", "nom", "fonction", "email", "user", "actif")
    raw_id_fields = ("user",)  # as the cité's own fields: select2 has no accessible name (axe-core)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("cites.view_personnecite") or request.user.has_perm("cites.change_citeeducative")


@admin.register(CiteEducative)
class CiteEducativeAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "identifiant", "annee_label", "annee_label_deduite", "statut", "publiee", "nombre_communes")
    list_filter = ("statut", "publiee", "annee_label", "annee_label_deduite", "communes__departement__region")
    search_fields = ("nom", "identifiant", "slug", "communes__nom", "communes__code")
    prepopulated_fields = {"slug": ("nom",)}
    # Ids typed or picked in the related list's pop-up: select2's autocomplete widgets have no
    # accessible names (axe-core), and a plain select of 37,000 communes cannot be rendered.
    raw_id_fields = ("communes", "qpvs", "etablissements", "college_chef_de_file")
    # The cité's state (statut, end of funding, label history) changes only through the services,
    # by the buttons of the allowed events (SUIVIS); the year of the label through cite_set_annee_label.
    readonly_fields = ("statut", "fin_financement", "annee_label_deduite", *SOURCE_FIELDS)
    inlines = [
        EvenementLabelInline,
        ConventionCadreInline,
        RevueProjetInline,
        FinancementAnnuelInline,
        PersonneCiteInline,
    ]

    class Media:
        css = {"all": ["cites/admin.css"]}

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
        """A corrected label year goes through its service first (it locks the cité, marks the year
        as known and moves the label event); then the other fields of the form are saved."""
        annee_corrigee = "annee_label" in form.changed_data and obj.annee_label is not None
        if change and annee_corrigee:
            corrigee = cite_set_annee_label(cite=obj, annee=obj.annee_label, user=request.user)
            obj.annee_label_deduite = corrigee.annee_label_deduite
        if not obj.identifiant:  # a cité entered by hand continues the ANCT numbering
            obj.identifiant = cite_identifiant_suivant()
        super().save_model(request, obj, form, change)
        if not change and annee_corrigee:  # a new cité: its label event once it exists
            cite_set_annee_label(cite=obj, annee=obj.annee_label, user=request.user)
            obj.refresh_from_db(fields=["annee_label", "annee_label_deduite"])

    def get_urls(self):
        vue = self.admin_site.admin_view
        return [
            path("hors-liste/", vue(self.hors_liste_view), name="cites_citeeducative_hors_liste"),
            path("<path:object_id>/suivi/<str:suivi>/", vue(self.suivi_view), name="cites_citeeducative_suivi"),
            path(
                "<path:object_id>/document/<str:type>/<int:pk>/",
                vue(self.document_view),
                name="cites_citeeducative_document",
            ),
            *super().get_urls(),
        ]

    def has_suivi_permission(self, request, obj=None) -> bool:
        """Who records prolongations, renewals, conventions and revues of a cité (other apps
        may widen it: regional agents for the cités of their région)."""
        return self.has_change_permission(request, obj)

    def render_change_form(self, request, context, *args, **kwargs):
        obj = kwargs.get("obj")
        if obj is not None and self.has_suivi_permission(request, obj):
            context["suivis"] = [
                (reverse("admin:cites_citeeducative_suivi", args=[obj.pk, cle]), suivi.titre)
                for cle, suivi in SUIVIS.items()
            ]
        return super().render_change_form(request, context, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        if self.has_add_permission(request):
            extra_context = {
                **(extra_context or {}),
                "hors_liste_url": reverse("admin:cites_citeeducative_hors_liste"),
            }
        return super().changelist_view(request, extra_context)

    def hors_liste_view(self, request):
        """A cité labelled outside the imported ANCT list, entered with its decision, without a candidature."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HorsListeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                cite = cite_create_hors_liste(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_add_errors(form, error)
            else:
                self.message_user(
                    request,
                    f"Cité « {cite.nom} » enregistrée sous l'identifiant {cite.identifiant} et publiée.",
                    messages.SUCCESS,
                )
                return redirect("admin:cites_citeeducative_change", cite.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Ajouter une cité labellisée hors de la liste importée",
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/cites/citeeducative/hors_liste.html", context, status=400 if form.errors else 200
        )

    def suivi_view(self, request, object_id, suivi):
        """Record a prolongation, the renewal, the convention-cadre or a revue de projet."""
        cite = self.get_object(request, unquote(object_id))
        definition = SUIVIS.get(suivi)
        if cite is None or definition is None:
            raise Http404("Cité ou formulaire introuvable")
        if not self.has_suivi_permission(request, cite):
            raise PermissionDenied
        form = definition.form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                definition.service(cite=cite, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_add_errors(form, error)
            else:
                self.message_user(request, definition.succes, messages.SUCCESS)
                return redirect("admin:cites_citeeducative_change", cite.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{definition.titre} — {cite.nom}",
            "subtitle": None,
            "opts": self.model._meta,
            "original": cite,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/cites/citeeducative/suivi.html", context)

    def document_view(self, request, object_id, type, pk):
        """Any document of a cité, public or not, for those who may see the cité in the admin."""
        cite = self.get_object(request, unquote(object_id))
        model = {"convention": ConventionCadre, "revue": RevueProjet}.get(type)
        if cite is None or model is None or not self.has_view_permission(request, cite):
            raise Http404("Document introuvable")
        record = model.objects.filter(cite=cite, pk=pk).exclude(document="").first()
        if record is None:
            raise Http404("Document introuvable")
        nom = f"{type}-{cite.slug}-{record.pk}.pdf"
        return fichier_prive_reponse(record.document, nom=nom, content_type="application/pdf", as_attachment=False)


@admin.register(EvenementLabel)
class EvenementLabelAdmin(admin.ModelAdmin):
    list_display = ("cite", "type", "annee", "date", "reference_decision")
    list_filter = ("type", "annee")
    list_select_related = ("cite",)
    search_fields = ("cite__nom", "cite__identifiant", "reference_decision", "description")
    # 37,000 communes: never a plain select (it took ten seconds to render).
    autocomplete_fields = ("cite", "communes")


class SuiviAdmin(admin.ModelAdmin):
    """Conventions and revues of every cité, read-only: they are recorded from the cité's page."""

    list_select_related = ("cite",)
    autocomplete_fields = ("cite",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="document", boolean=True)
    def a_document(self, obj) -> bool:
        return bool(obj.document)

    @admin.display(description="document")
    def lien_document(self, obj) -> str:
        return document_link(obj)


@admin.register(ConventionCadre)
class ConventionCadreAdmin(SuiviAdmin):
    list_display = ("cite", "date_signature", "description", "a_document", "document_public")
    list_filter = ("document_public", "date_signature")
    search_fields = ("cite__nom", "description")
    date_hierarchy = "date_signature"
    fields = ("cite", "date_signature", "description", "lien_document", "document_public", "enregistre_le")
    readonly_fields = ("lien_document", "enregistre_le")


@admin.register(RevueProjet)
class RevueProjetAdmin(SuiviAdmin):
    list_display = ("cite", "annee", "date", "a_document", "document_public")
    list_filter = ("annee", "document_public")
    search_fields = ("cite__nom", "resume")
    fields = ("cite", "annee", "date", "resume", "lien_document", "document_public", "enregistre_le")
    readonly_fields = ("lien_document", "enregistre_le")


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


@admin.register(FinancementAnnuel)
class FinancementAnnuelAdmin(admin.ModelAdmin):
    """Money per cité and per year, and the national table (per région, per wave)."""

    list_display = ("cite", "annee", "dotation_etat", "fonds_cite", "cofinancement", "autres", "depenses")
    list_filter = ("annee", "cite__annee_label", "cite__communes__departement__region")
    list_select_related = ("cite",)
    search_fields = ("cite__nom", "cite__identifiant")
    autocomplete_fields = ("cite",)
    fields = ("cite", "annee", "dotation_etat", "fonds_cite", "cofinancement", "autres", "depenses", "commentaire")

    def save_model(self, request, obj, form, change):
        obj.modifie_par = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("tableau/", self.admin_site.admin_view(self.tableau_view), name="cites_financementannuel_tableau"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "tableau_url": reverse("admin:cites_financementannuel_tableau")}
        return super().changelist_view(request, extra_context)

    def tableau_view(self, request):
        from cites.financements import financement_tableau

        if not self.has_view_permission(request):
            raise PermissionDenied
        annee = request.GET.get("annee", "")
        if annee and not annee.isdigit():
            context = {**self.admin_site.each_context(request), "title": "Année invalide", "opts": self.model._meta}
            return TemplateResponse(
                request, "admin/cites/financementannuel/tableau.html", {**context, "erreur": True}, status=400
            )
        tableau = financement_tableau(annee=int(annee) if annee else None)
        context = {
            **self.admin_site.each_context(request),
            "title": "Financement des cités : tableau national"
            + (f" — {tableau.annee}" if tableau.annee else " — toutes années"),
            "subtitle": None,
            "opts": self.model._meta,
            "tableau": tableau,
        }
        return TemplateResponse(request, "admin/cites/financementannuel/tableau.html", context)


@admin.register(PersonneCite)
class PersonneCiteAdmin(admin.ModelAdmin):
    """The people of every cité (référents, CPO, principal, troïka); e-mails private, never published."""

    list_display = ("nom", "role", "cite", "fonction", "email", "actif")
    list_filter = ("role", "actif", "cite__communes__departement__region")
    list_select_related = ("cite",)
    search_fields = ("nom", "email", "cite__nom")
    autocomplete_fields = ("cite", "user")


@admin.register(RappelEnvoi)
class RappelEnvoiAdmin(admin.ModelAdmin):
    """The reminders sent (manage.py rappels_cites), read-only."""

    list_display = ("echeance", "cle", "envoye_le")
    list_filter = ("cle",)
    list_select_related = ("echeance__cite",)
    search_fields = ("echeance__cite__nom", "destinataires")
    readonly_fields = ("echeance", "cle", "destinataires", "envoye_le")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
