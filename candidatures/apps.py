from django.apps import AppConfig


class CandidaturesConfig(AppConfig):
    name = "candidatures"
    verbose_name = "Candidatures"

    def ready(self) -> None:
        from candidatures.extensions_publiques import register
        from candidatures.models import AppelAProjets, Critere
        from cites.signals import connect_cache_invalidation

        # The eligibility simulator (a cached public page) shows the open call's criteria.
        connect_cache_invalidation(AppelAProjets, Critere)
        # The statistics page shows the instruction figures (cites.extensions).
        register()
