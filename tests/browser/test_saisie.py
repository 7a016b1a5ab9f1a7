"""The four ways a porteur lost input (issue 9), each reproduced in Chromium: an invalid field on a
step, a session that ended while typing, leaving 0.3 s after typing, an amount with a decimal
comma. axe-core checks the steps with their errors shown."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from candidatures.models import Candidature
from tests.candidatures import helpers


@pytest.fixture
def porteur_connecte(page, settings, tmp_path):
    """A porteur with a complete draft, logged in through the log-in page."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    appel = helpers.appel_permanent()
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    candidature = helpers.candidature_complete(user=porteur, appel=appel)
    connecter(page, porteur.email)
    return page, candidature


def connecter(page, email):
    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Mes candidatures")


def etape(candidature, slug):
    return f"/candidatures/{candidature.pk}/etapes/{slug}/"


def stocke(candidature):
    return Candidature.objects.get(pk=candidature.pk)


def test_an_invalid_field_does_not_drop_its_step(porteur_connecte, axe_check):
    page, candidature = porteur_connecte
    page.goto(etape(candidature, "pilotage"))
    page.locator("#id_troika_prefecture").fill("Sous-préfet chargé de la politique de la ville")
    page.locator("#id_chef_de_projet_email").fill("alex.durand@ville-montauban,fr")
    expect(page.locator("#autosave-statut")).to_contain_text(
        "1 champ à corriger : adresse électronique du chef de projet"
    )
    assert stocke(candidature).troika_prefecture == "Sous-préfet chargé de la politique de la ville"
    page.reload()  # the invalid field is shown as typed, flagged, and the page still passes axe
    expect(page.locator("#id_chef_de_projet_email")).to_have_value("alex.durand@ville-montauban,fr")
    expect(page.locator("#erreurs")).to_be_focused()
    axe_check(page, "pilotage avec une erreur")
    page.get_by_role("link", name="Récapitulatif et dépôt").first.click()
    expect(page.locator("#saisies-invalides")).to_contain_text("Adresse électronique du chef de projet")
    expect(page.get_by_role("button", name="Déposer la candidature")).to_have_count(1)
    axe_check(page, "récapitulatif avec une erreur")
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.locator(".fr-alert--error").first).to_contain_text("1 champ à corriger")
    assert stocke(candidature).etat == "brouillon"
    page.locator("#saisies-invalides a").first.click()
    expect(page).to_have_url(
        f"{page.url.split('/candidatures/')[0]}{etape(candidature, 'pilotage')}#id_chef_de_projet_email"
    )
    assert page.js_errors == []


