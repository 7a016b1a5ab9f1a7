"""Plain-text e-mails of the portal, all from templates/emails/base.txt: the greeting, the
signature and the footer with the portal's address are written there once; each e-mail's
template gives its subject (first line) and its body (blocks `sujet`, `corps`, and `salutation`
when it greets someone by name)."""

from django.conf import settings
from django.template.loader import render_to_string


def email_render(*, template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of the e-mail `template` (a path under templates/)."""
    texte = render_to_string(template, {"SITE_URL": settings.SITE_URL, **context})
    sujet, _, corps = texte.strip().partition("\n")
    return sujet.strip(), corps.strip() + "\n"
