"""E-mails: rendered from templates now, sent by a task once the transaction commits."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from candidatures.tasks import email_send


def email_render(*, template: str, context: dict) -> tuple[str, str]:
    """The template's first line is the subject, the rest the body (plain text)."""
    texte = render_to_string(f"candidatures/emails/{template}.txt", {"SITE_URL": settings.SITE_URL, **context})
    sujet, _, corps = texte.strip().partition("\n")
    return sujet.strip(), corps.strip() + "\n"


def email_on_commit(*, template: str, context: dict, to: list[str]) -> None:
    to = sorted({adresse for adresse in to if adresse})
    if not to:
        return
    sujet, corps = email_render(template=template, context=context)
    transaction.on_commit(lambda: email_send.enqueue(subject=sujet, body=corps, to=to))
