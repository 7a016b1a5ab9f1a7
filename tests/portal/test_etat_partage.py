"""Production keeps no state in one process: cache (public pages, throttles, limits) in Redis or
in the database, tasks in the database for the worker, private files in the bucket when set."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings_production",
    "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "cites-educatives.example.gouv.fr",
    "SITE_URL": "https://cites-educatives.example.gouv.fr",
    "CONTACT_ACCESSIBILITE_EMAIL": "accessibilite@anct.gouv.fr",
    "CONTACT_DONNEES_EMAIL": "dpd@anct.gouv.fr",
    "HEBERGEUR": "Hébergeur, 1 rue de l'Exemple, 75000 Paris",
    "DEBUG": "0",
}
LIRE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'table': s.CACHES['default'].get('LOCATION'), "
    "'sessions': s.SESSION_ENGINE, 'taches': s.TASKS['default']['BACKEND'], "
    "'prive': s.STORAGES['prive']['BACKEND']}))"
)


def reglages(**variables) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "S3_BUCKET", "TASKS_BACKEND"}},
        **PRODUCTION,
        **variables,
    }
    result = subprocess.run([sys.executable, "-c", LIRE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_without_redis_shares_its_cache_through_the_database():
    assert reglages() == {
        "cache": "django.core.cache.backends.db.DatabaseCache",
        "table": "cache_portail",
        "sessions": "django.contrib.sessions.backends.db",
        "taches": "django_tasks_db.DatabaseBackend",
        "prive": "candidatures.storage.PrivateStorage",
    }


def test_production_with_redis_and_a_bucket():
    assert reglages(REDIS_URL="redis://127.0.0.1:6379/4", S3_BUCKET="cites-prive") == {
        "cache": "portal.cache_redis.ResilientRedisCache",
        "table": "redis://127.0.0.1:6379/4",
        "sessions": "django.contrib.sessions.backends.cached_db",
        "taches": "django_tasks_db.DatabaseBackend",
        "prive": "cites.stockage.PrivateS3Storage",
    }
