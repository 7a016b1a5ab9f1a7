"""Home page, error pages."""

import html
import re

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse

from cites.models import CiteEducative, Commune, Etablissement, Qpv
from portal.views import server_error

pytestmark = pytest.mark.django_db

ACCUEIL = reverse("portal:accueil")


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def figure(page: str, label: str) -> str:
    """The figure of the key-figure tile whose description starts with `label`."""
    match = re.search(rf'<p class="cites-chiffre">([^<]+)</p> <p class="fr-tile__desc">{re.escape(label)}', page)
    return match.group(1)


def test_home_shows_the_key_figures(client):
    response = client.get(ACCUEIL)
    assert response.status_code == 200
    page = text_of(response)
    communes = Commune.objects.filter(cites__publiee=True).distinct()
    qpvs = Qpv.objects.filter(generation=2024, communes__in=communes).distinct()
    ecoles = Etablissement.objects.filter(commune__in=communes)
    assert figure(page, "cités éducatives labellisées") == "208"
    assert figure(page, "communes couvertes") == str(communes.count())
    assert figure(page, "quartiers prioritaires (QPV 2024)") == str(qpvs.count())
    rep_plus = ecoles.filter(education_prioritaire="REP+").count()
    rep = ecoles.filter(education_prioritaire="REP").count()
    assert rep_plus > 0 and rep > 0
    assert figure(page, "écoles et établissements en éducation prioritaire") == f"{rep_plus} REP+ · {rep} REP"
    with_annuaire = communes.filter(etablissements__isnull=False).distinct().count()
    assert f"chargé pour {with_annuaire} des {communes.count()} communes couvertes" in page


def test_home_figures_follow_publication(client, django_capture_on_commit_callbacks):
    client.get(ACCUEIL)
    with django_capture_on_commit_callbacks(execute=True):
        CiteEducative.objects.filter(slug="orly").get().delete()
    assert figure(text_of(client.get(ACCUEIL)), "cités éducatives labellisées") == "207"


def test_home_leads_to_the_list_statistics_and_search(client):
    page = client.get(ACCUEIL).content.decode()
    assert f'href="{reverse("cites:liste")}"' in page
    assert f'href="{reverse("cites:statistiques")}"' in page
    form = re.search(r'<form method="get" action="([^"]+)" role="search"', page)
    assert form.group(1) == reverse("cites:liste")
    assert 'name="q"' in page
    # The search box leads to the filtered list.
    response = client.get(form.group(1), {"q": "Vénissieux"})
    assert "1 cité éducative pour ces filtres" in text_of(response)


def test_home_has_a_title(client):
    assert "<title>Accueil — Cités éducatives</title>" in client.get(ACCUEIL).content.decode()


def test_home_queries_are_bounded(client, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(6):
        client.get(ACCUEIL)


def test_home_is_cached(client, django_assert_num_queries):
    client.get(ACCUEIL)
    with django_assert_num_queries(0):
        assert client.get(ACCUEIL)["X-Cache"] == "hit"


def test_unknown_page_is_a_french_dsfr_404(client):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    page = text_of(response)
    assert "<title>Page non trouvée — Cités éducatives</title>" in page
    assert "Erreur 404" in page
    assert "fr-header" in page and "fr-footer" in page
    assert f'href="{reverse("cites:liste")}"' in page


def test_500_page_renders_with_a_bare_context():
    page = loader.get_template("500.html").render({})
    assert "Erreur inattendue" in page and "Erreur 500" in page
    assert "fr-header" in page
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()
