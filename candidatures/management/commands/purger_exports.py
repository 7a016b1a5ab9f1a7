"""Delete the agents' exports older than EXPORTS_CONSERVATION_JOURS days (7), rows and files.

    .venv/bin/python manage.py purger_exports

Meant for the daily scheduled job.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from candidatures.services import exports_purger


class Command(BaseCommand):
    help = "Efface les exports de candidatures des agents plus anciens que EXPORTS_CONSERVATION_JOURS jours."

    def handle(self, *args, **options):
        nombre = exports_purger()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{nombre} export(s) de plus de {settings.EXPORTS_CONSERVATION_JOURS} jours effacé(s).")
