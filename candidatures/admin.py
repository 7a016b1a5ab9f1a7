"""Agents' side in the Django admin: accounts to validate, calls for projects, candidatures (read-only).

Each role sees only what it may use (candidatures.permissions): regional agents their région,
national agents (ANCT) and superusers everything. Issue 4 builds the instruction screens on this.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from candidatures import permissions, selectors, services
from candidatures.models import (
    AppelAProjets,
    Candidature,
    Collectivite,
    Critere,
    EvenementCandidature,
    ProfilAgent,
    ProfilPorteur,
)


class AgentsMixin:
    """Visible to agents; written by national agents (and superusers) only where `ecriture_nationale`."""

    ecriture_nationale = False

    def has_module_permission(self, request):
        return permissions.is_agent(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_agent(request.user)

    def has_add_permission(self, request, *args):
        return self.ecriture_nationale and permissions.is_agent_national(request.user)

    def has_change_permission(self, request, obj=None):
        return self.ecriture_nationale and permissions.is_agent_national(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.ecriture_nationale and request.user.is_superuser


class MotifForm(ActionForm):
    motif = forms.CharField(label="Motif (pour un refus)", required=False, max_length=500)


@admin.register(ProfilPorteur)
class ProfilPorteurAdmin(AgentsMixin, admin.ModelAdmin):
    list_display = ["adresse", "nom", "collectivite", "region", "email_confirme_badge", "statut", "cree_le"]
    list_filter = ["statut", ("collectivite__region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__last_name", "collectivite__nom", "collectivite__code"]
    list_select_related = ["user", "collectivite", "collectivite__region"]
    readonly_fields = [
        "user",
        "collectivite",
        "fonction",
        "telephone",
        "email_confirme_le",
        "statut",
        "statut_modifie_le",
        "statut_modifie_par",
        "motif_refus",
        "cree_le",
    ]
    fields = readonly_fields
    action_form = MotifForm
    actions = ["valider", "refuser"]
    ordering = ["statut", "-cree_le"]

    def get_queryset(self, request):
        return selectors.porteur_scope_for_agent(queryset=super().get_queryset(request), user=request.user)

    def has_validate_permission(self, request):
        return permissions.is_agent(request.user)

    @admin.display(description="adresse", ordering="user__email")
    def adresse(self, obj):
        return obj.user.email

    @admin.display(description="nom")
    def nom(self, obj):
        return obj.user.get_full_name()

    @admin.display(description="région", ordering="collectivite__region__nom")
    def region(self, obj):
        return obj.collectivite.region

    @admin.display(description="adresse confirmée", boolean=True)
    def email_confirme_badge(self, obj):
        return obj.email_confirme

    @admin.action(description="Valider les comptes sélectionnés", permissions=["validate"])
    def valider(self, request, queryset):
        n = 0
        for profil in queryset:
            try:
                services.porteur_validate(profil=profil, agent=request.user)
                n += 1
            except ValidationError as exc:
                self.message_user(request, f"{profil} : {' '.join(exc.messages)}", messages.ERROR)
        if n:
            self.message_user(
                request, f"{n} compte(s) validé(s) ; les porteurs sont prévenus par courriel.", messages.SUCCESS
            )

    @admin.action(description="Refuser les comptes sélectionnés (indiquez le motif)", permissions=["validate"])
    def refuser(self, request, queryset):
        motif = request.POST.get("motif", "")
        n = 0
        for profil in queryset:
            try:
                services.porteur_refuse(profil=profil, agent=request.user, motif=motif)
                n += 1
            except ValidationError as exc:
                self.message_user(request, f"{profil} : {' '.join(exc.messages)}", messages.ERROR)
                break
        if n:
            self.message_user(
                request, f"{n} compte(s) refusé(s) ; les porteurs sont prévenus par courriel.", messages.SUCCESS
            )


@admin.register(ProfilAgent)
class ProfilAgentAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "service"]
    list_filter = ["region"]
    search_fields = ["user__email", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Collectivite)
class CollectiviteAdmin(AgentsMixin, admin.ModelAdmin):
    list_display = ["nom", "type", "code", "region"]
    list_filter = ["type", "region"]
    search_fields = ["nom", "code"]
    readonly_fields = ["type", "code", "nom", "commune", "epci", "region", "communes"]
    fields = readonly_fields

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("region")
        if permissions.is_agent_national(request.user):
            return qs
        return qs.filter(region_id=permissions.agent_region_id(request.user))


class CritereInline(admin.TabularInline):
    model = Critere
    extra = 0
    fields = ["numero", "libelle", "verification", "champs_requis", "description"]

    def has_view_permission(self, request, obj=None):
        return permissions.is_agent(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.is_agent_national(request.user)

    has_change_permission = has_add_permission

    def has_delete_permission(self, request, obj=None):
        return permissions.is_agent_national(request.user)


@admin.register(AppelAProjets)
class AppelAProjetsAdmin(AgentsMixin, admin.ModelAdmin):
    ecriture_nationale = True
    list_display = ["titre", "annee", "ouvert_toute_annee", "date_ouverture", "date_cloture", "ouvert"]
    list_filter = ["annee", "ouvert_toute_annee"]
    inlines = [CritereInline]

    @admin.display(description="ouvert aujourd'hui", boolean=True)
    def ouvert(self, obj):
        return selectors.appel_est_ouvert(appel=obj)


class EvenementInline(admin.TabularInline):
    model = EvenementCandidature
    extra = 0
    fields = ["date", "auteur", "etat_avant", "etat_apres", "message"]
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return permissions.is_agent(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Candidature)
class CandidatureAdmin(AgentsMixin, admin.ModelAdmin):
    """Read-only for now: the instruction screens come with issue 4. The state is never edited here."""

    list_display = ["libelle", "collectivite", "appel", "etat_badge", "depose_le"]
    list_filter = ["etat", "appel"]
    search_fields = ["reference", "titre", "collectivite__nom", "communes__nom"]
    list_select_related = ["collectivite", "appel"]
    inlines = [EvenementInline]
    exclude = ["recepisse"]

    def get_queryset(self, request):
        return selectors.candidature_list_for_user(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "recepisse"] + [
            "communes",
            "qpvs",
            "etablissements",
        ]

    @admin.display(description="candidature", ordering="reference")
    def libelle(self, obj):
        return str(obj)

    @admin.display(description="état", ordering="etat")
    def etat_badge(self, obj):
        return format_html('<span class="etat etat--{}">{}</span>', obj.etat, obj.get_etat_display())
