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
        # Every figure issue 13 quotes, with where it comes from.
        "Sénat, rapports budgétaires sur la mission « Cohésion des territoires » (programme 147, politique de la "
        "ville)",
        "Institut national de la jeunesse et de l’éducation populaire (INJEP), évaluation nationale",
        "pour moitié Éducation nationale et pour moitié Ville, géré par le collège chef de file",
        "Cofinancement de la collectivité attendu au niveau de celui de l’État",
        "financement par cité, écarts de dotation",
        "revue annuelle obligatoire, en ligne depuis 2022, selon l’ANCT",
        "les cités labellisées en 2022 ont candidaté au renouvellement fin 2024 pour 2025–2027",
        "Depuis 2024 (appel ouvert toute l’année) : au moins un quartier prioritaire et un collège chef de file pour "
        "les écoles du périmètre, bloquants ; l’éducation prioritaire (REP, REP+) devient une priorité et l’indice de "
        "position sociale (IPS) des écoles est pris en compte : tous deux sont montrés comme des indicateurs",
        "Un indicateur n’empêche ni le dépôt ni l’avis de la région",
        "La troïka — le préfet, le recteur (DASEN) et le maire ou le président de l’EPCI — valide la candidature et "
        "la revue de projet ; au quotidien, le principal du collège chef de file travaille avec un chef de projet "
        "opérationnel (CPO)",
        "la préfecture (délégués du préfet), le rectorat ou la DSDEN (DASEN, chargés de mission) et la DRAJES",
        "La labellisation d’une candidature de renouvellement renouvelle la cité qu’elle nomme, sans en créer une "
        "autre",
    ]:
        assert attendu in page, attendu
    assert f'href="{reverse("portal:sources")}">Sources des chiffres</a>' in client.get("/").content.decode()
