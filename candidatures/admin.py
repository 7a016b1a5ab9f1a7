"""Agents' side in the Django admin: accounts to validate, calls for projects, candidatures
(instruction screens in candidatures.admin_instruction), suggestions on the cités.

Each role sees only what it may use: the model permissions of its group (migration
0004_permissions_des_agents) and, on top, candidatures.permissions and the querysets of
candidatures.selectors: regional agents their région, national agents (ANCT) and superusers
everything. An object out of scope answers 404.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from candidatures import permissions, selectors, services
from candidatures.admin_instruction import CandidatureAdmin
from candidatures.forms import AdminConnexionForm
from candidatures.models import (
    AppelAProjets,
    Candidature,
    Collectivite,
    Critere,
    JournalInstruction,
    MessageCandidature,
    NoteAgent,
    ProfilAgent,
    ProfilPorteur,
)
from cites.admin import EvenementLabelInline, SuggestionAdmin
from cites.models import CiteEducative, Suggestion
from portal.admin_lecture import LectureSeuleMixin


class AgentsMixin:
    """Visible to agents; written by national agents (and superusers) only where `ecriture_nationale`."""

    ecriture_nationale = False

    def has_module_permission(self, request):
        return permissions.is_agent(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.is_agent(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return (
            self.ecriture_nationale
            and permissions.is_agent_national(request.user)
            and super().has_add_permission(request, *args)
        )

    def has_change_permission(self, request, obj=None):
        return (
            self.ecriture_nationale
            and permissions.is_agent_national(request.user)
            and super().has_change_permission(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return self.ecriture_nationale and request.user.is_superuser

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:  # out of the agent's scope, or absent: the same answer
            raise Http404("Objet introuvable")
        return obj


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
        "anonymise_le",
        "anonymise_par",
        "cree_le",
    ]
    fields = readonly_fields
    action_form = MotifForm
    actions = ["valider", "refuser", "anonymiser"]
    change_form_template = "admin/candidatures/profilporteur/change_form.html"
    ordering = ["statut", "-cree_le"]

    def get_queryset(self, request):
        return selectors.porteur_scope_for_agent(queryset=super().get_queryset(request), user=request.user)

    def has_validate_permission(self, request):
        return permissions.is_agent(request.user) and request.user.has_perm("candidatures.change_profilporteur")

    def has_anonymise_permission(self, request):
        return permissions.is_agent_national(request.user)

    @admin.display(description="adresse", ordering="user__email")
    def adresse(self, obj):
        return selectors.COMPTE_SUPPRIME if obj.anonymise_le else obj.user.email

    @admin.display(description="nom")
    def nom(self, obj):
        return selectors.auteur_nom(obj.user) if obj.anonymise_le else obj.user.get_full_name()

    def get_urls(self):
        return [
            path(
                "<int:object_id>/anonymiser/",
                self.admin_site.admin_view(self.anonymiser_view),
                name="candidatures_profilporteur_anonymiser",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["peut_anonymiser"] = (
            obj is not None and obj.anonymise_le is None and self.has_anonymise_permission(request)
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def _anonymiser(self, request, profils) -> None:
        n = 0
        for profil in profils:
            try:
                services.porteur_anonymise(profil=profil, agent=request.user)
                n += 1
            except ValidationError as exc:
                self.message_user(request, f"{profil} : {' '.join(exc.messages)}", messages.ERROR)
        if n:
            self.message_user(
                request,
                f"{n} compte(s) anonymisé(s) : fermés, vidés de leurs données personnelles ; "
                "les candidatures et leur historique sont gardés.",
                messages.SUCCESS,
            )

    def _confirmation(self, request, profils, *, action_url: str, selection: bool):
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Anonymiser des comptes porteurs (demande d'effacement)",
            "profils": profils,
            "action_url": action_url,
            "selection": selection,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/candidatures/profilporteur/anonymiser.html", contexte)

    @admin.action(description="Anonymiser les comptes sélectionnés (demande d'effacement)", permissions=["anonymise"])
    def anonymiser(self, request, queryset):
        profils = list(queryset.select_related("user", "collectivite"))
        if request.POST.get("confirmer") == "oui":
            self._anonymiser(request, profils)
            return None
        return self._confirmation(request, profils, action_url="", selection=True)

    def anonymiser_view(self, request, object_id):
        profil = self.get_object(request, str(object_id))
        if not self.has_anonymise_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            self._anonymiser(request, [profil])
            return redirect(reverse("admin:candidatures_profilporteur_change", args=[profil.pk]))
        return self._confirmation(request, [profil], action_url=request.path, selection=False)

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
    list_display = ["user", "institution", "region", "service"]
    list_select_related = ["user", "region"]
    list_filter = ["institution", "region"]
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
        return selectors.scope_region(qs, user=request.user, champ="region_id")


class CritereInline(admin.TabularInline):
    model = Critere
    extra = 0
    fields = ["numero", "libelle", "verification", "mode", "champs_requis", "description"]

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
    list_display = [
        "titre",
        "annee",
        "ouvert_toute_annee",
        "date_ouverture",
        "date_cloture",
        "confirmation_troika_requise",
        "ouvert",
    ]
    list_filter = ["annee", "ouvert_toute_annee", "confirmation_troika_requise"]
    inlines = [CritereInline]

    @admin.display(description="ouvert aujourd'hui", boolean=True)
    def ouvert(self, obj):
        return selectors.appel_est_ouvert(appel=obj)


# The candidatures: the instruction back office (list, exports, instruction screen, dashboard).
admin.site.register(Candidature, CandidatureAdmin)


@admin.register(NoteAgent, MessageCandidature, JournalInstruction)
class InstructionRecordAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Superusers only: agents read notes, messages and the journal on the instruction screen."""

    list_display = ["candidature", "auteur_nom", "__str__"]
    list_select_related = ["candidature", "auteur"]
    search_fields = ["candidature__reference"]

    @admin.display(description="auteur")
    def auteur_nom(self, obj):
        return selectors.auteur_nom(obj.auteur)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class SuggestionAgentsAdmin(SuggestionAdmin):
    """The corrections suggested on the cités, scoped to the regional agent's région."""

    def get_queryset(self, request):
        return selectors.suggestion_scope_for_agent(queryset=super().get_queryset(request), user=request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Proposition introuvable")
        return obj


class CandidaturesDeLaCiteInline(admin.StackedInline):
    """The decided candidatures that created or extended the cité, each linked to its instruction
    screen (only those the agent may see)."""

    model = Candidature
    fk_name = "cite"
    verbose_name = "candidature à l'origine du label ou d'une extension"
    verbose_name_plural = "candidatures à l'origine du label ou des extensions"
    fields = ["lien", "collectivite", "etat", "depose_le"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            selectors.candidature_list_for_agent(user=request.user).select_related("collectivite").order_by("depose_le")
        )

    def has_view_permission(self, request, obj=None):
        return permissions.is_agent(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="candidature")
    def lien(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse("admin:candidatures_candidature_change", args=[obj.pk])
        return format_html('<a href="{}">{} — {}</a>', url, obj.reference, obj.titre)


class EvenementLabelAgentsInline(EvenementLabelInline):
    """The label history of the cité: read by every agent who may see the cité."""

    def has_view_permission(self, request, obj=None):
        return permissions.is_agent(request.user) or super().has_view_permission(request, obj)


# The cité admin as the other apps made it (partenaires adds the partners and actions).
CiteEducativeAdminEnPlace = type(admin.site.get_model_admin(CiteEducative))


class CiteEducativeAgentsAdmin(CiteEducativeAdminEnPlace):
    """The cités, with the candidatures that created or extended each one. Regional agents see
    the cités of their région (read-only) and record their prolongations, renewals, conventions
    and revues; national agents see and edit every cité."""

    inlines = [
        EvenementLabelAgentsInline,
        *[inline for inline in CiteEducativeAdminEnPlace.inlines if inline is not EvenementLabelInline],
        CandidaturesDeLaCiteInline,
    ]

    def get_queryset(self, request):
        return selectors.cite_scope_for_agent(queryset=super().get_queryset(request), user=request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not request.user.is_superuser and permissions.is_agent(request.user):
            raise Http404("Cité introuvable")
        return obj

    def has_suivi_permission(self, request, obj=None):
        if permissions.is_agent_regional(request.user) and not permissions.is_agent_national(request.user):
            return obj is None or permissions.can_follow_cite(request.user, obj)
        return super().has_suivi_permission(request, obj)


# The agents' log-in says when an account waits after repeated failures (candidatures.backends).
admin.site.login_form = AdminConnexionForm
# No navigation sidebar: beside the list's filters it left the candidature list 717 px of a 1,366 px
# screen; the home page and the breadcrumbs lead everywhere it did.
admin.site.enable_nav_sidebar = False
admin.site.login_template = "admin/connexion.html"

# The admin home gives agents the counts that matter, within their scope (templates/admin/index.html).
_index = admin.site.index


def index_avec_compteurs(request, extra_context=None):
    if permissions.is_agent(request.user):
        extra_context = {**(extra_context or {}), "compteurs_accueil": selectors.accueil_compteurs(user=request.user)}
    return _index(request, extra_context)


admin.site.index = index_avec_compteurs

admin.site.unregister(Suggestion)
admin.site.register(Suggestion, SuggestionAgentsAdmin)


class ComptesAdmin(UserAdmin):
    """Django's user admin, except that a porteur's account is never deleted: its candidatures and
    their history name who did what. An erasure request anonymises it instead."""

    def delete_view(self, request, object_id, extra_context=None):
        profil = (
            ProfilPorteur.objects.filter(user_id=object_id).select_related("user", "collectivite").first()
            if str(object_id).isdigit()
            else None
        )
        if profil is None or not self.has_delete_permission(request, profil.user):
            return super().delete_view(request, object_id, extra_context)
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Un compte porteur ne se supprime pas",
            "profil": profil,
            "url_anonymiser": reverse("admin:candidatures_profilporteur_anonymiser", args=[profil.pk]),
        }
        gabarit = "admin/candidatures/profilporteur/suppression_refusee.html"
        return TemplateResponse(request, gabarit, contexte, status=403)

    def get_actions(self, request):
        # Bulk deletion would stop on the first porteur: deletion stays one account at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, ComptesAdmin)
admin.site.unregister(CiteEducative)
admin.site.register(CiteEducative, CiteEducativeAgentsAdmin)


# The cités' deadlines, scoped by région (issue 13).
from candidatures import admin_suivi  # noqa: E402, F401
