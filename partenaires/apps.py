from django.apps import AppConfig


class PartenairesConfig(AppConfig):
    name = "partenaires"
    verbose_name = "Partenaires"

    def ready(self) -> None:
        from cites.extensions import cite_detail_register
        from cites.signals import connect_cache_invalidation
        from partenaires.models import Action, LienPartenaire, Partenaire
        from partenaires.views import cite_detail_context

        # A partner, a link or a fiche action shown on a cité's public page changed: empty the
        # public pages' cache.
        connect_cache_invalidation(Partenaire, LienPartenaire, Action, m2m_through=[Action.partenaires.through])
        # A cité's page shows its partner network and its actions.
        cite_detail_register(cite_detail_context)
