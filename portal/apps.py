from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from portal.taches import tache_reessayer_si_possible

        # A failed task of the database backend goes back to the queue while attempts remain.
        task_finished.connect(tache_reessayer_si_possible, dispatch_uid="portal.taches.reessayer")
