"""The task worker's safety net (django-tasks-db in production).

- A task that fails is tried again, at most TASKS_MAX_ATTEMPTS times in all, each time after a delay
  that doubles (TASKS_RETRY_DELAY seconds, then twice that…); after the last attempt it stays
  « FAILED », listed in the admin (« Tâches en échec ») where an agent can relaunch it.
- A task left « RUNNING » by a worker that died (killed, machine lost) is given back to the queue
  once it has run longer than TASKS_RUNNING_TIMEOUT seconds: nothing is lost silently.

The number of attempts is the number of workers that claimed the task (`worker_ids`).
Nothing here runs with the immediate backend (development, tests): its results have no row.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus

logger = logging.getLogger("portal.taches")


def tache_essais(*, worker_ids: list) -> int:
    return len(worker_ids or [])


def tache_delai_avant_essai(*, essais: int) -> timedelta:
    """Delay before the next attempt after `essais` attempts: doubling from TASKS_RETRY_DELAY."""
    return timedelta(seconds=settings.TASKS_RETRY_DELAY * 2 ** max(essais - 1, 0))


def tache_reessayer_si_possible(sender=None, *, task_result, **kwargs) -> bool:
    """Receiver of django_tasks' task_finished: a failed database task goes back to the queue
    while attempts remain. Returns True when it was requeued."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return False
    from django_tasks_db.models import DBTaskResult

    essais = tache_essais(worker_ids=db_result.worker_ids)
    if essais >= settings.TASKS_MAX_ATTEMPTS:
        logger.error(
            "Tâche en échec après %s essais : %s (%s)", essais, db_result.task_path, db_result.exception_class_path
        )
        return False
    prochain = timezone.now() + tache_delai_avant_essai(essais=essais)
    DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=prochain, finished_at=None
    )
    logger.warning(
        "Tâche en échec (essai %s sur %s), nouvel essai à %s : %s (%s)",
        essais,
        settings.TASKS_MAX_ATTEMPTS,
        prochain.isoformat(timespec="seconds"),
        db_result.task_path,
        db_result.exception_class_path,
    )
    return True


def taches_relancer(*, ids) -> int:
    """An agent relaunches failed tasks: back to the queue at once, with a fresh count of attempts."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk__in=list(ids), status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now(),
        finished_at=None,
        worker_ids=[],
        exception_class_path="",
        traceback="",
    )


def taches_abandonnees_reprendre() -> int:
    """Tasks « RUNNING » for longer than TASKS_RUNNING_TIMEOUT: their worker died; queue them again."""
    from django_tasks_db.models import DBTaskResult

    limite = timezone.now() - timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT)
    with transaction.atomic():
        ids = list(
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=limite)
            .values_list("pk", flat=True)
        )
        if ids:
            DBTaskResult.objects.filter(pk__in=ids).update(status=TaskResultStatus.READY, run_after=timezone.now())
    if ids:
        logger.warning("%s tâche(s) abandonnée(s) par un worker arrêté remise(s) en file", len(ids))
    return len(ids)
