"""Fixtures of the filing tests: porteurs, agents, candidatures filled through the services."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.candidatures import helpers


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hashing passwords at full strength costs a third of a second per account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def appel(db):
    return helpers.appel_permanent()


@pytest.fixture
def porteur(db):
    return helpers.porteur(email="porteur@toulouse.fr", commune="31555")


@pytest.fixture
def autre_porteur(db):
    return helpers.porteur(email="porteur@montpellier.fr", commune="34172")


@pytest.fixture
def agent_occitanie(db):
    return helpers.agent(email="agent@occitanie.gouv.fr", region="76")


@pytest.fixture
def agent_ara(db):
    return helpers.agent(email="agent@ara.gouv.fr", region="84")


@pytest.fixture
def agent_national(db):
    return helpers.agent(email="agent@anct.gouv.fr", region=None)


@pytest.fixture
def candidature(porteur, appel):
    return helpers.candidature_complete(user=porteur, appel=appel)


@pytest.fixture
def pdf():
    return SimpleUploadedFile("deliberation.pdf", helpers.PDF, content_type="application/pdf")


@pytest.fixture
def groupes(db):
    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def porteur_lyon(db):
    return helpers.porteur(email="porteur@lyon.fr", commune="69123")


@pytest.fixture
def deposee(candidature, porteur, django_capture_on_commit_callbacks):
    """The Toulouse candidature (Occitanie), complete and filed through the services."""
    from candidatures import services

    with django_capture_on_commit_callbacks(execute=True):
        services.candidature_submit(candidature=candidature, actor=porteur)
    candidature.refresh_from_db()
    return candidature


@pytest.fixture
def connecter(client):
    """Log a user in on the test client and return it."""

    def _connecter(user):
        client.force_login(user)
        return client

    return _connecter
