"""Security headers and session lifetimes: a Content-Security-Policy with nonces and no inline
script, Permissions-Policy, HSTS settings that `check --deploy` accepts, agents signed out
after a working day of inactivity and 12 hours at most, porteurs after two weeks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from portal.middleware import SESSION_DEBUT

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CITE = "toulouse-grand-mirail"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/cites/", f"/cites/{CITE}/", "/carte/", "/comptes/connexion/", "/api/docs/"])
def test_pages_have_a_csp_with_a_nonce_and_no_inline_script(client, url):
    response = client.get(url)
    policy = directives(response)

    assert response.status_code == 200
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    page = response.content.decode()
    for script in re.findall(r"<script\b[^>]*>", page):
        # Code comes from files of this site; inline blocks are only data (json_script).
        assert "src=" in script or 'type="application/json"' in script, script
    # /api/docs/ included: it is a DSFR page of the portal (issue 14), no longer drf-spectacular's.
    assert len(nonces) == 1
    assert f'nonce="{nonces[0][7:-1]}"' in page


def test_each_response_has_its_own_nonce(client):
    first = directives(client.get("/comptes/connexion/"))["script-src"]
    second = directives(client.get("/comptes/connexion/"))["script-src"]

    assert first != second


def test_map_tiles_are_allowed_from_their_host_only(client):
    assert directives(client.get("/carte/"))["img-src"] == ["'self'", "data:", "https://data.geopf.fr"]


def test_no_template_holds_inline_code():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for script in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in script, f"{template}: {script}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template}: attribut on…="


def test_permissions_policy_refuses_unused_features(client):
    header = client.get("/").headers["Permissions-Policy"]

    assert "camera=()" in header and "microphone=()" in header and "geolocation=()" in header


def test_check_deploy_has_no_warning_under_production_settings(tmp_path):
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portal.settings_production",
        "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "cites-educatives.example.gouv.fr",
        "SITE_URL": "https://cites-educatives.example.gouv.fr",
        "CONTACT_ACCESSIBILITE_EMAIL": "accessibilite@anct.gouv.fr",
        "CONTACT_DONNEES_EMAIL": "dpd@anct.gouv.fr",
        "HEBERGEUR": "Hébergeur, 1 rue de l'Exemple, 75000 Paris",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Session lifetimes ----------------------------------------------------------------------


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user(
        username="agent@anct.gouv.fr", email="agent@anct.gouv.fr", password="x", is_staff=True, is_superuser=True
    )


@pytest.fixture
def porteur(django_user_model):
    return django_user_model.objects.create_user(username="porteur@ville.fr", email="porteur@ville.fr", password="x")


def started_hours_ago(client, hours: float) -> None:
    session = client.session
    session[SESSION_DEBUT] = int(timezone.now().timestamp() - hours * 3600)
    session.save()


def test_an_agent_session_lasts_a_working_day_of_inactivity(client, agent):
    client.force_login(agent)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert client.session.get_expiry_age() == 8 * 3600
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600


def test_an_agent_session_never_outlives_twelve_hours(client, agent):
    client.force_login(agent)
    client.get("/admin/")
    started_hours_ago(client, 10)
    session = client.session
    session.pop("_portail_session_rafraichie")
    session.save()

    client.get("/admin/")

    assert 2 * 3600 - 60 <= client.session.get_expiry_age() <= 2 * 3600  # not a working day: 2 h are left


def test_after_twelve_hours_the_agent_is_signed_out(client, agent):
    client.force_login(agent)
    client.get("/admin/")
    started_hours_ago(client, 12.5)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_porteur_session_lasts_two_weeks_of_inactivity(client, porteur):
    client.force_login(porteur)
    started_hours_ago(client, 13)

    response = client.get("/candidatures/")

    assert response.status_code == 200
    assert client.session.get_expiry_age() == 14 * 24 * 3600


def test_signing_in_starts_the_clock(client, agent):
    client.post("/admin/login/", {"username": "agent@anct.gouv.fr", "password": "x"})

    session = client.session
    assert abs(session[SESSION_DEBUT] - timezone.now().timestamp()) < 60
    assert session.get_expiry_age() == 8 * 3600
