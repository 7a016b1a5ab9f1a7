"""Background work (django-tasks): immediate in development and tests, a worker in production."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def email_send(*, subject: str, body: str, to: list[str]) -> int:
    return send_mail(subject, body, None, to, fail_silently=False)


@task()
def export_construire(*, export_id: int) -> str:
    """Build an agent's export (candidatures.services.export_build) out of the request."""
    from candidatures import services

    return services.export_build(export_id=export_id).statut
