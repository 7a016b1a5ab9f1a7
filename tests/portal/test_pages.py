import pytest
from django.urls import reverse

from cites.models import CiteEducative

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("portal:accessibilite", "Déclaration d’accessibilité"),
        ("portal:mentions_legales", "Mentions légales"),
        ("portal:donnees_personnelles", "Données personnelles"),
    ],
)
def test_site_page_has_title_breadcrumb_and_footer_link(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{heading} — Cités éducatives</title>" in html
    assert 'aria-current="page">' + heading in html  # breadcrumb
    assert f'href="{reverse(name)}"' in html  # linked from every page's footer


def test_accessibility_statement_has_the_rgaa_sections(client):
    html = client.get(reverse("portal:accessibilite")).content.decode()
    for section in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Retour d’information et contact",
        "Voies de recours",
    ):
        assert f"<h2>{section}</h2>" in html
    assert "Défenseur des droits" in html


def test_robots_txt_points_to_the_sitemap_and_hides_the_back_office(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_every_published_cite_and_no_unpublished_one(client):
    hidden = CiteEducative.objects.order_by("pk").first()
    hidden.publiee = False
    hidden.save()
    body = client.get("/sitemap.xml").content.decode()
    published = CiteEducative.objects.published()
    assert published.count() == 207
    assert body.count("/cites/") == published.count() + 1  # the list page itself
    assert f"/cites/{hidden.slug}/" not in body
    assert f"/cites/{published.first().slug}/" in body


def test_unknown_page_answers_a_dsfr_404_in_french(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


# --- Contacts and hosting come from the settings, and production checks them (issue 14) --------


def test_site_pages_show_the_contacts_and_hosting_of_the_settings(client, settings):
    settings.CONTACT_ACCESSIBILITE_EMAIL = "accessibilite@cites.anct.gouv.fr"
    settings.CONTACT_DONNEES_EMAIL = "dpd@anct.gouv.fr"
    settings.HEBERGEUR = "OVH SAS, 2 rue Kellermann, 59100 Roubaix, 09 72 10 10 07"

    accessibilite = client.get(reverse("portal:accessibilite")).content.decode()
    donnees = client.get(reverse("portal:donnees_personnelles")).content.decode()
    mentions = client.get(reverse("portal:mentions_legales")).content.decode()

    assert 'href="mailto:accessibilite@cites.anct.gouv.fr"' in accessibilite
    assert 'href="mailto:dpd@anct.gouv.fr"' in donnees
    assert "OVH SAS, 2 rue Kellermann, 59100 Roubaix, 09 72 10 10 07" in mentions
    for page in (accessibilite, donnees, mentions):
        assert "example.gouv.fr" not in page
        assert "lors de la mise en production" not in page


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings_production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "cites.example.org",
    "DEBUG": "0",
    "SITE_URL": "https://cites.example.org",
}


def _production_settings_error(env: dict) -> str:
    """Import the production settings in a fresh interpreter; the error it raises, if any."""
    import os
    import subprocess
    import sys

    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CONTACT_", "HEBERGEUR", "SECRET_KEY", "DEBUG", "SITE_URL"))
    }
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings_production"],
        env={**keep, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr


def test_production_refuses_to_start_without_contacts_and_hosting():
    error = _production_settings_error(PRODUCTION_ENV)
    assert "CONTACT_ACCESSIBILITE_EMAIL" in error
    assert "CONTACT_DONNEES_EMAIL" in error
    assert "HEBERGEUR" in error


def test_production_starts_with_real_contacts_and_hosting():
    error = _production_settings_error(
        {
            **PRODUCTION_ENV,
            "CONTACT_ACCESSIBILITE_EMAIL": "accessibilite@cites.anct.gouv.fr",
            "CONTACT_DONNEES_EMAIL": "dpd@anct.gouv.fr",
            "HEBERGEUR": "OVH SAS, 2 rue Kellermann, 59100 Roubaix",
        }
    )
    assert error == ""
