"""Health of an application server, for the load balancer and the monitoring.

- liveness, /sante/vivant/: the process answers (nothing else is checked);
- readiness, /sante/pret/: the database answers, the migrations of this code are applied, the
  files' storages accept a write, the cache answers. 200 when the server can serve, else 503.
  The cache is reported but does not make the server unready: without Redis the portal serves
  every page, only slower (DESIGN.md §10); an alert should watch `cache` in the body.

Both are answered by `portal.middleware.HealthMiddleware`, before the host name check and the
HTTPS redirect, since a load balancer probes each server by its own address in plain HTTP.
"""

import time
import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

LIVENESS_PATH = "/sante/vivant/"
READINESS_PATH = "/sante/pret/"
STORAGES_CHECKED = ("default", "prive")

_migrations_applied = False  # once true, stays true for this process (its code does not change)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) non appliquée(s), dont {plan[0][0].app_label}.{plan[0][0].name}")
    _migrations_applied = True


def _storages() -> None:
    for alias in STORAGES_CHECKED:
        storage = storages[alias]
        name = storage.save(f"sante/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        storage.delete(name)


def _cache() -> None:
    key = f"sante:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    found = cache.get(key)
    cache.delete(key)
    if found != "ok":
        raise RuntimeError("le cache ne rend pas ce qui vient d’y être écrit (injoignable ?)")


CHECKS = {"base_de_donnees": _database, "migrations": _migrations, "stockage": _storages, "cache": _cache}
NOT_BLOCKING = {"cache"}


def readiness() -> tuple[bool, dict]:
    """(ready, details by check: {"ok": bool, "duree_ms": float, "erreur": str})."""
    details = {}
    ready = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # noqa: BLE001 — every failure is reported, none is raised
            details[name] = {"ok": False, "erreur": f"{type(error).__name__}: {error}"[:300]}
            if name not in NOT_BLOCKING:
                ready = False
        else:
            details[name] = {"ok": True}
        details[name]["duree_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return ready, details
