"""Issue 14 in a real browser: the eligibility simulator, the road to 2027, the map's overseas
views and phone layout, the partner network in dark mode, and axe-core on every public page at
1,280 px and at 375 px. Few test functions: each live-server test reloads the reference data."""

import re

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from cites.models import CiteEducative, Qpv
from tests.browser.test_carte import CLOSED_PORT_TILES, REPRESENTED_JS
from tests.browser.test_public import PARTENAIRES, cite_avec_reseau  # noqa: F401 (fixture)
from tests.cites.conftest import communes_place

PAGES_PUBLIQUES = [
    "/",
    "/cites/",
    "/cites/?region=84&departement=31",  # a contradiction, said on the page (400)
    "/cites/toulouse-grand-mirail/",
    "/cites/lyon-8e/",
    "/cites/toulouse-grand-mirail/corriger/",
    "/carte/",
    "/statistiques/",
    "/generalisation/",
    "/sources/",
    "/eligibilite/",
    "/eligibilite/?cle=commune-82121",
    "/eligibilite/?cle=commune-35238",
    "/eligibilite/?territoire=Saint-Denis",
    "/partenaires/",
    "/donnees/",
    "/alertes/",
    "/api/",
    "/api/docs/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/comptes/connexion/",
    "/comptes/inscription/",
]


# Cités represented inside the visible map: single markers count 1, clusters the number they show.
IN_VIEW_JS = """() => {
    const box = document.getElementById('carte').getBoundingClientRect();
    return Array.from(document.querySelectorAll('#carte .leaflet-marker-pane > *'))
        .filter(el => {
            const r = el.getBoundingClientRect();
            return r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
        })
        .reduce((n, el) => n + (el.classList.contains('carte-groupe') ? parseInt(el.textContent, 10) : 1), 0);
}"""


@pytest.fixture(autouse=True)
def appels(reference_data):
    """The calls for projects of the data migration (an earlier live-server test flushed them)."""
    from tests.candidatures.helpers import ensure_groupes_et_appels

    ensure_groupes_et_appels()


@pytest.fixture
def carte_page(page, settings, reference_data, reference_data_dir):
    communes_place(reference_data_dir)
    settings.MAP_TILES_URL = CLOSED_PORT_TILES
    return page


