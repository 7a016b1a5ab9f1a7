"""Filing a candidature in a real browser: sign up, confirm, get validated by an agent of the
région, fill every step (one with the keyboard alone), attach a PDF, file, receive the
acknowledgement and download the receipt. Under the open call, the troïka confirms first: the
porteur names its three representatives, each opens the link received by e-mail with no account
and confirms. axe-core checks every page on the way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidatures.models import Candidature, Etat
from tests.browser import mesure
from tests.candidatures import helpers

EMAIL = "camille.martin@mairie-toulouse.fr"
TROIKA = {
    "troika_prefecture": ("Pia Préfète", "sous-préfète à la ville", "pia.prefete@haute-garonne.gouv.fr"),
    "troika_education": ("Damien Dasen", "DASEN", "damien.dasen@ac-toulouse.fr"),
    "troika_collectivite": ("Maud Maire", "adjointe à l'éducation", "maud.maire@mairie-toulouse.fr"),
}
INSTITUTIONS = {
    "troika_prefecture": "la préfecture",
    "troika_education": "l’Éducation nationale",
    "troika_collectivite": "la collectivité",
}


@pytest.fixture
def depot_page(page, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    helpers.ensure_groupes_et_appels()
    mail.outbox.clear()
    return page


def lien(courriel, chemin: str) -> str:
    url = re.search(rf"https?://\S+({chemin}\S*)", courriel.body)
    assert url, courriel.body
    return url.group(1)


def cocher(case):
    """DSFR draws its own checkbox over the input: click where the porteur clicks, the label."""
    case.page.locator(f"label[for='{case.get_attribute('id')}']").click()
    expect(case).to_be_checked()


def continuer(page):
    page.get_by_role("button", name="Enregistrer et continuer").click()


def test_a_porteur_files_a_complete_candidature(depot_page, axe_check, tmp_path):
    page = depot_page
    agent = helpers.agent(email="drajes@occitanie.gouv.fr", region="76")

    # 1. Sign up for Toulouse.
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").first.click()
    expect(page.locator("h1")).to_have_text("Créer un compte porteur")
    axe_check(page, "inscription")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_prenom").fill("Camille")
    page.locator("#id_nom").fill("Martin")
    page.locator("#id_fonction").fill("Cheffe de projet cité éducative")
    page.locator("#id_commune").fill("31555")
    page.locator("#id_password1").fill(helpers.MOT_DE_PASSE)
    page.locator("#id_password2").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#inscription-envoyee")).to_contain_text(f"Un courriel vient d’être envoyé à {EMAIL}")
    axe_check(page, "inscription envoyée")

    # 2. Confirm the address with the link received.
    [confirmation] = [m for m in mail.outbox if EMAIL in m.to]
    page.goto(lien(confirmation, "/comptes/confirmation/"))
    expect(page.locator(".fr-alert--success")).to_contain_text("Votre adresse est confirmée")
    expect(page.locator(".fr-alert--success")).to_contain_text("Un agent de votre région doit maintenant valider")

    # 3. The regional agent validates the account in the admin.
    page.goto("/comptes/connexion/")
    axe_check(page, "connexion")
    page.locator("#id_username").fill(agent.email)
    page.locator("#id_password").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/admin/candidatures/profilporteur/?statut__exact=en_attente")
    ligne = page.locator("#result_list tbody tr", has_text=EMAIL)
    ligne.locator("input[type=checkbox]").check()  # the admin's own checkboxes
    page.locator("select[name=action]").select_option("valider")
    page.locator("button[name=index], input[name=index]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("1 compte(s) validé(s)")
    page.goto("/")
    page.get_by_role("button", name="Se déconnecter").click()

    # 4. The porteur logs in and opens a candidature.
    page.get_by_role("link", name="Se connecter").first.click()
    page.locator("#id_username").fill(EMAIL.upper())
    page.locator("#id_password").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Mes candidatures")
    axe_check(page, "tableau de bord")
    page.context.add_init_script(mesure.INIT_SCRIPT)
    mesure.demarrer(page)
    page.get_by_role("button", name="Nouvelle candidature").click()

    # Step 1: territory, with the QPVs of Toulouse proposed.
    expect(page.locator(".fr-stepper__title")).to_contain_text("Territoire")
    axe_check(page, "étape territoire")
    page.locator("#id_titre").fill("Cité éducative du Grand Mirail")
    expect(page.get_by_label("Toulouse (31555)")).to_be_checked()
    cocher(page.get_by_label("Grand Mirail (QN03107M) — Toulouse"))
    continuer(page)

    # Step 2: REP+ schools of Toulouse from the annuaire, and the collège chef de file.
    expect(page.locator(".fr-stepper__title")).to_contain_text("Écoles")
    axe_check(page, "étape écoles")
    ecoles = page.locator("input[name=etablissements]")
    assert ecoles.count() == 69  # the REP and REP+ écoles and collèges of Toulouse
    rep_plus = page.locator(".fr-checkbox-group", has_text=re.compile(r"^\s*[EÉ]cole.* — REP\+ — "))
    cocher(rep_plus.nth(0).locator("input"))
    cocher(rep_plus.nth(1).locator("input"))
    chef = page.locator("#id_college_chef_de_file")
    valeur = chef.locator("option", has_text="REP+").first.get_attribute("value")
    chef.select_option(valeur)
    continuer(page)

    # Step 3: diagnosis and indicators (rows added in place, no save needed).
    expect(page.locator(".fr-stepper__title")).to_contain_text("Diagnostic")
    axe_check(page, "étape diagnostic")
    page.locator("#id_diagnostic").fill("Retard scolaire marqué, décrochage précoce au collège.")
    indicateurs = [
        ("scolaire", "Élèves en retard à l'entrée en 6e", "18 %", "2024", "DEPP"),
        ("social", "Familles monoparentales", "32 %", "2021", "INSEE"),
        ("economique", "Taux de pauvreté", "44 %", "2021", "INSEE"),
    ]
    for i, (categorie, libelle, valeur_ind, annee, source) in enumerate(indicateurs):
        assert page.locator(f"#id_indicateurs-{i}-categorie").count() == 1  # one row per category, offered
        page.locator(f"#id_indicateurs-{i}-categorie").select_option(categorie)
        page.locator(f"#id_indicateurs-{i}-libelle").fill(libelle)
        page.locator(f"#id_indicateurs-{i}-valeur").fill(valeur_ind)
        page.locator(f"#id_indicateurs-{i}-annee").fill(annee)
        page.locator(f"#id_indicateurs-{i}-source").fill(source)
    continuer(page)

    # Step 4: a fiche action over the three educational times.
    expect(page.locator(".fr-stepper__title")).to_contain_text("Fiches action")
    axe_check(page, "étape fiches action")
    page.locator("#id_fiches-0-titre").fill("Coup de pouce lecture, du petit déjeuner à l'étude du soir")
    page.locator("#id_fiches-0-objectif").select_option("continuite")
    for temps in ("avant la classe", "pendant la classe", "après la classe"):
        cocher(page.locator("#checkboxes-id_fiches-0-temps").get_by_label(temps))
    page.locator("#id_fiches-0-age_min").fill("6")
    page.locator("#id_fiches-0-age_max").fill("11")
    cocher(page.locator("#radio-id_fiches-0-existante").get_by_label("existe déjà sur le territoire"))
    cocher(page.locator("#checkboxes-id_fiches-0-familles_partenaires").get_by_label("Lieux culturels", exact=False))
    page.locator("#id_fiches-0-budget").fill("25000")
    continuer(page)

    # Step 5: steering and resource actions, completed with the keyboard alone.
    expect(page.locator(".fr-stepper__title")).to_contain_text("Pilotage")
    axe_check(page, "étape pilotage")
    page.locator("#id_troika_prefecture").focus()
    for texte in [
        "Sous-préfète à la ville",
        "Principal du collège chef de file",
        "Adjointe au maire chargée de l'éducation",
        "Alex Durand",
        "alex.durand@mairie-toulouse.fr",
        "05 61 22 29 22",
        "Comité de pilotage chaque trimestre ; comité technique chaque mois.",
        "Programme de réussite éducative, CLAS.",
        "Un tiers-lieu éducatif ouvert le samedi.",
    ]:
        page.keyboard.type(texte)
        page.keyboard.press("Tab")
    # Tab leads past « Étape précédente » and « Enregistrer » to « Enregistrer et continuer ».
    for _ in range(5):
        if page.evaluate("document.activeElement.textContent.trim()") == "Enregistrer et continuer":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Enregistrer et continuer"
    page.keyboard.press("Enter")
    expect(page.locator(".fr-stepper__title")).to_contain_text("Budget")
    saisie = Candidature.objects.get()
    assert saisie.chef_de_projet_email == "alex.durand@mairie-toulouse.fr"
    assert saisie.actions_complementaires == "Un tiers-lieu éducatif ouvert le samedi."

    # Step 6: budget, totals computed.
    axe_check(page, "étape budget")
    for i, (cofinanceur, montant) in enumerate([("État", "150 000"), ("Ville de Toulouse", "50000")]):
        assert page.locator(f"#id_budget-{i}-annee").count() == 1  # two rows offered on a new budget
        page.locator(f"#id_budget-{i}-annee").fill("2026")
        page.locator(f"#id_budget-{i}-cofinanceur").fill(cofinanceur)
        page.locator(f"#id_budget-{i}-montant").fill(montant)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#totaux-budget")).to_contain_text("200\u202f000\u202f€")
    axe_check(page, "étape budget (totaux)")
    continuer(page)

    # Step 7: the step saves itself as the porteur types (JavaScript autosave).
    expect(page.locator(".fr-stepper__title")).to_contain_text("Communication")
    axe_check(page, "étape communication")
    page.locator("#id_plan_communication").fill("Une lettre aux familles chaque trimestre.")
    page.locator("#id_demarche_evaluation").fill("Évaluation annuelle avec l'université Toulouse Jean-Jaurès.")
    expect(page.locator("#autosave-statut")).to_contain_text("Brouillon enregistré à", timeout=10_000)
    page.reload()
    expect(page.locator("#id_demarche_evaluation")).to_have_value(
        "Évaluation annuelle avec l'université Toulouse Jean-Jaurès."
    )
    continuer(page)

    # Step 8: the council deliberation, a real PDF.
    expect(page.locator(".fr-stepper__title")).to_contain_text("Pièces jointes")
    axe_check(page, "étape pièces")
    fichier = tmp_path / "deliberation-conseil-municipal.pdf"
    fichier.write_bytes(helpers.PDF)
    page.locator("#id_type").select_option("deliberation")
    page.locator("#id_fichier").set_input_files(str(fichier))
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("deliberation-conseil-municipal.pdf")
    axe_check(page, "étape pièces (ajoutée)")
    page.get_by_role("link", name="Continuer vers le récapitulatif").click()

    # Then the summary, criterion by criterion, and the deposit.
    expect(page.locator("h1")).to_have_text("Récapitulatif et dépôt")
    axe_check(page, "récapitulatif")
    expect(page.locator("#critere-1 + p")).to_contain_text("QPV QN03107M (Grand Mirail) sur la commune de Toulouse")
    expect(page.locator("#critere-2 + p")).to_contain_text("collège chef de file : Collège George Sand (0310086A)")
    expect(page.locator("#critere-10 + p")).to_contain_text("2 écoles REP+")  # an indicator since 2024
    expect(page.locator(".bilan")).not_to_contain_text("à compléter")

    # The open call asks the troïka to confirm first: the porteur names its three representatives.
    expect(page.locator("#troika-manquant")).to_contain_text("Troïka — préfecture : indiquez son représentant")
    page.get_by_role("link", name=re.compile("Troïka et co-éditeurs")).click()
    expect(page.locator("h1")).to_have_text("Troïka et co-éditeurs")
    axe_check(page, "troïka et co-éditeurs")
    for role, (nom, fonction, courriel) in TROIKA.items():
        bloc = page.locator(f"#personne-{role}")
        bloc.locator(f"#id_{role}-nom").fill(nom)
        bloc.locator(f"#id_{role}-fonction").fill(fonction)
        bloc.locator(f"#id_{role}-email").fill(courriel)
        bloc.get_by_role("button", name="Enregistrer").click()
        expect(page.locator(f"#personne-{role}")).to_contain_text(courriel)
    mail.outbox.clear()
    page.get_by_role("button", name="Demander la confirmation de la troïka").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Confirmation demandée par courriel à")
    axe_check(page, "troïka, confirmations demandées")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c for _, _, c in TROIKA.values())

    # Each representative opens their link in a browser of their own, with no account, and confirms.
    for role, (nom, _, courriel) in TROIKA.items():
        [demande] = [m for m in mail.outbox if m.to == [courriel]]
        representant = page.context.browser.new_context(base_url=page.url.split("/candidatures/")[0], locale="fr-FR")
        sienne = representant.new_page()
        sienne.goto(lien(demande, "/troika/confirmer/"))
        expect(sienne.locator("h1")).to_have_text("Confirmer la candidature")
        expect(sienne.locator("p.fr-text--lead")).to_contain_text(f"Bonjour {nom}")
        expect(sienne.locator("#resume-candidature")).to_contain_text("Cité éducative du Grand Mirail")
        expect(sienne.locator("#resume-candidature")).to_contain_text("Coup de pouce lecture")
        if role == "troika_prefecture":
            axe_check(sienne, "confirmation de la troïka")
        sienne.get_by_role("button", name=f"Je confirme au nom de {INSTITUTIONS[role]}").click()
        expect(sienne.locator(".fr-alert--success").first).to_contain_text("vous avez confirmé la candidature")
        if role == "troika_prefecture":
            axe_check(sienne, "confirmation de la troïka (confirmée)")
        representant.close()
    page.goto(page.url.split("/personnes/")[0] + "/etapes/recapitulatif/")
    expect(page.locator("#confirmations-troika .fr-badge--success")).to_have_count(3)
    expect(page.locator("#troika-manquant")).to_have_count(0)
    axe_check(page, "récapitulatif, troïka confirmée")

    mail.outbox.clear()
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"Candidature CE-"))
    candidature = Candidature.objects.get()
    assert candidature.etat == Etat.DEPOSEE
    expect(page.locator("h1")).to_have_text(f"Candidature {candidature.reference}")
    chiffres = mesure.lire(page)
    print(f"\nMESURE dépôt complet : {chiffres['champs']} champs, {chiffres['clics']} clics, {chiffres['pages']} pages")
    expect(page.locator(".fr-alert--success")).to_contain_text(candidature.reference)
    axe_check(page, "candidature déposée")

    # The acknowledgement e-mail, and the receipt.
    [accuse] = [m for m in mail.outbox if EMAIL in m.to]
    assert candidature.reference in accuse.subject
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le récépissé (PDF)").click()
    recu = telechargement.value
    assert recu.suggested_filename == f"recepisse-{candidature.reference}.pdf"
    with open(recu.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    page.get_by_role("link", name="Mes candidatures").first.click()
    expect(page.locator("table")).to_contain_text(candidature.reference)
    expect(page.locator("table")).to_contain_text("déposée")
    assert page.js_errors == []


def test_the_cpo_accepts_the_invitation_and_co_edits(depot_page, axe_check):
    """The porteur invited the CPO: with no account, they create one on the invitation page, land on
    the candidature, edit a step and see that the deposit is the porteurs'."""
    from candidatures import personnes

    page = depot_page
    porteur = helpers.porteur(email=EMAIL, commune="31555")
    candidature = helpers.candidature_complete(user=porteur, appel=helpers.appel_permanent())
    cpo = personnes.personne_save(
        candidature=candidature, user=porteur, role="cpo", nom="Carla Projet", email="carla.projet@mairie-toulouse.fr"
    )
    mail.outbox.clear()
    personnes.coedition_inviter(personne=cpo, user=porteur)
    [invitation] = mail.outbox

    page.goto(lien(invitation, "/troika/invitation/"))
    expect(page.locator("h1")).to_have_text("Invitation à co-éditer une candidature")
    axe_check(page, "invitation à co-éditer")
    page.locator("#id_prenom").fill("Carla")
    page.locator("#id_nom").fill("Projet")
    page.locator("#id_password1").fill(helpers.MOT_DE_PASSE)
    page.locator("#id_password2").fill("pas le même")
    page.get_by_role("button", name="Créer mon compte et accepter").click()
    expect(page.locator("#resume-erreurs")).to_contain_text("Les deux mots de passe ne sont pas identiques.")
    expect(page.locator("#id_prenom")).to_have_value("Carla")
    axe_check(page, "invitation à co-éditer (erreurs)")
    page.locator("#id_password1").fill(helpers.MOT_DE_PASSE)
    page.locator("#id_password2").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Créer mon compte et accepter").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("vous co-éditez cette candidature")
    expect(page.locator("main")).to_contain_text("son dépôt et son retrait sont réservés aux porteurs de Toulouse")
    axe_check(page, "candidature vue par le co-éditeur")

    page.goto(f"/candidatures/{candidature.pk}/etapes/communication/")
    page.locator("#id_plan_communication").fill("Une lettre du CPO chaque mois.")
    expect(page.locator("#autosave-statut")).to_contain_text("Brouillon enregistré à", timeout=10_000)
    page.goto(f"/candidatures/{candidature.pk}/etapes/recapitulatif/")
    expect(page.locator("#coedition")).to_contain_text(
        "Son dépôt et son retrait sont réservés aux porteurs de Toulouse"
    )
    expect(page.get_by_role("button", name="Déposer la candidature")).to_have_count(0)
    # The content changed: the troïka's confirmations are to renew.
    expect(page.locator("#confirmations-troika")).to_contain_text("à renouveler")
    page.get_by_role("link", name=re.compile("Troïka et co-éditeurs")).click()
    expect(page.locator("#personne-cpo")).to_contain_text("Co-éditeur depuis le")
    axe_check(page, "troïka et co-éditeurs (co-éditeur)")
    assert page.js_errors == []
