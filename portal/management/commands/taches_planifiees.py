"""`manage.py taches_planifiees quotidien|hebdomadaire`: called by the platform's scheduler
(cron.json); queues each job of portal.planification for the worker and returns at once."""

from django.core.management.base import BaseCommand

from portal.planification import PLANNING, planning_resoudre
from portal.taches import taches_abandonnees_reprendre
from portal.tasks import commande_planifiee


class Command(BaseCommand):
    help = "Met en file les tâches planifiées (quotidiennes ou hebdomadaires) pour le worker."

    def add_arguments(self, parser):
        parser.add_argument("frequence", choices=sorted(PLANNING), help="quotidien ou hebdomadaire")

    def handle(self, *args, frequence: str, **options):
        retenues, ecartees = planning_resoudre(frequence=frequence)
        for message in ecartees:
            self.stdout.write(f"  {message}")
        if frequence == "quotidien":
            reprises = taches_abandonnees_reprendre() if self._file_en_base() else 0
            if reprises:
                self.stdout.write(f"  {reprises} tâche(s) abandonnée(s) par un worker arrêté remise(s) en file")
        for tache in retenues:
            resultat = commande_planifiee.enqueue(commande=tache.commande, arguments=tache.arguments)
            ligne = " ".join([tache.commande, *tache.arguments])
            self.stdout.write(f"  {ligne} — {tache.pourquoi} : {self._etat(resultat.status)}")
        adjectif = {"quotidien": "quotidienne(s)", "hebdomadaire": "hebdomadaire(s)"}[frequence]
        self.stdout.write(self.style.SUCCESS(f"{len(retenues)} tâche(s) {adjectif} confiée(s) au worker."))

    @staticmethod
    def _file_en_base() -> bool:
        from django.conf import settings

        return "django_tasks_db" in settings.TASKS["default"]["BACKEND"]

    @staticmethod
    def _etat(status: str) -> str:
        return {"READY": "en file", "SUCCESSFUL": "faite", "FAILED": "en échec", "RUNNING": "en cours"}.get(
            status, status
        )
