"""Back office of the partners, their links to the cités and the cités' actions."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from cites.admin import CiteEducativeAdmin
from cites.models import CiteEducative
from partenaires.models import Action, LienPartenaire, Partenaire, TempsEducatif
from partenaires.validation import contributions_validate

AGE_MAX = 25


class LienPartenaireInline(admin.StackedInline):
    """On a cité: its partners, with the strength and role of each link. Stacked, with the
    partner's id and the pop-up of the partners' list: each field keeps a visible label and an
    accessible name (axe-core on the cité's page, which fits 1,366 px)."""

    model = LienPartenaire
    fk_name = "cite"
    fields = ("partenaire", "force", "role", "valide")
    raw_id_fields = ("partenaire",)
    extra = 0


class LienCiteInline(admin.TabularInline):
    """On a partner: the cités it works with."""

    model = LienPartenaire
    fk_name = "partenaire"
    fields = ("cite", "force", "role", "valide")
    autocomplete_fields = ("cite",)
    extra = 0
    verbose_name_plural = "cités éducatives où ce partenaire intervient"


class ActionAdminForm(forms.ModelForm):
    """Says in French what the database constraints of an action require (the constraint
    itself is then not checked again, its fields being in error)."""

    class Meta:
        model = Action
        fields = (
            "cite",
            "titre",
            "objectif",
            "temps_avant",
            "temps_pendant",
            "temps_apres",
            "age_min",
            "age_max",
            "existante",
            "budget",
            "partenaires",
            "description",
            "indicateurs",
            "valide",
        )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"temps_{value}") for value in TempsEducatif.values):
            self.add_error("temps_avant", "Cochez au moins un temps éducatif : avant, pendant ou après la classe.")
        age_min, age_max = cleaned.get("age_min"), cleaned.get("age_max")
        if age_max is not None and age_max > AGE_MAX:
            self.add_error("age_max", f"L’âge maximal ne peut dépasser {AGE_MAX} ans.")
        elif age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_min", "L’âge minimal doit être inférieur ou égal à l’âge maximal.")
        return cleaned


class ActionInline(admin.StackedInline):
    """On a cité: its fiches action, shown on its public page."""

    model = Action
    form = ActionAdminForm
    fk_name = "cite"
    fields = (
        "titre",
        "objectif",
        ("temps_avant", "temps_pendant", "temps_apres"),
        ("age_min", "age_max"),
        ("existante", "budget"),
        "partenaires",
        "description",
        "indicateurs",
        "valide",
    )
    raw_id_fields = ("partenaires",)  # select2's widget has no accessible name (axe-core)
    extra = 0
    classes = ("collapse",)


@admin.register(Partenaire)
class PartenaireAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "famille", "nombre_cites")
    list_filter = ("famille",)
    search_fields = ("nom", "description")
    inlines = (LienCiteInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_nombre_cites=Count("liens", distinct=True))

    @admin.display(description="cités", ordering="_nombre_cites")
    def nombre_cites(self, obj) -> int:
        return obj._nombre_cites


class EnAttenteFilter(admin.SimpleListFilter):
    """« En attente de validation » first: what porteurs entered, not public until validated."""

    title = "validation"
    parameter_name = "valide"

    def lookups(self, request, model_admin):
        return [("0", "en attente de validation"), ("1", "validé et publié")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(valide=self.value() == "1")
        return queryset


class ValidationAdminMixin:
    """List filter with counts (facets), « en attente » shown in the list, and the validate action."""

    show_facets = admin.ShowFacets.ALWAYS
    actions = ("valider",)

    @admin.action(description="Valider et publier les éléments sélectionnés", permissions=["change"])
    def valider(self, request, queryset):
        nombre = contributions_validate(queryset=queryset, user=request.user)
        if nombre:
            self.message_user(request, f"{nombre} élément(s) validé(s) : ils sont désormais publiés.", messages.SUCCESS)
        else:
            self.message_user(request, "Rien à valider : les éléments sélectionnés l’étaient déjà.", messages.INFO)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        attente = self.model.objects.filter(valide=False).count()
        if attente and request.method == "GET":
            self.message_user(
                request,
                f"{attente} en attente de validation (saisis par des porteurs, non publiés) : "
                "filtre « validation » à droite.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(LienPartenaire)
class LienPartenaireAdmin(ValidationAdminMixin, SimpleHistoryAdmin):
    list_display = ("partenaire", "cite", "force", "role", "valide")
    list_filter = (EnAttenteFilter, "force", "partenaire__famille", "cite__communes__departement__region")
    list_select_related = ("partenaire", "cite")
    search_fields = ("partenaire__nom", "cite__nom", "role")
    autocomplete_fields = ("cite", "partenaire")


@admin.register(Action)
class ActionAdmin(ValidationAdminMixin, SimpleHistoryAdmin):
    form = ActionAdminForm
    list_display = ("titre", "cite", "objectif", "existante", "budget", "valide")
    list_filter = (EnAttenteFilter, "objectif", "existante", "temps_avant", "temps_pendant", "temps_apres")
    list_select_related = ("cite",)
    search_fields = ("titre", "description", "cite__nom")
    autocomplete_fields = ("cite", "partenaires")


# The partners of a cité are edited on the cité's page. `cites` knows nothing of `partenaires`
# (dependencies point one way), so the inline is added here.
class CiteEducativeAvecPartenairesAdmin(CiteEducativeAdmin):
    inlines = [*CiteEducativeAdmin.inlines, LienPartenaireInline, ActionInline]


admin.site.unregister(CiteEducative)
admin.site.register(CiteEducative, CiteEducativeAvecPartenairesAdmin)
