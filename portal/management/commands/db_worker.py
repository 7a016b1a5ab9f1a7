"""django-tasks-db's worker, which first gives back to the queue the tasks a dead worker left
« RUNNING » (portal.taches), then again after each task at most every TASKS_RUNNING_TIMEOUT / 2 s."""

import time

from django.conf import settings
from django_tasks_db.management.commands import db_worker

from portal.taches import taches_abandonnees_reprendre


class Worker(db_worker.Worker):
    def run(self) -> None:
        self._reprise = time.monotonic()
        taches_abandonnees_reprendre()
        super().run()

    def run_task(self, db_task_result) -> None:
        try:
            super().run_task(db_task_result)
        finally:
            if time.monotonic() - self._reprise > settings.TASKS_RUNNING_TIMEOUT / 2:
                self._reprise = time.monotonic()
                taches_abandonnees_reprendre()


class Command(db_worker.Command):
    help = "Le worker des tâches (django-tasks-db), qui reprend les tâches abandonnées par un worker arrêté"

    def handle(self, *args, **options):
        db_worker.Worker = Worker
        return super().handle(*args, **options)
