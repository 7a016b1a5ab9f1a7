"""Settings of the portal, read from the environment with safe development defaults.

Every variable is listed in `.env.example`. Production uses `portal.settings_production`,
which refuses to start with an unsafe configuration.
"""

import os
import warnings
from pathlib import Path

import dj_database_url

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
    "portal",
    "cites",
    "partenaires",
    "candidatures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a transaction takes the write lock at once, so concurrent writers wait their
    # turn instead of failing (select_for_update is a no-op on SQLite).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default, Redis when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cites",
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
# Agents' dashboard: a candidature waiting for an agent with no change for more than this many days is listed.
CANDIDATURES_ATTENTE_JOURS = int(os.environ.get("CANDIDATURES_ATTENTE_JOURS", "30"))

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
STATIC_ROOT = BASE_DIR / "staticfiles"
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

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cites.api.exceptions.exception_handler",
    # Throttling counts each client by its own address behind the trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXIES or None,
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# DSFR forms mark optional fields, not required ones, as the design system now recommends.
DSFR_MARK_OPTIONAL_FIELDS = True
