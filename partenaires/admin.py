"""Back office of the partners, their links to the cités and the cités' actions."""

from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from cites.admin import CiteEducativeAdmin
from cites.models import CiteEducative
from partenaires.models import Action, LienPartenaire, Partenaire


class LienPartenaireInline(admin.TabularInline):
    """On a cité: its partners, with the strength and role of each link."""

    model = LienPartenaire
    fk_name = "cite"
    fields = ("partenaire", "force", "role")
    autocomplete_fields = ("partenaire",)
    extra = 0


class LienCiteInline(admin.TabularInline):
    """On a partner: the cités it works with."""

    model = LienPartenaire
    fk_name = "partenaire"
    fields = ("cite", "force", "role")
    autocomplete_fields = ("cite",)
    extra = 0
    verbose_name_plural = "cités éducatives où ce partenaire intervient"


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


@admin.register(LienPartenaire)
class LienPartenaireAdmin(SimpleHistoryAdmin):
    list_display = ("partenaire", "cite", "force", "role")
    list_filter = ("force", "partenaire__famille", "cite__communes__departement__region")
    list_select_related = ("partenaire", "cite")
    search_fields = ("partenaire__nom", "cite__nom", "role")
    autocomplete_fields = ("cite", "partenaire")


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ("titre", "cite", "objectif", "existante", "budget")
    list_filter = ("objectif", "existante", "temps_avant", "temps_pendant", "temps_apres")
    list_select_related = ("cite",)
    search_fields = ("titre", "description", "cite__nom")
    autocomplete_fields = ("cite", "partenaires")


# The partners of a cité are edited on the cité's page. `cites` knows nothing of `partenaires`
# (dependencies point one way), so the inline is added here.
class CiteEducativeAvecPartenairesAdmin(CiteEducativeAdmin):
    inlines = [*CiteEducativeAdmin.inlines, LienPartenaireInline]


admin.site.unregister(CiteEducative)
admin.site.register(CiteEducative, CiteEducativeAvecPartenairesAdmin)
