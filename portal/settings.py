"""Settings of the portal, read from the environment with safe development defaults.

Every variable is listed in `.env.example`. Production uses `portal.settings_production`,
which refuses to start with an unsafe configuration.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "dev-insecure-cle-de-developpement-ne-pas-utiliser-en-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "dsfr",
    "widget_tweaks",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "csp",
    "portal",
    "cites",
    "partenaires",
    "candidatures",
    "revues",
    # After `portal`, whose db_worker command (portal.taches: retries, abandoned tasks) wins.
    "django_tasks_db",
]

MIDDLEWARE = [
    # Request id and one JSON line per request (portal.logs); then the security headers.
    "portal.middleware.RequestIdMiddleware",
    # /sante/vivant/ and /sante/pret/ for the load balancer, before the host check and HTTPS redirect.
    "portal.middleware.HealthMiddleware",
    # Public anonymous HTML and JSON compressed (never with a CSRF token or for a logged-in user).
    "portal.middleware.PublicGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Bad input (NUL bytes) answered before anything reads it; database outages become a 503.
    "portal.middleware.NulCharacterMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

# SQLite by default (embedded, nothing to install); PostgreSQL through DATABASE_URL,
# e.g. postgres://postgres@127.0.0.1:5432/cites_educatives
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
# PostgreSQL: a connection attempt waits DB_CONNECT_TIMEOUT seconds at most, a statement
# DB_STATEMENT_TIMEOUT seconds (0: no limit, e.g. for a long one-off command); after a failed
# attempt a process answers 503 at once for DB_RETRY_SECONDS (portal.db.postgresql).
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "2"))
DB_STATEMENT_TIMEOUT = int(os.environ.get("DB_STATEMENT_TIMEOUT", "20"))
DB_RETRY_SECONDS = float(os.environ.get("DB_RETRY_SECONDS", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "portal.db.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": DB_CONNECT_TIMEOUT, "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a transaction takes the write lock at once, so concurrent writers wait their
    # turn instead of failing (select_for_update is a no-op on SQLite).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default, Redis when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0).
# An unreachable Redis is a miss (portal.cache_redis): each call waits REDIS_TIMEOUT seconds at
# most, then Redis is skipped for REDIS_RETRY_SECONDS.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache_redis.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cites",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "retry_seconds": float(os.environ.get("REDIS_RETRY_SECONDS", "5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cites-educatives",
        }
    }
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "600"))

# Sessions live in the database (or the cache with Redis): application servers keep no state.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
# Session lifetimes (portal.middleware.SessionLifetimeMiddleware): porteurs stay signed in for
# SESSION_PORTEUR_INACTIVITE seconds of inactivity (2 weeks); agents (staff users: the back
# office) for SESSION_AGENT_INACTIVITE seconds of inactivity (a working day), and never more
# than SESSION_AGENT_DUREE_MAX seconds after they signed in.
SESSION_PORTEUR_INACTIVITE = int(os.environ.get("SESSION_PORTEUR_INACTIVITE", str(14 * 24 * 3600)))
SESSION_AGENT_INACTIVITE = int(os.environ.get("SESSION_AGENT_INACTIVITE", str(8 * 3600)))
SESSION_AGENT_DUREE_MAX = int(os.environ.get("SESSION_AGENT_DUREE_MAX", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_PORTEUR_INACTIVITE

# Accounts (candidatures app): the e-mail address is the username, compared case-insensitively.
# Failed log-ins are counted per account and client address (in the database): after
# LOGIN_FAILURES_LIMIT failures that pair waits LOGIN_LOCKOUT_SECONDS, doubled at each further
# failure up to LOGIN_LOCKOUT_MAX_SECONDS; an address alone may fail LOGIN_ADDRESS_CEILING times
# per LOGIN_ADDRESS_WINDOW_SECONDS. Sign-ups and password resets are limited per address and hour.
AUTHENTICATION_BACKENDS = ["candidatures.backends.EmailBackend"]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "candidatures:tableau_de_bord"
LOGOUT_REDIRECT_URL = "portal:accueil"
LOGIN_FAILURES_LIMIT = int(os.environ.get("LOGIN_FAILURES_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "60"))
LOGIN_LOCKOUT_MAX_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_MAX_SECONDS", "3600"))
LOGIN_ADDRESS_CEILING = int(os.environ.get("LOGIN_ADDRESS_CEILING", "50"))
LOGIN_ADDRESS_WINDOW_SECONDS = int(os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "3600"))
SIGNUPS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_HOUR", "10"))
PASSWORD_RESETS_PER_HOUR = int(os.environ.get("PASSWORD_RESETS_PER_HOUR", "5"))

# « Proposer une correction » on a cité's page: suggestions accepted per client address and hour.
SUGGESTIONS_PER_HOUR = int(os.environ.get("SUGGESTIONS_PER_HOUR", "5"))
# Reverse proxies (load balancer…) in front of the application servers: the client's address is
# then read from X-Forwarded-For. 0: the address of the TCP connection (REMOTE_ADDR).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
EMAIL_CONFIRMATION_MAX_AGE = 3 * 24 * 3600
# Links sent to the troïka (confirm a candidature) and to co-editors (CPO, principal): valid this long.
CANDIDATURE_LIEN_MAX_AGE = 30 * 24 * 3600
# Agents' dashboard: a candidature waiting for an agent with no change for more than this many days is listed.
CANDIDATURES_ATTENTE_JOURS = int(os.environ.get("CANDIDATURES_ATTENTE_JOURS", "30"))
# Agents' exports built in the background (« Mes exports »): files deleted after this many days.
EXPORTS_CONSERVATION_JOURS = int(os.environ.get("EXPORTS_CONSERVATION_JOURS", "7"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# npm packages (Leaflet, axe-core…) are installed by `make setup` into node_modules and
# served from there; nothing from a registry is copied into the repository.
NODE_MODULES_DIR = Path(os.environ.get("NODE_MODULES_DIR", BASE_DIR / "node_modules"))
if (NODE_MODULES_DIR / "leaflet" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/leaflet", NODE_MODULES_DIR / "leaflet" / "dist"))
if (NODE_MODULES_DIR / "leaflet.markercluster" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/leaflet.markercluster", NODE_MODULES_DIR / "leaflet.markercluster" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Attachments and receipts of candidatures: outside every public folder, served only by
    # permission-checked views (candidatures.storage).
    "prive": {"BACKEND": "candidatures.storage.PrivateStorage"},
}
# Development serves static files straight from the apps and node_modules; STATIC_ROOT only
# exists after `collectstatic` (production), so whitenoise's warning about it is noise here.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

# Private files on S3-compatible object storage (django-storages) when S3_BUCKET is set, so that
# every application server sees the same files; the local folder PRIVATE_MEDIA_ROOT otherwise.
# They are served only by the permission-checked views: streamed, or with PRIVATE_FILES_REDIRECT
# a redirect to a signed address valid PRIVATE_FILES_URL_SECONDS (cites.stockage).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
PRIVATE_FILES_REDIRECT = env_bool("PRIVATE_FILES_REDIRECT", False)
PRIVATE_FILES_URL_SECONDS = int(os.environ.get("PRIVATE_FILES_URL_SECONDS", "60"))
if S3_BUCKET:
    STORAGES["prive"] = {
        "BACKEND": "cites.stockage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "region_name": os.environ.get("S3_REGION") or None,
            "location": os.environ.get("S3_PREFIX", "prive"),
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
        },
    }

# Reference data: a folder laid out like ../shared/data (see PROVENANCE.md there).
REFERENCE_DATA_DIR = Path(os.environ.get("REFERENCE_DATA_DIR", BASE_DIR.parent / "shared" / "data"))
# Official URLs used by `import_referentiels` in production when no folder is given.
REFERENCE_DATA_URLS = {
    "qpv": os.environ.get(
        "QPV_URL",
        "https://www.data.gouv.fr/fr/datasets/r/4c6bb7f3-97b6-4834-8a3a-f5f8b3e6735b",
    ),
    "cites": os.environ.get(
        "CITES_URL",
        "https://raw.githubusercontent.com/anct-carto/superposeur-anct/main/data/geom/geojsonV2/citeduc_geom.geojson",
    ),
    "etablissements": os.environ.get(
        "ANNUAIRE_URL",
        "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/fr-en-annuaire-education/exports/csv"
        "?delimiter=%3B&use_labels=false",
    ),
    # Social position index (IPS) of écoles and collèges, DEPP (datasets "à partir de 2022").
    "ips": [
        os.environ.get(
            "IPS_ECOLES_URL",
            "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/fr-en-ips-ecoles-ap2022/exports/csv"
            "?delimiter=%3B&use_labels=false",
        ),
        os.environ.get(
            "IPS_COLLEGES_URL",
            "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/fr-en-ips-colleges-ap2022/exports/csv"
            "?delimiter=%3B&use_labels=false",
        ),
    ],
}
REFERENCE_DOWNLOAD_TIMEOUT = int(os.environ.get("REFERENCE_DOWNLOAD_TIMEOUT", "60"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Absolute address of the portal, for the links in e-mails sent outside a request (tasks).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cités éducatives <ne-pas-repondre@cites-educatives.local>")

# Background work (django-tasks): immediate in development and tests; production uses the
# database backend of django-tasks-db and a worker process (`manage.py db_worker`, Procfile).
# A failed task is tried TASKS_MAX_ATTEMPTS times in all, after TASKS_RETRY_DELAY seconds doubled
# at each attempt; a task « RUNNING » for more than TASKS_RUNNING_TIMEOUT seconds was left by a
# dead worker and goes back to the queue (portal.taches).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "4"))
TASKS_RETRY_DELAY = float(os.environ.get("TASKS_RETRY_DELAY", "30"))
TASKS_RUNNING_TIMEOUT = float(os.environ.get("TASKS_RUNNING_TIMEOUT", "900"))

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cites.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cites.api.exceptions.exception_handler",
    # Throttling counts each client by its own address: REMOTE_ADDR, or behind TRUSTED_PROXIES
    # proxies the address the outermost one saw (None would trust any X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API des cités éducatives",
    "DESCRIPTION": "API publique en lecture seule du portail des cités éducatives.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # An anonymous read-only API: no security scheme, hence no « Authorize » form nor padlocks.
    "AUTHENTICATION_WHITELIST": [],
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation documents its error bodies (400, 404, 429) as served (cites.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cites.api.schema.postprocess_error_responses",
    ],
}

# Map of /carte/: tile server (Leaflet URL template; empty = no tiles, a plain background) and its credit.
MAP_TILES_URL = os.environ.get(
    "MAP_TILES_URL",
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2"
    "&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
)
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION", '<a href="https://geoservices.ign.fr/">IGN</a> – Géoplateforme, Plan IGN'
)

# Contacts and hosting published on the site pages (accessibility statement, personal data, legal
# notice). Development addresses end in .local; production refuses to start without real ones.
CONTACT_ACCESSIBILITE_EMAIL = os.environ.get("CONTACT_ACCESSIBILITE_EMAIL", "accessibilite@cites-educatives.local")
CONTACT_DONNEES_EMAIL = os.environ.get("CONTACT_DONNEES_EMAIL", "donnees-personnelles@cites-educatives.local")
HEBERGEUR = os.environ.get("HEBERGEUR", "")  # name, postal address and telephone of the host


def site_contacts_problems() -> list[str]:
    """What production lacks to publish real contacts and the host of the legal notice."""
    problems = []
    for name in ("CONTACT_ACCESSIBILITE_EMAIL", "CONTACT_DONNEES_EMAIL"):
        value = os.environ.get(name, "").strip().lower()
        if "@" not in value or value.endswith((".local", "example.gouv.fr", "example.org", "example.com")):
            problems.append(f"{name} doit être une adresse de contact réelle (publiée sur le site)")
    if len(os.environ.get("HEBERGEUR", "").strip()) < 10:
        problems.append("HEBERGEUR doit donner le nom, l'adresse et le téléphone de l'hébergeur (mentions légales)")
    return problems


SITE_TITLE = "Cités éducatives"
SITE_TAGLINE = "Le portail du label des cités éducatives"

# Logs on standard error; LOG_FORMAT=json writes one JSON object per line, each with the id of
# the request it belongs to (portal.logs), as production does.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (portal.middleware.RequestIdMiddleware), when LOG_REQUESTS=1.
        "portal.requetes": {"level": "INFO" if env_bool("LOG_REQUESTS", False) else "WARNING"},
    },
}


# --- Security headers ---------------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from this site, or inline with the nonce of
# the response (request.csp_nonce); no inline script otherwise, no eval. Map tiles come from
# the origin of MAP_TILES_URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Plus the origin of MAP_TILES_URL, added by portal.middleware.CSPMiddleware.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (portal.middleware.PermissionsPolicyMiddleware): browser features the
# portal never uses are refused to it and to anything it could embed.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# Errors: French pages (JSON under /api/), never a traceback.
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# Bodies: 2.5 MB of form fields at most (files apart), 1,000 fields; more is a 400 in French.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Errors reported to Sentry when SENTRY_DSN is set (portal.sentry); nothing is sent otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    from portal.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# DSFR forms mark optional fields, not required ones, as the design system now recommends.
DSFR_MARK_OPTIONAL_FIELDS = True
