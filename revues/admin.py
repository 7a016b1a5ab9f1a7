"""National agents edit each year's questionnaire here (sections, questions), without a deploy;
revues are read-only (their states change through revues.workflow)."""

from django.contrib import admin

from candidatures import permissions
from revues.models import EvenementRevue, Question, Questionnaire, Revue, Section


# Stacked inlines: each field with its label (a tabular inline's cells have none: axe-core).
class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ("ordre", "titre")


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ("ordre", "libelle", "type", "choix", "obligatoire", "aide", "financement")


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("annee", "titre", "ouvert")
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("questionnaire", "ordre", "titre")
    list_filter = ("questionnaire",)
    inlines = [QuestionInline]


class EvenementRevueInline(admin.TabularInline):
    model = EvenementRevue
    extra = 0
    fields = ("date", "etat_avant", "etat_apres", "auteur", "message")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Revue)
class RevueAdmin(admin.ModelAdmin):
    list_display = ("cite", "questionnaire", "etat", "modifie_le")
    list_filter = ("questionnaire", "etat", "cite__communes__departement__region")
    list_select_related = ("cite", "questionnaire")
    search_fields = ("cite__nom",)
    readonly_fields = ("cite", "questionnaire", "etat")
    fields = readonly_fields
    inlines = [EvenementRevueInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.is_agent_national(request.user):
            return queryset
        return queryset.filter(
            cite__communes__departement__region_id=permissions.agent_region_id(request.user)
        ).distinct()

    def has_add_permission(self, request) -> bool:
        return False
