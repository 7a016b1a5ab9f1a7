"""Faults become a degraded service, never a 500 (DESIGN.md §10).

Redis down (refusing connections) or hung (accepting them, never answering) is a cache miss:
every page, the API, the suggestion form and log-in still answer, and the outage is logged
once. PostgreSQL unreachable: 503 with Retry-After, a DSFR page (JSON under /api/), and the
pages already in the cache are still served. The failing servers are real sockets
(tests.pannes), not mocks.
"""

import copy
import json
import logging

import pytest
from django.db import connections

from portal.cache_redis import _Circuit
from tests.pannes import refused_port, silent_listener

CITE = "toulouse-grand-mirail"
PUBLIC_PAGES = ["/", "/cites/", "/cites/?region=76", f"/cites/{CITE}/", "/statistiques/", "/carte/", "/donnees/"]


def redis_caches(port: int, *, retry_seconds: float) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache_redis.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "test",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_seconds": retry_seconds},
        }
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(refused_port(), retry_seconds=0)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
def test_with_redis_down_every_public_page_and_the_api_answer(client, redis_down):
    for url in [*PUBLIC_PAGES, "/api/cites/", f"/api/cites/{CITE}/", "/donnees/cites.csv", "/comptes/connexion/"]:
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_with_redis_down_a_suggestion_is_recorded(client, redis_down):
    from cites.models import Suggestion

    response = client.post(f"/cites/{CITE}/corriger/", {"champ": "nom", "message": "Le nom a changé en 2024."})

    assert response.status_code == 302
    assert Suggestion.objects.filter(cite__slug=CITE, message="Le nom a changé en 2024.").exists()


@pytest.mark.django_db
def test_with_redis_down_log_in_works_and_the_session_holds(client, redis_down, django_user_model):
    django_user_model.objects.create_user(
        username="porteur@exemple.fr", email="porteur@exemple.fr", password="Cites-educatives-2026"
    )

    wrong = client.post("/comptes/connexion/", {"username": "porteur@exemple.fr", "password": "mauvais"})
    right = client.post("/comptes/connexion/", {"username": "porteur@exemple.fr", "password": "Cites-educatives-2026"})

    assert wrong.status_code == 200
    assert right.status_code == 302
    assert client.get("/").context["user"].email == "porteur@exemple.fr"


@pytest.mark.django_db
def test_a_redis_outage_is_logged_once_not_per_request(client, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(4):
            assert client.get("/statistiques/").status_code == 200

    outages = [record for record in caplog.records if record.name == "portal.cache"]
    assert len(outages) == 1
    assert "Cache Redis injoignable" in outages[0].getMessage()


def test_the_end_of_an_outage_is_logged_once(caplog):
    circuit = _Circuit(retry_seconds=0)
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(3):
            circuit.failed(ConnectionError("refusé"), "redis://127.0.0.1:1/0")
        for _ in range(3):
            circuit.succeeded("redis://127.0.0.1:1/0")

    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "Cache Redis injoignable",
        "Cache Redis de nouveau joignable",
    ]


@pytest.mark.django_db
def test_a_hung_redis_is_tried_once_then_skipped(client, settings):
    with silent_listener() as redis:
        settings.CACHES = redis_caches(redis.port, retry_seconds=60)
        statuses = [client.get(url).status_code for url in ["/", "/cites/", "/api/cites/", "/statistiques/"]]

        assert statuses == [200, 200, 200, 200]
        assert redis.accepted == 1  # then skipped: no request waits on it again


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def database(django_db_blocker, settings):
    """The test database, and a way to make it unreachable: pointed at a silent socket."""
    from portal.db.postgresql import base

    settings.DB_RETRY_SECONDS = 0
    connection = connections["default"]
    saved = copy.deepcopy(connection.settings_dict)

    class Switch:
        def unreachable(self, port: int) -> None:
            connection.close()
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
            connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "connect_timeout": 2}

    with django_db_blocker.unblock():
        try:
            yield Switch()
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            base._outage.until = 0.0


@pytest.mark.postgresql
def test_database_unreachable_pages_answer_503_in_french(client, database):
    with silent_listener() as postgres:
        database.unreachable(postgres.port)
        page = client.get("/cites/")
        api = client.get("/api/cites/")

    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    text = page.content.decode()
    assert '<html lang="fr"' in text and "dsfr.min.css" in text
    assert "sa base de données est injoignable" in text
    assert api.status_code == 503
    assert api["Retry-After"] == "30"
    assert json.loads(api.content) == {
        "erreur": "Service momentanément indisponible : réessayez dans quelques minutes.",
        "details": None,
    }


@pytest.mark.postgresql
def test_database_unreachable_cached_pages_are_still_served(client, database):
    assert client.get("/statistiques/").status_code == 200  # cached while the database answers
    assert client.get(f"/api/cites/{CITE}/").status_code == 200

    with silent_listener() as postgres:
        database.unreachable(postgres.port)
        page = client.get("/statistiques/")
        api = client.get(f"/api/cites/{CITE}/")

    assert (page.status_code, page["X-Cache"]) == (200, "hit")
    assert (api.status_code, api["X-Cache"]) == (200, "hit")


@pytest.mark.postgresql
def test_during_an_outage_a_process_does_not_wait_on_every_request(client, database, settings):
    settings.DB_RETRY_SECONDS = 60
    with silent_listener() as postgres:
        database.unreachable(postgres.port)
        statuses = [client.get(url).status_code for url in ["/cites/", "/carte/", "/api/cites/"]]

        assert statuses == [503, 503, 503]
        assert postgres.accepted == 1  # one attempt; the next requests are answered at once
