"""The sources page (issue 13): the programme's figures and the portal's rules, with the public
documents they come from, linked from every page's footer."""

import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_sources_page_says_where_figures_and_rules_come_from(client):
    response = client.get(reverse("portal:sources"))
    page = " ".join(html.unescape(response.content.decode()).split())
    assert response.status_code == 200
    for attendu in [
        "Cour des comptes, rapport sur les cités éducatives, publié le 8 décembre 2025",
        "40 cités labellisées le 26 mai 2025 ; environ 250 cités en tout, 261 communes, 600 QPV",
        "Environ 425 000 € par cité et par an pour la première vague",
        "Fonds de la cité : 30 000 € par an, versés en 2 × 15 000 €",
        "convention-cadre : 6 mois après le label",
    ]:
        assert attendu in page
    assert f'href="{reverse("portal:sources")}">Sources des chiffres</a>' in client.get("/").content.decode()
