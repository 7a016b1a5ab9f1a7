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
