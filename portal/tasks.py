"""Background work of the portal (django-tasks): the scheduled jobs, run by the worker."""

import io

from django.core.management import call_command
from django_tasks import task


@task()
def commande_planifiee(*, commande: str, arguments: list[str]) -> str:
    """One management command of the planning (portal.planification); its output is kept as the
    task's result, and a failure (an exception, a non-zero exit) makes the task retried."""
    sortie = io.StringIO()
    try:
        call_command(commande, *arguments, stdout=sortie, stderr=sortie)
    except SystemExit as exc:
        if exc.code:
            raise RuntimeError(f"{commande} a échoué (code {exc.code}) : {sortie.getvalue()[-1000:]}") from exc
    return sortie.getvalue()[-4000:]
