from django.apps import AppConfig


class CitesConfig(AppConfig):
    name = "cites"
    verbose_name = "Territoires et cités éducatives"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from cites.extensions import cite_detail_register
        from cites.financements import cite_financement_context
        from cites.models import CiteEducative, ConventionCadre, EvenementLabel, FinancementAnnuel, RevueProjet
        from cites.search import on_connection_created, register_sqlite_function
        from cites.signals import connect_alerts, connect_cache_invalidation

        # The accent-insensitive search needs an SQL function on SQLite.
        connection_created.connect(on_connection_created, dispatch_uid="cites-search-fold")
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_function(connection)

        # Any change to a cité, its perimeter or its label history empties the public pages' cache.
        connect_cache_invalidation(
            CiteEducative,
            EvenementLabel,
            ConventionCadre,
            RevueProjet,
            FinancementAnnuel,
            m2m_through=[
                CiteEducative.communes.through,
                CiteEducative.qpvs.through,
                CiteEducative.etablissements.through,
                EvenementLabel.communes.through,
            ],
        )
        # A new published cité may be announced to the subscribers of its département (cites.alertes).
        connect_alerts(CiteEducative, m2m_through=CiteEducative.communes.through)
        # The money per year (issue 13): the « financement » key figure and its table on a cité's page.
        cite_detail_register(cite_financement_context)
