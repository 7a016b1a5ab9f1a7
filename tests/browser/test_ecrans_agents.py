"""Agents' screens at 1,366 × 768 (the ministries' usual laptop): no horizontal scroll of the page
on the candidature list, the instruction screen and the cité admin, and axe-core on the cité admin."""

import pytest
from playwright.sync_api import expect

from candidatures.models import Candidature
from cites.models import CiteEducative, EvenementLabel
from partenaires.models import Action, LienPartenaire, Partenaire
from tests.browser.test_instruction import agent_se_connecter
from tests.candidatures import helpers

pytestmark = pytest.mark.browser

LARGEUR = """() => {
    const bord = document.documentElement.clientWidth + 1;
    const depasse = (e) => e.getBoundingClientRect().right > bord;
    const nom = (e) => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')}`;
    return {
        page: document.documentElement.scrollWidth,
        fenetre: document.documentElement.clientWidth,
        tableau: (document.querySelector('#result_list') || {}).scrollWidth || 0,
        boite: (document.querySelector('#changelist .results') || {}).clientWidth || 0,
        // What sticks out, for the failure message: the innermost elements past the window's edge.
        debordent: [...document.querySelectorAll('body *')]
            .filter((e) => depasse(e) && ![...e.children].some(depasse))
            .slice(0, 5)
            .map((e) => `${nom(e)} (${Math.round(e.getBoundingClientRect().width)} px)`),
    };
}"""


@pytest.fixture
def agents_page(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    helpers.ensure_groupes_et_appels()
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def tient_dans_l_ecran(page, ecran: str) -> None:
    mesures = page.evaluate(LARGEUR)
    assert mesures["page"] <= mesures["fenetre"], f"{ecran} : la page défile en largeur ({mesures})"
    if mesures["boite"]:
        assert mesures["tableau"] <= mesures["boite"], f"{ecran} : le tableau déborde de sa boîte ({mesures})"


@pytest.mark.parametrize("region", ["76", None], ids=["agent régional", "agent national"])
def test_the_list_and_the_instruction_screen_fit_1366_pixels(agents_page, region):
    page = agents_page
    porteur = helpers.porteur(email="porteur@mairie-toulouse.fr", commune="31555")
    appel = helpers.appel_permanent()
    candidature = helpers.candidature_complete(user=porteur, appel=appel)
    Candidature.objects.filter(pk=candidature.pk).update(
        titre="Cité éducative du Grand Mirail, de Bellefontaine, de la Reynerie et de Bagatelle réunis"
    )
    helpers.placer(candidature, "deposee")
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=60, prefixe="2090", etat="en_instruction")
    Candidature.objects.filter(reference__startswith="CE-2090-").update(verifications="donnees_absentes")
    agent = helpers.agent(email="agent@exemple.gouv.fr", region=region)
    agent_se_connecter(page, agent)
    tient_dans_l_ecran(page, "accueil")
    page.goto("/admin/candidatures/candidature/")
    expect(page.locator("#result_list")).to_be_visible()
    tient_dans_l_ecran(page, "liste des candidatures")
    page.goto(f"/admin/candidatures/candidature/{candidature.pk}/change/")
    expect(page.locator("h1")).to_contain_text("Instruction de la candidature")
    tient_dans_l_ecran(page, "écran d'instruction")


def test_the_cite_admin_fits_and_passes_axe(agents_page, axe_check):
    page = agents_page
    national = helpers.agent(email="national@anct.gouv.fr", region=None)
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    # A cité with its history, partners and actions: every inline has rows.
    partenaire = Partenaire.objects.create(nom="Centre social Bellefontaine", famille="social")
    LienPartenaire.objects.create(cite=cite, partenaire=partenaire, force=2, role="accueil des familles")
    action = Action.objects.create(
        cite=cite, titre="Soirées familles", objectif="continuite", temps_apres=True, age_min=6, age_max=18
    )
    action.partenaires.add(partenaire)
    EvenementLabel.objects.create(
        cite=cite, type="prolongation", annee=2023, date="2023-01-10", reference_decision="ANCT-2023-1",
        fin_financement="2025-12-31", description="Prolongation de la période de financement jusqu'à fin 2025.",
    )  # fmt: skip
    agent_se_connecter(page, national)
    page.goto(f"/admin/cites/citeeducative/{cite.pk}/change/")
    expect(page.locator("h1")).to_contain_text("Modification")
    tient_dans_l_ecran(page, "fiche d'une cité")
    axe_check(page, "fiche d'une cité (agent national)")
    page.goto("/admin/cites/citeeducative/")
    tient_dans_l_ecran(page, "liste des cités")
    axe_check(page, "liste des cités")


def test_a_regional_agent_records_a_revue_of_a_cite_of_their_region(agents_page, axe_check):
    page = agents_page
    regional = helpers.agent(email="drajes@occitanie.gouv.fr", region="76")
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    agent_se_connecter(page, regional)
    page.goto("/admin/cites/citeeducative/")
    expect(page.get_by_role("link", name="Toulouse Grand Mirail")).to_be_visible()
    tient_dans_l_ecran(page, "liste des cités (agent régional)")
    page.get_by_role("link", name="Toulouse Grand Mirail").click()
    expect(page.locator("#content h2").first).to_contain_text("Toulouse Grand Mirail")
    tient_dans_l_ecran(page, "fiche d'une cité (agent régional)")
    axe_check(page, "fiche d'une cité (agent régional)")
    page.get_by_role("link", name="Enregistrer une revue de projet").click()
    page.locator("#id_date").fill("2025-06-12")
    page.locator("#id_resume").fill("Revue menée avec la troïka ; actions engagées.")
    page.locator("input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Revue de projet enregistrée.")
    assert cite.revues.filter(annee=2025).exists()
