"""Production settings: the development settings, hardened, refusing unsafe values."""

import os

from django.core.exceptions import ImproperlyConfigured

from portal.settings import *  # noqa: F403
from portal.settings import (
    DEVELOPMENT_SECRET_KEY,
    LOGGING,
    REDIS_URL,
    SECRET_KEY,
    env_bool,
    site_contacts_problems,
)


def _refuse_unsafe_configuration() -> None:
    problems = []
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 40:
        problems.append("SECRET_KEY doit être défini (au moins 40 caractères, pas la clé de développement)")
    if env_bool("DEBUG", False):
        problems.append("DEBUG doit être désactivé en production")
    if not os.environ.get("ALLOWED_HOSTS"):
        problems.append("ALLOWED_HOSTS doit lister les noms de domaine servis")
    # Links in e-mails are built from SITE_URL: it must be the public https address of the portal.
    site_url = os.environ.get("SITE_URL", "")
    if not site_url.startswith("https://") or "localhost" in site_url or "127.0.0.1" in site_url:
        problems.append("SITE_URL doit être l'adresse publique du portail en https (liens des courriels)")
    problems += site_contacts_problems()
    if problems:
        raise ImproperlyConfigured("Configuration de production non sûre : " + " ; ".join(problems))


_refuse_unsafe_configuration()

DEBUG = False
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {  # noqa: F811
    "default": {"BACKEND": os.environ.get("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # The local folder, or the bucket of S3_BUCKET (portal.settings), unless a backend is named.
    "prive": (
        {"BACKEND": os.environ["PRIVATE_FILE_STORAGE_BACKEND"]}
        if os.environ.get("PRIVATE_FILE_STORAGE_BACKEND")
        else STORAGES["prive"]
    ),
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# One JSON line per request and per log record, each with its request id (portal.logs).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "json")
LOGGING["loggers"]["portal.requetes"]["level"] = "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"
# E-mails, receipts, exports, reminders and imports run in the worker process (`manage.py db_worker`).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}

# Shared state only in shared engines: with several processes (gunicorn workers, app servers,
# the task worker) the cache — public pages and their invalidation, API throttles, sign-up and
# suggestion limits — lives in Redis when REDIS_URL is set, in the database otherwise (table
# created by `manage.py createcachetable`, Procfile's release), never in one process's memory.
# Sessions: the database (cached in Redis with it); log-in failures: the database.
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": os.environ.get("CACHE_TABLE", "cache_portail"),
            "KEY_PREFIX": "cites",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000"))},
        }
    }
