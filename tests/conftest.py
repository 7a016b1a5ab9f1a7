"""Shared fixtures.

The real reference data of `REFERENCE_DATA_DIR` (../shared/data by default) is imported once
per test session into the test database, so every test sees the 208 real cités, their
communes, the QPV 2024 and the two annuaire samples. Tests run in transactions that roll
back, so they may change that data freely.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command


def reference_dir() -> Path:
    return Path(settings.REFERENCE_DATA_DIR)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    directory = reference_dir()
    if not (directory / "PROVENANCE.md").exists():
        pytest.exit(
            f"Données de référence introuvables dans {directory} : définissez REFERENCE_DATA_DIR "
            "(dossier organisé comme ../shared/data).",
            returncode=3,
        )
    with django_db_blocker.unblock():
        call_command("import_referentiels", dir=str(directory), verbosity=0)
        # As the release phase does after migrate (Procfile): the groups get candidatures/roles.py.
        call_command("synchroniser_permissions", verbosity=0)


@pytest.fixture
def reference_data_dir() -> Path:
    return reference_dir()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _flushes(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("transaction"))


def pytest_collection_modifyitems(config, items):
    # Tests that need PostgreSQL are deselected (not skipped) on another database.
    from django.db import connection

    if connection.vendor != "postgresql":
        deselected = [item for item in items if item.get_closest_marker("postgresql")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
    # Browser tests and transactional tests flush the database when they end: run them last,
    # so that the reference data loaded once stays for every other test.
    items.sort(key=lambda item: (item.get_closest_marker("browser") is not None, _flushes(item)))


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
