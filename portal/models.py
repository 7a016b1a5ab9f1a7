from django_tasks_db.models import DBTaskResult


class Tache(DBTaskResult):
    """The rows of django-tasks-db's queue, named in French for the agents' admin (portal.admin)."""

    class Meta:
        proxy = True
        verbose_name = "tâche en arrière-plan"
        verbose_name_plural = "tâches en arrière-plan"
