"""Health endpoints for the load balancer, request ids and JSON logs, errors sent to Sentry."""

import json
import logging

import pytest
from django.test import Client
from django.urls import path

from portal.logs import JsonFormatter, RequestIdFilter
from tests.pannes import refused_port


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.MEDIA_ROOT = tmp_path / "media"


def test_liveness_needs_nothing_but_the_process(client):
    response = client.get("/sante/vivant/")

    assert response.status_code == 200
    assert json.loads(response.content) == {"statut": "vivant"}


@pytest.mark.django_db
def test_readiness_checks_database_migrations_storage_and_cache(client, private_media, settings):
    response = client.get("/sante/pret/")
    body = json.loads(response.content)

    assert response.status_code == 200
    assert body["statut"] == "pret"
    assert {name: check["ok"] for name, check in body["verifications"].items()} == {
        "base_de_donnees": True,
        "migrations": True,
        "stockage": True,
        "cache": True,
    }
    assert list((settings.PRIVATE_MEDIA_ROOT / "sante").iterdir()) == []  # the probe file is removed


@pytest.mark.django_db
def test_probes_answer_whatever_the_host_name_and_without_https(client, private_media, settings):
    settings.SECURE_SSL_REDIRECT = True

    for url in ["/sante/vivant/", "/sante/pret/"]:
        assert client.get(url, HTTP_HOST="10.0.3.17:8000").status_code == 200


@pytest.mark.django_db
def test_without_the_cache_the_server_is_still_ready_and_says_so(client, private_media, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_redis.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = client.get("/sante/pret/")
    body = json.loads(response.content)

    assert response.status_code == 200
    assert body["verifications"]["cache"]["ok"] is False
    assert "injoignable" in body["verifications"]["cache"]["erreur"]


@pytest.mark.django_db
def test_a_storage_that_refuses_writes_makes_the_server_unready(client, private_media, settings, tmp_path):
    blocking_file = tmp_path / "fichier"
    blocking_file.write_text("pas un dossier")
    settings.PRIVATE_MEDIA_ROOT = blocking_file / "prive"

    response = client.get("/sante/pret/")

    assert response.status_code == 503
    assert json.loads(response.content)["verifications"]["stockage"]["ok"] is False


@pytest.mark.django_db
def test_unapplied_migrations_make_the_server_unready(client, private_media, monkeypatch):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    from portal import health

    monkeypatch.setattr(health, "_migrations_applied", False)
    app, name = [node for node in MigrationLoader(connection).graph.leaf_nodes() if node[0] == "cites"][0]
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()  # as if not applied yet

    response = client.get("/sante/pret/")

    assert response.status_code == 503
    erreur = json.loads(response.content)["verifications"]["migrations"]["erreur"]
    assert f"1 migration(s) non appliquée(s), dont cites.{name}" in erreur


# --- Request ids and logs -------------------------------------------------------------------


@pytest.mark.django_db
def test_each_response_carries_its_request_id_and_one_json_log_line(client, caplog, settings):
    with caplog.at_level(logging.INFO, logger="portal.requetes"):
        response = client.get("/statistiques/?source=lettre")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    lines = [record for record in caplog.records if record.name == "portal.requetes"]
    assert len(lines) == 1
    RequestIdFilter().filter(lines[0])
    entry = json.loads(JsonFormatter().format(lines[0]))
    assert entry["request_id"] == request_id
    assert entry["method"] == "GET" and entry["path"] == "/statistiques/" and entry["status"] == 200
    assert entry["client"] == "127.0.0.1"
    assert isinstance(entry["duration_ms"], float)


@pytest.mark.django_db
def test_log_records_of_a_request_carry_its_id(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/cites/?region=ZZ")  # a 400, logged by Django as a warning

    record = next(record for record in caplog.records if record.name == "django.request")
    assert record.request_id == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_proxys_request_id_is_kept_only_behind_trusted_proxies(client, settings):
    settings.TRUSTED_PROXIES = 0
    assert client.get("/statistiques/", HTTP_X_REQUEST_ID="lb-4f2a9c1e")["X-Request-ID"] != "lb-4f2a9c1e"
    settings.TRUSTED_PROXIES = 1
    assert client.get("/statistiques/", HTTP_X_REQUEST_ID="lb-4f2a9c1e")["X-Request-ID"] == "lb-4f2a9c1e"


# --- Sentry ---------------------------------------------------------------------------------


@pytest.fixture
def sentry_events():
    """sentry-sdk initialised as with SENTRY_DSN set, its transport kept in memory."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from portal.sentry import sentry_init

    class Memory(Transport):
        def __init__(self, options=None):
            super().__init__(options)
            self.envelopes = []

        def capture_envelope(self, envelope):
            self.envelopes.append(envelope)

    transport = Memory()
    sentry_init(dsn="https://cle@sentry.example.invalid/1", environment="test", transport=transport)
    yield transport.envelopes
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # inactive again, as without SENTRY_DSN


def panne(request):
    raise RuntimeError("panne imprévue")


urlpatterns = [path("panne/", panne)]
handler500 = "portal.views.server_error"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_unexpected_error_is_sent_to_sentry_without_personal_data(sentry_events):
    client = Client(raise_request_exception=False)

    response = client.get("/panne/", HTTP_COOKIE="sessionid=secret")

    assert response.status_code == 500
    events = [item.payload.json for envelope in sentry_events for item in envelope.items if item.type == "event"]
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["value"] == "panne imprévue"
    assert event["tags"]["request_id"] == response["X-Request-ID"]
    assert "secret" not in json.dumps(event)


def test_without_sentry_dsn_nothing_is_set_up():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()
