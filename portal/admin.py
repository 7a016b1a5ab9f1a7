"""« Tâches en arrière-plan »: what the worker did, what failed after its retries, and the
« Relancer » action (portal.taches). Read-only otherwise; ANCT agents and superusers only."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.admin_lecture import LectureSeuleMixin
from portal.models import Tache
from portal.taches import tache_essais, taches_relancer

ETATS = {
    TaskResultStatus.READY: "en attente",
    TaskResultStatus.RUNNING: "en cours",
    TaskResultStatus.FAILED: "en échec",
    TaskResultStatus.SUCCESSFUL: "réussie",
}

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class EtatFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return list(ETATS.items())

    def queryset(self, request, queryset):
        if self.value() in ETATS:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Tache)
class TacheAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("nom", "etat", "essais", "enqueued_at", "started_at", "prochain_essai", "erreur")
    list_filter = (EtatFilter, "queue_name")
    ordering = ["-enqueued_at"]
    actions = ["relancer"]
    list_per_page = 50
    fields = ("nom", "etat", "essais", "enqueued_at", "started_at", "finished_at", "run_after", "erreur", "trace")
    readonly_fields = fields

    @admin.display(description="tâche")
    def nom(self, obj):
        return obj.task_path

    @admin.display(description="état", ordering="status")
    def etat(self, obj):
        return ETATS.get(obj.status, obj.status)

    @admin.display(description="essais")
    def essais(self, obj):
        return tache_essais(worker_ids=obj.worker_ids)

    @admin.display(description="prochain essai", ordering="run_after")
    def prochain_essai(self, obj):
        return obj.run_after if obj.status == TaskResultStatus.READY and obj.run_after.year < 9999 else "—"

    @admin.display(description="dernière erreur")
    def erreur(self, obj):
        return obj.exception_class_path.rsplit(".", 1)[-1] if obj.exception_class_path else "—"

    @admin.display(description="trace de l'erreur")
    def trace(self, obj):
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "—"

    def has_delete_permission(self, request, obj=None):
        return False

    def has_relancer_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description="Relancer les tâches en échec sélectionnées", permissions=["relancer"])
    def relancer(self, request, queryset):
        nombre = taches_relancer(ids=queryset.values_list("pk", flat=True))
        if nombre:
            messages.success(request, f"{nombre} tâche(s) remise(s) en file : le worker les exécute dans un instant.")
        else:
            messages.warning(request, "Aucune tâche en échec dans la sélection : rien n'est relancé.")