def test_an_ended_session_loses_nothing(porteur_connecte):
    page, candidature = porteur_connecte
    page.goto(etape(candidature, "communication"))
    helpers.sessions_terminer()  # logged out elsewhere, or expired
    texte = "Une lettre aux familles chaque trimestre, traduite en quatre langues."
    page.locator("#id_plan_communication").fill(texte)
    alerte = page.locator("#autosave-session")
    expect(alerte).to_be_visible()
    expect(alerte.get_by_role("link", name="Se reconnecter dans un nouvel onglet")).to_have_attribute(
        "target", "_blank"
    )
    # Logged in again in another tab: the CSRF token of the first tab is no longer valid.
    autre = page.context.new_page()
    connecter(autre, "porteur@toulouse.fr")
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#autosave-statut")).to_contain_text("Brouillon enregistré")
    expect(alerte).to_be_hidden()
    assert stocke(candidature).plan_communication == texte
    # « Enregistrer » also goes through, never on a CSRF failure page.
    page.locator("#id_demarche_evaluation").fill("Évaluation annuelle.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".fr-alert--success")).to_contain_text("enregistrée")
    assert stocke(candidature).demarche_evaluation == "Évaluation annuelle."
    assert page.js_errors == []
    autre.close()


def test_text_typed_before_the_session_ended_comes_back_after_logging_in(porteur_connecte):
    page, candidature = porteur_connecte
    page.goto(etape(candidature, "communication"))
    page.context.clear_cookies()
    texte = "Un journal de quartier écrit par les collégiens."
    page.locator("#id_plan_communication").fill(texte)
    expect(page.locator("#autosave-session")).to_be_visible()
    # The log-in link leads back to the step, where the copy kept in the browser is restored and sent.
    connecter(page, "porteur@toulouse.fr")
    page.goto(etape(candidature, "communication"))
    expect(page.locator("#autosave-restaure")).to_be_visible()
    expect(page.locator("#id_plan_communication")).to_have_value(texte)
    expect(page.locator("#autosave-statut")).to_contain_text("Brouillon enregistré")
    assert stocke(candidature).plan_communication == texte


def test_leaving_0_3_s_after_typing_loses_nothing(porteur_connecte):
    page, candidature = porteur_connecte
    page.goto(etape(candidature, "communication"))
    texte = "Évaluation conduite avec l'université Toulouse Jean-Jaurès, restituée aux familles."
    page.locator("#id_demarche_evaluation").fill(texte)
    page.wait_for_timeout(300)
    page.get_by_role("link", name="Étape précédente").click()
    expect(page.locator(".fr-stepper__title")).to_contain_text("Budget")
    assert stocke(candidature).demarche_evaluation == texte
    # The same through the side menu, and when the page is left by the address bar.
    page.goto(etape(candidature, "communication"))
    page.locator("#id_plan_communication").fill("Affiches dans les écoles.")
    page.wait_for_timeout(300)
    page.locator(".fr-sidemenu__link", has_text="Récapitulatif").click()
    expect(page.locator("h1")).to_have_text("Récapitulatif et dépôt")
    assert stocke(candidature).plan_communication == "Affiches dans les écoles."
    page.goto(etape(candidature, "communication"))
    page.locator("#id_plan_communication").fill("Une radio de quartier.")
    page.wait_for_timeout(300)
    page.on("dialog", lambda dialog: dialog.accept())  # the browser warns: something is unsent
    page.goto("/")
    page.wait_for_function("true")
    _attendre(lambda: stocke(candidature).plan_communication == "Une radio de quartier.")


def test_amounts_are_read_the_french_way_and_rows_added_in_place(porteur_connecte, axe_check):
    page, candidature = porteur_connecte
    page.goto(etape(candidature, "budget"))
    chargements = []
    page.on("framenavigated", lambda frame: chargements.append(frame.url))
    saisies = ["150 000,50", "150000,50", "150 000 €", "150000.50"]
    # Two lines are stored; the third, empty, is there; two more are added in place.
    for _ in range(len(saisies) - 1):
        page.get_by_role("button", name="Ajouter une ligne de budget").click()
    for i, saisie in enumerate(saisies):
        page.locator(f"#id_budget-{i}-annee").fill("2026")
        page.locator(f"#id_budget-{i}-cofinanceur").fill(f"Cofinanceur {i + 1}")
        page.locator(f"#id_budget-{i}-montant").fill(saisie)
    for i in range(len(saisies), 5):
        page.locator(f"#budget-{i}-legende").locator("..").get_by_role("button", name="Retirer").click()
    expect(page.locator("#totaux-budget")).to_contain_text("600\u202f001,50\u202f€", timeout=10_000)
    assert chargements == []  # rows added and removed without a page load
    montants = sorted(stocke(candidature).lignes_budget.values_list("montant", flat=True))
    assert montants == [Decimal("150000"), Decimal("150000.50"), Decimal("150000.50"), Decimal("150000.50")]
    # An ambiguous amount is refused with a clear message, and kept as typed.
    page.locator("#id_budget-0-montant").fill("150.000")
    expect(page.locator("#autosave-statut")).to_contain_text("1 champ à corriger : ligne de budget 1 : montant")
    page.reload()
    expect(page.locator("#id_budget-0-montant")).to_have_value("150.000")
    expect(page.locator("#erreurs")).to_contain_text("« 150.000 » est ambigu")
    axe_check(page, "budget avec une erreur")
    assert page.js_errors == []


def test_every_step_passes_axe_with_errors_shown(porteur_connecte, axe_check):
    page, candidature = porteur_connecte
    erreurs = {
        "diagnostic": ("#id_indicateurs-0-annee", "1800"),
        "actions": ("#id_fiches-0-age_max", "30"),
        "pilotage": ("#id_chef_de_projet_email", "pas-une-adresse"),
        "budget": ("#id_budget-0-montant", "1,234"),
    }
    for slug in ("territoire", "ecoles", "diagnostic", "actions", "pilotage", "budget", "communication", "pieces"):
        page.goto(etape(candidature, slug))
        if slug in erreurs:
            champ, valeur = erreurs[slug]
            page.locator(champ).fill(valeur)
            page.get_by_role("button", name="Enregistrer", exact=True).click()
            expect(page.locator("#erreurs")).to_be_visible()
        axe_check(page, f"étape {slug}")
    page.goto(etape(candidature, "recapitulatif"))
    expect(page.locator("#saisies-invalides")).to_be_visible()
    axe_check(page, "récapitulatif")


def _attendre(condition, essais=50):
    import time

    for _ in range(essais):
        if condition():
            return
        time.sleep(0.1)
    assert condition()
