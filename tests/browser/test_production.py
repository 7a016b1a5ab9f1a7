"""The portal run as the README says production runs it — `portal.settings_production`,
`collectstatic`, gunicorn with gunicorn.conf.py, PostgreSQL, Redis — and checked in Chromium:

1. the pages are styled (the DSFR stylesheets pass their integrity check, the Marianne fonts
   load), with no console error and no Content-Security-Policy violation; the map and the API
   documentation work; the security headers are there;
2. Redis (our own redis-server, never the shared one) is stopped: the pages still answer 200;
3. the database is a socket that accepts and never answers: pages answer 503 within 10 s.

PostgreSQL only (deselected on SQLite): gunicorn reads the committed test database.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.browser.conftest import listen_to_csp_violations
from tests.pannes import silent_listener

pytestmark = pytest.mark.postgresql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CITE = "toulouse-grand-mirail"
PAGES = [
    "/",
    "/cites/",
    f"/cites/{CITE}/",
    "/carte/",
    "/statistiques/",
    "/donnees/",
    "/comptes/connexion/",
    "/api/docs/",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise AssertionError(f"{url} n'a pas répondu en {seconds} s")


def get(url: str, *, timeout: float = 10, headers: dict | None = None):
    """(status, headers, body); a 4xx or 5xx is an answer too. Raises if nothing comes in `timeout` s."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def production_env(reference_data, tmp_path):
    if not shutil.which("redis-server"):
        message = "redis-server introuvable : apt-get install -y redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    db = connection.settings_dict
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings_production",
        SECRET_KEY="cle-des-tests-de-production-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://cites-educatives.example.gouv.fr",
        CONTACT_ACCESSIBILITE_EMAIL="accessibilite@anct.gouv.fr",
        CONTACT_DONNEES_EMAIL="dpd@anct.gouv.fr",
        HEBERGEUR="Hébergeur des tests, 1 rue de l'Exemple, 75000 Paris",
        DEBUG="0",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback; HTTPS is the proxy's (X-Forwarded-Proto)
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "prive"),
        MAP_TILES_URL="",  # no network: the map's plain background
        GUNICORN_WORKERS="2",
        PYTHONPATH=str(ROOT),
    )
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return env


class Servers:
    """Processes started by the test, each stopped by its own id at the end."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def redis(self) -> tuple[subprocess.Popen, int]:
        port = free_port()
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        self.processes.append(process)
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        return process, port

    def gunicorn(self, env: dict, name: str) -> str:
        port = free_port()
        log = open(self.tmp_path / f"{name}.log", "w")  # noqa: SIM115 — closed with the process
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "portal.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/sante/vivant/")
        return base

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def servers(tmp_path):
    started = Servers(tmp_path)
    yield started
    for process in reversed(started.processes):
        started.stop(process)


STYLED_JS = """async () => {
    await document.fonts.ready;
    const dsfr = [...document.styleSheets].filter((s) => s.href && /dsfr\\.min\\.[0-9a-f]+\\.css$/.test(s.href));
    return {
        stylesheets: dsfr.map((s) => s.cssRules.length),
        bodyFont: getComputedStyle(document.body).fontFamily,
        marianne: [...document.fonts].filter((f) => f.family.includes('Marianne') && f.status === 'loaded').length,
    };
}"""


def test_production_settings_under_gunicorn_styled_safe_and_standing(chromium, production_env, servers):
    redis, redis_port = servers.redis()
    env = {**production_env, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    base = servers.gunicorn(env, "gunicorn")

    # 1. In Chromium: styled, fonts loaded, no console error, no CSP violation.
    context = chromium.new_context(base_url=base, locale="fr-FR")
    context.set_default_timeout(15_000)
    violations = listen_to_csp_violations(context)
    errors, fonts = [], []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: fonts.append(response.status) if ".woff2" in response.url else None)
    failed = []  # named, so that a console error "Failed to load resource" says which one
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        styled = page.evaluate(STYLED_JS)
        assert styled["stylesheets"] and all(rules > 100 for rules in styled["stylesheets"]), (path, styled)
        assert styled["bodyFont"].startswith("Marianne"), (path, styled)
        assert styled["marianne"] > 0, (path, styled)
        if path == "/carte/":
            page.wait_for_selector("#carte.leaflet-container")
    context.close()
    assert fonts and set(fonts) == {200}
    assert violations == []
    assert errors == [] and failed == [], (errors, failed)

    # Headers, as the HTTPS proxy forwards a request.
    status, headers, _ = get(base + "/", headers={"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "'nonce-" in headers["Content-Security-Policy"] and "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert len(headers["X-Request-ID"]) == 32
    for path in ["/sante/vivant/", "/sante/pret/"]:
        status, _, body = get(base + path)
        assert status == 200, body

    # 2. Redis stopped: a miss, not an error.
    servers.stop(redis)
    for path in [*PAGES, "/api/cites/", f"/api/cites/{CITE}/", "/donnees/cites.csv"]:
        status, _, body = get(base + path)
        assert status == 200, (path, status, body[:200])
    status, _, body = get(base + "/sante/pret/")
    readiness = json.loads(body)
    assert status == 200 and readiness["verifications"]["cache"]["ok"] is False

    # 3. The database accepts connections and never answers: 503 within 10 s (urllib's timeout).
    with silent_listener() as postgres:
        hung = servers.gunicorn(
            {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{postgres.port}/cites"}, "gunicorn-base-muette"
        )
        status, headers, body = get(hung + "/cites/", timeout=10)
        assert status == 503 and headers["Retry-After"] == "30"
        assert "sa base de données est injoignable" in body.decode()
        status, headers, body = get(hung + "/api/cites/", timeout=10)
        assert status == 503 and json.loads(body)["erreur"].startswith("Service momentanément indisponible")
        status, _, body = get(hung + "/sante/pret/", timeout=10)
        assert status == 503 and json.loads(body)["verifications"]["base_de_donnees"]["ok"] is False
