"""Subresource integrity computed from the file the site really serves.

django-dsfr writes the hashes of its own copies of dsfr.min.css and utility.min.css, but in
production `collectstatic` with CompressedManifestStaticFilesStorage rewrites the `url(…)` of
those stylesheets: the served file no longer has the published hash, and browsers refuse it
(every page unstyled). `{% integrite "dsfr/dist/dsfr/dsfr.min.css" %}` hashes the file as
served — the stored, rewritten one under STATIC_ROOT with a manifest storage, the source file
found by the finders otherwise — once per process. When the file cannot be read, the
attribute is left out rather than wrong.
"""

import base64
import functools
import hashlib

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.utils.html import format_html

register = template.Library()


def _served_bytes(path: str) -> bytes | None:
    storage = staticfiles_storage
    if hasattr(storage, "stored_name"):  # manifest storage: the hashed, rewritten copy is served
        try:
            with storage.open(storage.stored_name(path)) as served:
                return served.read()
        except (OSError, ValueError):
            return None
    found = finders.find(path)
    if not found:
        return None
    with open(found, "rb") as source:
        return source.read()


@functools.lru_cache(maxsize=32)
def integrity_of(path: str) -> str:
    """ "sha384-…" of the static file `path` as served, or "" when it cannot be read."""
    content = _served_bytes(path)
    if content is None:
        return ""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def _forget(*, setting, **kwargs) -> None:
    if setting in ("STORAGES", "STATIC_ROOT", "STATICFILES_DIRS", "STATICFILES_FINDERS"):
        integrity_of.cache_clear()


setting_changed.connect(_forget)


@register.simple_tag
def integrite(path: str) -> str:
    """` integrity="sha384-…"` for the static file `path`, or nothing."""
    value = integrity_of(path)
    return format_html(' integrity="{}"', value) if value else ""
