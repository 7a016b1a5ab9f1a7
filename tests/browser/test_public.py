"""The public pages in a real browser (Playwright + Debian's Chromium): the path a visitor takes,
axe-core on every public page, the list's filters with the keyboard alone.

The live server reads a committed database: the partners and actions are created through the
ORM before the pages are loaded (the `page` fixture runs on `transactional_db`).
"""

import re

import pytest
from playwright.sync_api import expect

from cites.models import CiteEducative, Suggestion
from partenaires.models import Action, Famille, LienPartenaire, Objectif, Partenaire

CITE = "toulouse-grand-mirail"
PARTENAIRES = [
    ("Association des parents d'élèves", Famille.MAISON, 2, "Relais auprès des familles"),
    ("CAF de la Haute-Garonne", Famille.ETAT, 3, "Cofinance l'accueil du soir"),
    ("Médiathèque José Cabanis", Famille.CULTURE, 3, "Ateliers de lecture"),
    ("Mairie de Toulouse", Famille.COLLECTIVITES, 3, "Co-pilote de la cité"),
    ("Centre de santé du Mirail", Famille.QUARTIER, 1, ""),
    ("Mission locale de Toulouse", Famille.SOCIAL, 2, "Accompagne les 16–25 ans"),
]


@pytest.fixture
def cite_avec_reseau(reference_data):
    cite = CiteEducative.objects.get(slug=CITE)
    partenaires = {}
    for nom, famille, force, role in PARTENAIRES:
        partenaires[nom] = Partenaire.objects.create(nom=nom, famille=famille)
        LienPartenaire.objects.create(cite=cite, partenaire=partenaires[nom], force=force, role=role)
    petit_dejeuner = Action.objects.create(
        cite=cite,
        titre="Petits déjeuners à l'école",
        objectif=Objectif.ECOLE,
        temps_avant=True,
        age_min=3,
        age_max=11,
        existante=True,
        budget=12000,
    )
    petit_dejeuner.partenaires.add(partenaires["Mairie de Toulouse"], partenaires["CAF de la Haute-Garonne"])
    lecture = Action.objects.create(
        cite=cite, titre="Clubs de lecture", objectif=Objectif.CONTINUITE, temps_apres=True, age_min=6, age_max=15
    )
    lecture.partenaires.add(partenaires["Médiathèque José Cabanis"])
    Action.objects.create(
        cite=cite, titre="Découverte des métiers", objectif=Objectif.POSSIBLES, temps_pendant=True, age_max=25
    )
    return cite


def test_visitor_goes_from_home_to_a_cite_its_network_and_actions(page, axe_check, cite_avec_reseau):
    page.goto("/")
    axe_check(page, "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Les cités éducatives").click()
    expect(page.locator("h1")).to_have_text("Les cités éducatives")
    axe_check(page, "/cites/")

    page.get_by_label("Région").select_option(label="Occitanie")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"/cites/\?.*region=76"))
    occitanie = CiteEducative.objects.filter(publiee=True, communes__departement__region__code="76").distinct()
    expect(page.locator("#resultats")).to_have_text(
        re.compile(rf"{occitanie.count()} cités éducatives pour ces filtres")
    )
    expect(page.get_by_label("Région")).to_have_value("76")  # the choice is kept
    axe_check(page, "/cites/?region=76")

    page.get_by_role("link", name="Toulouse Grand Mirail").click()
    expect(page.locator("h1")).to_have_text("Toulouse Grand Mirail")

    # The network: a picture with its title, the seven families, one line per partner.
    reseau = page.get_by_role("img", name="Réseau des partenaires de Toulouse Grand Mirail")
    expect(reseau).to_be_visible()
    expect(reseau.locator("g.reseau-famille")).to_have_count(7)
    expect(reseau.locator("path.reseau-lien")).to_have_count(len(PARTENAIRES))
    box = reseau.bounding_box()
    assert box["width"] > 600 and box["height"] > 150
    # ...and the same in a table.
    table = page.get_by_role("table", name="Partenaires de Toulouse Grand Mirail, par famille")
    expect(table.get_by_role("row")).to_have_count(len(PARTENAIRES) + 1)
    expect(table.get_by_role("row", name=re.compile("Mairie de Toulouse"))).to_contain_text("Forte (3 sur 3)")

    # The actions, filtered by objective (GET form, the page reloads at the actions).
    actions = page.locator(".actions-liste > li")
    expect(actions).to_have_count(3)
    axe_check(page, "fiche d'une cité avec réseau et actions")
    page.get_by_label("Objectif").select_option("continuite")
    page.get_by_role("button", name="Filtrer les actions").click()
    expect(page).to_have_url(re.compile(r"objectif=continuite.*#actions$"))
    expect(actions).to_have_count(1)
    expect(actions.first).to_contain_text("Clubs de lecture")
    expect(actions.first).to_contain_text("Médiathèque José Cabanis")
    expect(page.get_by_label("Objectif")).to_have_value("continuite")
    axe_check(page, "fiche d'une cité, actions filtrées")

    # A correction: the form keeps what was typed on error, then thanks.
    page.get_by_role("link", name="Proposer une correction").click()
    expect(page.locator("h1")).to_have_text("Proposer une correction")
    axe_check(page, "formulaire de correction")
    page.get_by_label("Votre proposition").fill("Il manque le collège Bellefontaine.")
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez l’élément de la page")
    expect(page.get_by_label("Votre proposition")).to_have_value("Il manque le collège Bellefontaine.")
    axe_check(page, "formulaire de correction en erreur")
    page.get_by_label("Élément concerné").select_option("etablissements")
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.locator("h1")).to_have_text("Toulouse Grand Mirail")
    expect(page.locator(".fr-alert--success")).to_contain_text("Merci ! Votre proposition de correction")
    assert Suggestion.objects.filter(cite=cite_avec_reseau, champ="etablissements").count() == 1
    assert page.js_errors == []


def test_every_public_page_has_no_accessibility_violation(page, axe_check, cite_avec_reseau):
    for url in (
        "/statistiques/",
        "/partenaires/",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
    ):
        response = page.goto(url)
        assert response.status == 200, url
        axe_check(page, url)
    # The directory links each partner to its cités.
    page.goto("/partenaires/")
    page.get_by_role("row", name=re.compile("Mission locale de Toulouse")).get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Toulouse Grand Mirail")

    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page non trouvée")
    axe_check(page, "page 404")
    assert page.js_errors == []


def test_list_filters_are_usable_with_the_keyboard_alone(page):
    page.goto("/cites/")

    def tab_to(selector: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                return
        pytest.fail(f"{selector} n'est pas atteint au clavier")

    tab_to("#id_region")
    page.keyboard.type("Occitanie")  # type-ahead picks the option
    expect(page.locator("#id_region")).to_have_value("76")
    tab_to("#id_annee")
    tab_to("form.cites-filtres button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"region=76"))
    expect(page.locator("#resultats")).to_contain_text("pour ces filtres")
    # The first result is reached with the keyboard and opens with Enter.
    tab_to(".cites-liste a")
    name = page.evaluate("() => document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(name)
