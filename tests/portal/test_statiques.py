"""The DSFR's integrity attributes are those of the files as served, also after `collectstatic`
rewrote them (production's manifest storage). The whole production path, in Chromium, is
tests/browser/test_production.py."""

import base64
import hashlib
import re

import pytest
from django.core.management import call_command

from portal.templatetags.integrite import integrity_of

pytestmark = pytest.mark.django_db


def sha384(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def test_in_development_the_pages_declare_the_dsfr_published_hashes(client):
    page = client.get("/mentions-legales/").content.decode()

    # The hashes django-dsfr 3.6.1 publishes for its untouched files.
    assert re.search(
        r'dsfr\.min\.css"\s*integrity="sha384-YCukMJNHKyiRQ1GFeGXOd6Lov744PkUweAfT5XIkIQ5\+6sIQSnSyfyZr8syKCdJp"', page
    )
    assert re.search(
        r'dsfr\.module\.min\.js"\s*integrity="sha384-X74emiCarEPSrcS8UDhKQLhB\+5jLUZsM9N\+7okITLuqE5bvSnjC1zlnruXbhH\+RO"',
        page,
    )


def test_after_collectstatic_the_hash_is_that_of_the_rewritten_file(settings, tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "img").mkdir()
    (source / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    original = b".logo { background: url('../img/logo.svg'); }\n"
    (source / "css" / "site.css").write_bytes(original)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    served = next((tmp_path / "collected" / "css").glob("site.*.css")).read_bytes()

    assert served != original  # the url() now names the hashed logo
    assert integrity_of("css/site.css") == sha384(served)


def test_a_file_that_cannot_be_read_gets_no_integrity_attribute(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]

    assert integrity_of("css/absent.css") == ""
