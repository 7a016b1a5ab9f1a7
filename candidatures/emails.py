"""E-mails: rendered from templates now, sent by a task once the transaction commits."""

from django.db import transaction

from candidatures.tasks import email_send
from portal.emails import email_render as portal_email_render


def email_render(*, template: str, context: dict) -> tuple[str, str]:
    """The e-mail templates/candidatures/emails/<template>.txt (extending emails/base.txt)."""
    return portal_email_render(template=f"candidatures/emails/{template}.txt", context=context)


def email_on_commit(*, template: str, context: dict, to: list[str]) -> None:
    to = sorted({adresse for adresse in to if adresse})
    if not to:
        return
    sujet, corps = email_render(template=template, context=context)
    transaction.on_commit(lambda: email_send.enqueue(subject=sujet, body=corps, to=to))
