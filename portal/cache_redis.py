"""Django's Redis cache, for which an unreachable Redis is a miss, never an error (DESIGN.md §10).

Redis down (refused connections) or hung (accepting but never answering) makes every call a
miss or a no-op after at most the socket timeout (REDIS_TIMEOUT, half a second by default).
After a failure the cache is skipped altogether for REDIS_RETRY_SECONDS, so that a request
does not pay the timeout on each of its cache calls; then one call tries again. The outage is
logged once when it starts and once when it ends, not per request.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("portal.cache")


class _Circuit:
    """Whether Redis answered lately: closed (use it), or open until `retry_at` (skip it)."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self.retry_at = 0.0
        self.down = False
        self._lock = threading.Lock()

    def skip(self) -> bool:
        return self.down and time.monotonic() < self.retry_at

    def failed(self, error: Exception, location: str) -> None:
        with self._lock:
            if not self.down:
                logger.warning(
                    "Cache Redis injoignable (%s) : %s. Les pages sont calculées sans cache ; "
                    "nouvel essai toutes les %s s.",
                    location,
                    error,
                    self.retry_seconds,
                )
            self.down = True
            self.retry_at = time.monotonic() + self.retry_seconds

    def succeeded(self, location: str) -> None:
        if self.down:
            with self._lock:
                if self.down:
                    logger.warning("Cache Redis de nouveau joignable (%s).", location)
                self.down = False


def _resilient(method_name: str, fallback):
    def method(self, *args, **kwargs):
        if self._circuit.skip():
            return fallback(*args, **kwargs)
        try:
            result = getattr(super(ResilientRedisCacheClient, self), method_name)(*args, **kwargs)
        except self._lib.RedisError as error:
            self._circuit.failed(error, self._servers[0])
            return fallback(*args, **kwargs)
        self._circuit.succeeded(self._servers[0])
        return result

    method.__name__ = method_name
    return method


def _missing_key(*args, **kwargs):
    # What incr() says of a key that does not exist: the callers already handle it.
    raise ValueError("Clé absente (cache Redis injoignable).")


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, *, retry_seconds: float = 5.0, **options):
        super().__init__(servers, **options)
        self._circuit = _Circuit(retry_seconds)

    add = _resilient("add", lambda key, value, timeout: False)
    get = _resilient("get", lambda key, default: default)
    set = _resilient("set", lambda key, value, timeout: None)
    touch = _resilient("touch", lambda key, timeout: False)
    delete = _resilient("delete", lambda key: False)
    get_many = _resilient("get_many", lambda keys: {})
    has_key = _resilient("has_key", lambda key: False)
    incr = _resilient("incr", _missing_key)
    set_many = _resilient("set_many", lambda data, timeout: None)
    delete_many = _resilient("delete_many", lambda keys: None)
    clear = _resilient("clear", lambda: False)


class ResilientRedisCache(RedisCache):
    """settings.CACHES backend: OPTIONS as for Django's RedisCache, plus `retry_seconds`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
