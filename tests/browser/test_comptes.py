"""Sign-up and log-in that guide: an error summary at the top that takes the focus and links to
each field, required fields marked, the EPCI fields only for an EPCI, « Adresse électronique »."""

from playwright.sync_api import expect


def test_sign_up_guides_with_an_error_summary_and_shows_epci_fields_only_for_an_epci(page, axe_check):
    page.goto("/comptes/inscription/")
    siren = page.locator("#id_siren")
    expect(siren).to_be_hidden()  # a commune is chosen by default
    expect(page.locator("label[for=id_commune]")).not_to_contain_text("Optionnel")
    page.locator("label[for=id_type_collectivite_1]").click()
    expect(siren).to_be_visible()
    expect(page.locator("#id_commune")).to_be_hidden()
    page.locator("label[for=id_type_collectivite_0]").click()
    page.locator("#id_email").fill("camille.martin@mairie-toulouse.fr")
    page.get_by_role("button", name="Créer mon compte").click()
    resume = page.locator("#resume-erreurs")
    expect(resume).to_be_focused()
    expect(resume).to_contain_text("Commune")
    expect(resume.get_by_role("link", name="Prénom")).to_have_attribute("href", "#id_prenom")
    expect(page.locator("#id_email")).to_have_value("camille.martin@mairie-toulouse.fr")
    axe_check(page, "inscription avec erreurs")
    resume.get_by_role("link", name="Prénom").click()
    expect(page).to_have_url(page.url.split("#")[0] + "#id_prenom")


def test_log_in_asks_for_an_e_mail_address_and_summarises_errors(page, axe_check):
    page.goto("/comptes/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_visible()
    page.get_by_label("Adresse électronique").fill("personne@mairie.fr")
    page.locator("#id_password").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#resume-erreurs")).to_be_focused()
    expect(page.locator("#resume-erreurs")).to_contain_text("Adresse électronique ou mot de passe incorrect.")
    axe_check(page, "connexion avec erreur")
