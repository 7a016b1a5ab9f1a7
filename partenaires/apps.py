from django.apps import AppConfig


class PartenairesConfig(AppConfig):
    name = "partenaires"
    verbose_name = "Partenaires"

    def ready(self) -> None:
        from cites.signals import connect_cache_invalidation
        from partenaires.models import LienPartenaire, Partenaire

        # A partner shown on a cité's public page changed: empty the public pages' cache.
        connect_cache_invalidation(Partenaire, LienPartenaire)
