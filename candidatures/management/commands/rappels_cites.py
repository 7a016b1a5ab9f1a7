"""Daily: update the cités' deadlines from their labels and send the reminders due today.

Called by `manage.py taches_planifiees quotidien` when it exists (issue 12), or by cron.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from candidatures.rappels import rappels_cites_envoyer


class Command(BaseCommand):
    help = "Met à jour les échéances des cités et envoie les rappels du jour (référents, agents)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Jour à traiter (AAAA-MM-JJ), aujourd'hui par défaut.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Date invalide « {options['date']} » : écrivez-la AAAA-MM-JJ.") from exc
        compte = rappels_cites_envoyer(today=today)
        self.stdout.write(
            f"{today:%d/%m/%Y} : {compte['creees']} échéance(s) créée(s), {compte['modifiees']} recalculée(s), "
            f"{compte['rappels']} rappel(s) envoyé(s), {compte['sans_destinataire']} sans destinataire."
        )
