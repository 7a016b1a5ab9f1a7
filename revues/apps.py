from django.apps import AppConfig


class RevuesConfig(AppConfig):
    name = "revues"
    verbose_name = "Revues de projet des cités"

    def ready(self) -> None:
        from cites.signals import connect_cache_invalidation
        from revues.models import Revue

        # The public synthesis is a cached public page: an accepted revue changes it.
        connect_cache_invalidation(Revue)
