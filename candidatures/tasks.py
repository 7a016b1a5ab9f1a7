"""Background work (django-tasks): immediate in development and tests, the worker of django-tasks-db
in production (`manage.py db_worker`), with retries (portal.taches). Arguments are plain JSON values."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def email_send(*, subject: str, body: str, to: list[str]) -> int:
    return send_mail(subject, body, None, to, fail_silently=False)


@task()
def recepisse_generer(*, candidature_id: int) -> str:
    """The deposit receipt (PDF), written to the private storage."""
    from candidatures.services import recepisse_produire

    return recepisse_produire(candidature_id=candidature_id)


@task()
def export_construire(*, export_id: int) -> str:
    """Build an agent's export (candidatures.services.export_build) out of the request."""
    from candidatures import services

    return services.export_build(export_id=export_id).statut
