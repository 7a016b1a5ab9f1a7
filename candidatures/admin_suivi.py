"""The agents' view of the cités' deadlines (issue 13): what is due and what is overdue, each
regional agent seeing the cités of their région, the ANCT every cité. Dates are editable (an edited
date is kept as typed, cites.echeances never recomputes it); marking a deadline done stops its
reminders."""

import datetime

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from candidatures import permissions
from cites.models import Echeance, RappelEnvoi


class EtatEcheanceFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [
            ("retard", "en retard"),
            ("30j", "dans les 30 jours"),
            ("avenir", "plus tard"),
            ("faite", "faites"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "retard":
                return queryset.filter(faite_le=None, date__lt=today)
            case "30j":
                return queryset.filter(faite_le=None, date__gte=today, date__lte=today + datetime.timedelta(days=30))
            case "avenir":
                return queryset.filter(faite_le=None, date__gt=today + datetime.timedelta(days=30))
            case "faite":
                return queryset.exclude(faite_le=None)
        return queryset


class RappelEnvoiInline(admin.TabularInline):
    model = RappelEnvoi
    extra = 0
    fields = ("cle", "destinataires", "envoye_le")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Echeance)
class EcheanceAdmin(admin.ModelAdmin):
    list_display = ("cite", "type", "annee", "date", "etat", "faite_le", "modifiee")
    list_filter = (EtatEcheanceFilter, "type", "annee", "cite__communes__departement__region")
    list_select_related = ("cite",)
    search_fields = ("cite__nom", "cite__identifiant")
    date_hierarchy = "date"
    fields = ("cite", "type", "annee", "debut", "date", "faite_le", "note", "modifiee")
    readonly_fields = ("cite", "type", "annee", "modifiee")
    inlines = [RappelEnvoiInline]
    actions = ["marquer_faites"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.is_agent_national(request.user):
            return queryset
        region_id = permissions.agent_region_id(request.user)
        if region_id is None:
            return queryset.none()
        return queryset.filter(Q(cite__communes__departement__region_id=region_id)).distinct()

    def has_add_permission(self, request) -> bool:
        return False  # computed from the label (cites.echeances), never typed from scratch

    @admin.display(description="état")
    def etat(self, obj) -> str:
        today = timezone.localdate()
        if obj.faite_le:
            return format_html('<span class="badge badge--success">faite</span>')
        if obj.date < today:
            return format_html('<span class="badge badge--error">en retard de {} j</span>', (today - obj.date).days)
        return format_html('<span class="badge">dans {} j</span>', (obj.date - today).days)

    def save_model(self, request, obj, form, change):
        if change and {"date", "debut"} & set(form.changed_data):
            obj.modifiee = True
        super().save_model(request, obj, form, change)

    @admin.action(description="Marquer comme faites (aujourd'hui)")
    def marquer_faites(self, request, queryset):
        n = queryset.filter(faite_le=None).update(faite_le=timezone.localdate())
        self.message_user(request, f"{n} échéance(s) marquée(s) comme faite(s) : plus de rappel.", messages.SUCCESS)
