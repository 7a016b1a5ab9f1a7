"""The partner directory /partenaires/: by family, with the cités each partner works with."""

import html
import re

import pytest
from django.urls import reverse

from cites.models import CiteEducative
from partenaires.models import Action, Famille, LienPartenaire, Objectif, Partenaire

pytestmark = pytest.mark.django_db

ANNUAIRE = reverse("partenaires:annuaire")


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def row_of(page: str, nom: str) -> str:
    match = re.search(rf'<tr id="partenaire-\d+"> <th scope="row"> (?:<a [^>]+>)?{re.escape(nom)}(.*?)</tr>', page)
    assert match, f"{nom} absent de l'annuaire"
    return match.group(1)


def section_of(page: str, famille: str) -> str:
    return re.search(rf'<section [^>]*aria-labelledby="famille-{famille}">(.*?)</section>', page).group(1)


@pytest.fixture
def no_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def test_directory_lists_partners_by_family_with_their_cites(client):
    creteil = CiteEducative.objects.get(slug="creteil")
    orly = CiteEducative.objects.get(slug="orly")
    caf = Partenaire.objects.create(nom="CAF du Val-de-Marne", famille=Famille.ETAT)
    LienPartenaire.objects.create(cite=orly, partenaire=caf, force=2)
    LienPartenaire.objects.create(cite=creteil, partenaire=caf, force=3)
    theatre = Partenaire.objects.create(nom="Théâtre Jean Vilar", famille=Famille.CULTURE)
    # A partner known only through an action of a cité is in the directory too.
    action = Action.objects.create(cite=orly, titre="Théâtre au collège", objectif=Objectif.POSSIBLES, temps_apres=True)
    action.partenaires.add(theatre)

    page = text_of(client.get(ANNUAIRE))

    assert "2 partenaires recensés" in page
    # The seven families, in their order, each with its count.
    titles = re.findall(r'<h2 id="famille-(\w+)">', page)
    assert titles == list(Famille.values)
    assert "Services de l'État (1)" in page and "Entreprises (0)" in page
    caf_row = row_of(section_of(page, "etat"), "CAF du Val-de-Marne")
    assert re.findall(r'<a href="(/cites/[\w-]+/)">([^<]+)</a>', caf_row) == [
        (creteil.get_absolute_url(), "Créteil"),
        (orly.get_absolute_url(), "Orly"),
    ]
    assert orly.get_absolute_url() in row_of(section_of(page, "culture"), "Théâtre Jean Vilar")
    assert "Aucun partenaire de cette famille n’est encore recensé." in section_of(page, "entreprises")


def test_directory_shows_only_partners_of_published_cites(client):
    orly = CiteEducative.objects.get(slug="orly")
    cachee = CiteEducative.objects.get(slug="creteil")
    cachee.publiee = False
    cachee.save()
    visible = Partenaire.objects.create(nom="Mission locale d'Orly", famille=Famille.SOCIAL)
    LienPartenaire.objects.create(cite=orly, partenaire=visible)
    LienPartenaire.objects.create(cite=cachee, partenaire=visible)
    seulement_cachee = Partenaire.objects.create(nom="Partenaire d'une cité non publiée", famille=Famille.SOCIAL)
    LienPartenaire.objects.create(cite=cachee, partenaire=seulement_cachee)
    Partenaire.objects.create(nom="Partenaire sans cité", famille=Famille.SOCIAL)

    page = text_of(client.get(ANNUAIRE))

    row = row_of(page, "Mission locale d'Orly")
    assert "Orly" in row and "Créteil" not in row
    assert "Partenaire d'une cité non publiée" not in page
    assert "Partenaire sans cité" not in page
    assert "1 partenaire recensé" in page


def test_directory_queries_do_not_grow_with_the_partners(client, no_cache, django_assert_max_num_queries):
    def add_partners(number: int, offset: int) -> None:
        cites = list(CiteEducative.objects.filter(publiee=True).order_by("pk")[offset : offset + 20])
        for index in range(number):
            partenaire = Partenaire.objects.create(
                nom=f"Partenaire {offset}-{index}", famille=Famille.values[index % len(Famille.values)]
            )
            for cite in cites[index % 5 :: 5]:
                LienPartenaire.objects.create(cite=cite, partenaire=partenaire, force=1 + index % 3)
            action = Action.objects.create(
                cite=cites[index % len(cites)], titre=f"Action {index}", objectif=Objectif.ECOLE, temps_pendant=True
            )
            action.partenaires.add(partenaire)

    add_partners(3, 0)
    with django_assert_max_num_queries(4):
        client.get(ANNUAIRE)
    add_partners(80, 40)
    with django_assert_max_num_queries(4):
        page = text_of(client.get(ANNUAIRE))
    assert "83 partenaires recensés" in page
    assert page.count('<tr id="partenaire-') == 83


def test_directory_is_cached_and_invalidated_when_a_link_changes(client, django_capture_on_commit_callbacks):
    assert client.get(ANNUAIRE)["X-Cache"] == "miss"
    assert client.get(ANNUAIRE)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        partenaire = Partenaire.objects.create(nom="Médiathèque de Lodève", famille=Famille.CULTURE)
        LienPartenaire.objects.create(cite=CiteEducative.objects.get(slug="orly"), partenaire=partenaire)
    response = client.get(ANNUAIRE)
    assert response["X-Cache"] == "miss"
    assert "Médiathèque de Lodève" in text_of(response)


def test_directory_is_in_the_main_menu(client):
    page = client.get("/").content.decode()
    assert f'<a class="fr-nav__link" href="{ANNUAIRE}"' in page


@pytest.mark.django_db
def test_directory_says_how_partners_come_to_be_listed(client):
    page = " ".join(client.get(reverse("partenaires:annuaire")).content.decode().split())
    assert "Comment un partenaire est-il recensé ?" in page
    assert "enregistrés par les agents de l’État qui suivent le label (préfecture, DRAJES, ANCT)" in page
