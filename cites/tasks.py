"""Background work of `cites` (django-tasks): immediate in development and tests, the worker of
django-tasks-db in production. Arguments are plain JSON values."""

from django.core.mail import EmailMessage
from django_tasks import task


@task()
def alerte_email_send(*, subject: str, body: str, to: list[str], headers: dict | None = None) -> int:
    """One alert e-mail, with its List-Unsubscribe headers (RFC 2369, RFC 8058)."""
    return EmailMessage(subject=subject, body=body, to=to, headers=headers or {}).send(fail_silently=False)


@task()
def alertes_envoyer() -> int:
    """Announce the new cités to their subscribers (see cites.alertes)."""
    from cites.alertes import alertes_nouvelles_cites_envoyer

    return alertes_nouvelles_cites_envoyer()