def _relative_luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS colours given as rgb(…) strings."""
    la, lb = (_relative_luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_simulator_for_montauban_then_a_commune_without_qpv(page, axe_check):
    page.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Éligibilité").click()
    expect(page.locator("h1")).to_have_text("Mon territoire est-il éligible ?")

    page.get_by_label("Commune ou intercommunalité").fill("82121")
    page.get_by_role("button", name="Vérifier ce territoire").click()
    expect(page.locator("#territoire")).to_have_text("Montauban (82121, Tarn-et-Garonne)")
    expect(page.locator("#chiffre-qpv")).to_have_text("3")
    qpvs = page.get_by_role("table", name="Quartiers prioritaires de Montauban").locator("tbody tr")
    expect(qpvs).to_have_count(3)
    criteres = page.locator(".eligibilite-critere")
    expect(criteres.nth(0)).to_contain_text("rempli")
    expect(criteres.nth(0)).to_contain_text("QPV QN08201I (Cœur de Ville) sur la commune de Montauban")
    # The open call follows the 2024 rules: criterion 2 is the collège chef de file; REP/REP+ an indicator.
    expect(criteres.nth(1)).to_contain_text("4 collèges publics pourraient être chef de file")
    expect(page.locator(".eligibilite-critere--indicateur").first).to_contain_text("12 écoles REP")
    expect(
        page.get_by_role("table", name="Collèges publics qui pourraient être chef de file").locator("tbody tr").first
    ).to_contain_text("Collège Ingres")
    axe_check(page, "simulateur (Montauban)")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Télécharger le pré-diagnostic")).click()
    assert download.value.suggested_filename == "pre-diagnostic-commune-82121.pdf"

    # « Déposer une candidature » leads an anonymous visitor to log in, the territory kept.
    page.get_by_role("link", name="Déposer une candidature").click()
    expect(page.locator("h1")).to_have_text("Se connecter")
    assert "territoire%3Dcommune-82121" in page.url

    page.goto("/eligibilite/")
    page.get_by_label("Commune ou intercommunalité").fill("Balma")
    page.get_by_role("button", name="Vérifier ce territoire").click()
    expect(page.locator("#territoire")).to_have_text("Balma (31044, Haute-Garonne)")
    expect(page.locator("#chiffre-qpv")).to_have_text("0")
    expect(page.locator(".eligibilite-critere--non_rempli")).to_have_count(2)
    expect(page.get_by_text("Aucun QPV 2024 sur la commune de Balma")).to_be_visible()
    axe_check(page, "simulateur (Balma)")

    page.get_by_label("Commune ou intercommunalité").fill("Nulle-Part-Sur-Mer")
    page.get_by_role("button", name="Vérifier ce territoire").click()
    expect(page.get_by_text("Aucune commune ni intercommunalité ne correspond")).to_be_visible()
    expect(page.get_by_label("Commune ou intercommunalité")).to_have_value("Nulle-Part-Sur-Mer")
    assert page.js_errors == []


def test_generalisation_counts_equal_the_database_and_its_map_shows_both_kinds(carte_page, axe_check):
    page = carte_page
    qpvs = Qpv.objects.filter(generation=2024)
    avec = qpvs.filter(Q(communes__cites__publiee=True) | Q(cites__publiee=True)).distinct().count()
    page.goto("/generalisation/")
    expect(page.locator("#chiffre-total")).to_have_text(str(qpvs.count()))
    expect(page.locator("#chiffre-couverts")).to_have_text(str(avec))
    expect(page.locator("#chiffre-sans")).to_have_text(str(qpvs.count() - avec))
    page.wait_for_selector("#carte-generalisation-carte .carte-qpv-sans")
    page.wait_for_selector("#carte-generalisation-carte path.carte-qpv-couvert")
    axe_check(page, "/generalisation/")
    assert page.js_errors == []


def test_map_reaches_an_overseas_cite_in_one_click_and_keeps_its_controls_apart_on_a_phone(carte_page, axe_check):
    page = carte_page
    reunion = set(
        CiteEducative.objects.filter(publiee=True, communes__departement__region__code="04").values_list(
            "nom", flat=True
        )
    )
    assert reunion
    page.goto("/carte/")
    page.wait_for_selector("#carte .leaflet-marker-icon")

    page.get_by_role("button", name="La Réunion").click()

    page.wait_for_function(f"() => ({IN_VIEW_JS})() === {len(reunion)}", timeout=15_000)
    visibles = page.eval_on_selector_all("#carte img.leaflet-marker-icon", "els => els.map(el => el.title)")
    assert set(visibles) & reunion
    assert page.evaluate(REPRESENTED_JS) >= len(reunion)

    # QPVs and cités differ by shape: the QPV layer draws squares, in a pane under the cités.
    page.locator("label[for=couche-qpv]").click()  # the DSFR checkbox: its label takes the click
    expect(page.get_by_label(re.compile("Quartiers prioritaires"))).to_be_checked()
    page.wait_for_selector("#carte .carte-qpv-carre, #carte .carte-groupe--qpv")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.leaflet-qpv-pane')).zIndex") == "590"

    # On a phone, nothing overlaps the zoom buttons and the list is paginated.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/carte/")
    page.wait_for_selector("#carte .leaflet-marker-icon")
    rects = page.eval_on_selector_all(
        "#carte .leaflet-control",
        "els => els.map(el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })",
    )
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"contrôles superposés : {a} {b}"
    expect(page.locator(".carte-liste > li")).to_have_count(20)
    axe_check(page, "/carte/ à 375 px")
    assert page.js_errors == []


def test_network_is_readable_in_dark_mode_and_on_a_phone(chromium, live_server, cite_avec_reseau, axe_check):  # noqa: F811
    context = chromium.new_context(
        base_url=live_server.url, color_scheme="dark", viewport={"width": 375, "height": 800}
    )
    page = context.new_page()
    try:
        page.goto(cite_avec_reseau.get_absolute_url())
        expect(page.locator("html")).to_have_attribute("data-fr-theme", "dark")
        noms = page.locator(".reseau-partenaire__nom")
        expect(noms).to_have_count(len(PARTENAIRES))
        fond = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        for couleur in page.eval_on_selector_all(
            ".reseau-partenaire__nom, .reseau-famille__nom", "els => els.map(el => getComputedStyle(el).fill)"
        ):
            assert contrast(couleur, fond) >= 4.5, f"texte {couleur} sur {fond}"
        # Family nodes are filled like the page, not white on the dark page.
        noeud = page.evaluate("() => getComputedStyle(document.querySelector('.reseau-famille__noeud')).fill")
        assert contrast(noeud, fond) < 1.5
        # On a phone the drawing keeps legible text (it scrolls sideways) instead of shrinking to 3 px.
        hauteur = page.evaluate(
            "() => document.querySelector('.reseau-partenaire__nom').getBoundingClientRect().height"
        )
        assert hauteur >= 9
        axe_check(page, "réseau en mode sombre à 375 px")
    finally:
        context.close()


@pytest.fixture
def cite_financee(reference_data):
    """Money for two years on the Toulouse cité's page: its table per year is checked with the rest."""
    from cites.models import FinancementAnnuel

    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    FinancementAnnuel.objects.create(cite=cite, annee=2024, dotation_etat=425000, fonds_cite=30000)
    FinancementAnnuel.objects.create(
        cite=cite, annee=2025, dotation_etat=425000, fonds_cite=30000, cofinancement=410000, depenses=700000
    )


@pytest.mark.parametrize("largeur", [1280, 375])
def test_every_public_page_has_no_accessibility_violation(
    carte_page,
    axe_check,
    largeur,
    cite_avec_reseau,  # noqa: F811
    cite_financee,
):
    page = carte_page
    page.set_viewport_size({"width": largeur, "height": 900})
    for url in PAGES_PUBLIQUES:
        response = page.goto(url)
        assert response.status == (400 if "departement=31" in url else 200), url
        page.wait_for_load_state("networkidle")
        axe_check(page, f"{url} à {largeur} px")
    page.goto("/cites/toulouse-grand-mirail/")
    expect(page.locator("main")).to_contain_text("Financement par année (2 années)")  # its table was checked
    assert page.js_errors == []
