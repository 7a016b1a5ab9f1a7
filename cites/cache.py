"""Cache of the public pages (DESIGN.md §8).

Public pages are stored whole in Django's cache framework, one entry per full URL (path and
query string), under a *version* number. Invalidating means bumping the version: every
page cached under the old number is then ignored and expires on its own. Nothing has to
know which URLs exist.

The version is bumped after the commit of any change to a cité, its label events, its
partners or its links (receivers registered in `CitesConfig.ready` and
`PartenairesConfig.ready`), and by `public_cache_invalidate()`, which imports of reference
data should call at their end (bulk writes send no signal).
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

VERSION_KEY = "pages-publiques:version"


def public_cache_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh, never-used number: if the key was evicted, pages cached under the old
        # number must not come back to life.
        version = time.time_ns()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def _bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # key missing (never set, evicted or cleared)
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def public_cache_invalidate() -> None:
    """Forget every cached public page, once the current transaction (if any) commits."""
    transaction.on_commit(_bump_version)


def _page_key(request, version: int) -> str:
    # Full URL, host included: a page may show absolute links (open-data page).
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"pages-publiques:{version}:{digest}"


def _cacheable_request(request) -> bool:
    if request.method != "GET":
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # Pending messages (e.g. after a logout) are shown on the page: never cache or serve it.
    storage = getattr(request, "_messages", None)
    return not (storage is not None and len(storage) > 0)


def cache_public_page(view):
    """Serve an anonymous GET of a public page from the cache (PUBLIC_PAGE_CACHE_SECONDS)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if timeout <= 0 or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _page_key(request, public_cache_version())
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content, headers=headers)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # The view's own headers (Content-Type, Content-Disposition…); middleware adds the rest.
            cache.set(key, (response.content, dict(response.headers)), timeout)
            response["X-Cache"] = "miss"
        return response

    return wrapper
