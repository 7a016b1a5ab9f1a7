"""Daily: remind each agent in charge of the candidatures past their instruction deadline."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from candidatures.instruction import rappels_instruction_envoyer


class Command(BaseCommand):
    help = "Envoie aux agents instructeurs le rappel des candidatures dont l'échéance d'instruction est passée."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Jour du rappel (AAAA-MM-JJ), aujourd'hui par défaut.")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Date invalide : {options['date']} (attendu AAAA-MM-JJ).") from exc
        else:
            today = timezone.localdate()
        resultat = rappels_instruction_envoyer(today=today)
        n, agents = resultat["candidatures"], resultat["agents"]
        self.stdout.write(f"{n} candidature(s) rappelée(s) à {agents} agent(s) le {today:%d/%m/%Y}.")
