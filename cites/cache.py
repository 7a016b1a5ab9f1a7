"""Cache of the public pages (DESIGN.md §8).

Public pages are stored whole in Django's cache framework, one entry per URL (scheme, host,
path and the page's own query parameters), under a *version* number. Invalidating means bumping the version: every
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
from django.http import HttpResponse, QueryDict

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


def _known_params(query: QueryDict, params: tuple[str, ...]) -> QueryDict:
    """The query string reduced to the page's own parameters, non-empty, in a fixed order."""
    known = QueryDict(mutable=True)
    for name in params:
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            known.setlist(name, values)
    known._mutable = False
    return known


def _page_key(request, version: int) -> str:
    # Scheme and host included: a page may show absolute links (open-data page, API).
    url = f"{request.scheme}://{request.get_host()}{request.path}?{request.GET.urlencode()}"
    digest = hashlib.sha256(url.encode()).hexdigest()
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


def cache_public_page(view=None, *, params: tuple[str, ...] = (), uncached_params: tuple[str, ...] = ()):
    """Serve an anonymous GET of a public page from the cache (PUBLIC_PAGE_CACHE_SECONDS).

    The view sees, and the cache key holds, only its own query parameters `params`: any other
    one (`?utm_source=…`) is ignored, so it can neither bypass the cache nor fill it. Only
    answers 200 are kept (a bad filter value is a 400, a page out of range a 404), and none
    when one of `uncached_params` is given (free text searches: each would be an entry).

    Use as `@cache_public_page` or `@cache_public_page(params=("region", "page"))`.
    """
    if view is None:
        return functools.partial(cache_public_page, params=params, uncached_params=uncached_params)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = _known_params(request.GET, params)
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if timeout <= 0 or not _cacheable_request(request) or any(name in request.GET for name in uncached_params):
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
