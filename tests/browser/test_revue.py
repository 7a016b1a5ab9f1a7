"""A revue de projet in a real browser (issue 13): the référent fills it, the three troïka
institutions validate it, the région then the ANCT review it, and the public synthesis shows it;
axe-core on every screen."""

import pytest
from playwright.sync_api import expect

from cites.models import CiteEducative, PersonneCite
from revues.models import Question, Reponse
from tests.candidatures import helpers
from tests.revues.conftest import ensure_questionnaire, reponses_valides

pytestmark = pytest.mark.browser


def se_connecter(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_one_revue_end_to_end(page, axe_check, settings, tmp_path, django_user_model):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    helpers.ensure_groupes_et_appels()
    questionnaire = ensure_questionnaire()
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    comptes = {}
    for role, prenom in [
        ("referent", "Rémi"),
        ("troika_prefecture", "Pia"),
        ("troika_education", "Dan"),
        ("troika_collectivite", "Maud"),
    ]:
        email = f"{role}@exemple.fr"
        comptes[role] = django_user_model.objects.create_user(
            username=email, email=email, password=helpers.MOT_DE_PASSE, first_name=prenom, last_name="Cité"
        )
        PersonneCite.objects.create(cite=cite, role=role, nom=f"{prenom} Cité", email=email, user=comptes[role])
    regional = helpers.agent(email="drajes@occitanie.gouv.fr", region="76")
    national = helpers.agent(email="revues@anct.gouv.fr", region=None)

    # The référent starts and fills the revue.
    se_connecter(page, comptes["referent"])
    page.goto("/revues/")
    axe_check(page, "revues (référent)")
    page.get_by_role("button", name="Commencer la revue 2026 de Toulouse Grand Mirail").click()
    expect(page.locator("h1")).to_have_text("Revue de projet 2026 — Toulouse Grand Mirail")
    for cle, valeur in reponses_valides(questionnaire).items():
        champ = page.locator(f"#{cle}")
        if champ.evaluate("e => e.tagName") == "SELECT":
            champ.select_option(valeur)
        else:
            champ.fill(valeur)
    dotation = Question.objects.get(section__questionnaire=questionnaire, libelle="Dotation de l'État reçue")
    page.locator(f"#q{dotation.pk}").fill("douze mille")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(f"#q{dotation.pk}")).to_have_value("douze mille")
    expect(page.locator(f"#q{dotation.pk}-erreur")).to_contain_text("n'est pas un montant")
    axe_check(page, "revue (saisie, une erreur)")
    page.locator(f"#q{dotation.pk}").fill("425 000")
    page.get_by_role("button", name="Transmettre à la troïka").click()
    expect(page.locator("#etat-revue")).to_have_text("en validation par la troïka")

    # The three troïka institutions validate.
    for role in ("troika_prefecture", "troika_education", "troika_collectivite"):
        se_connecter(page, comptes[role])
        page.goto("/revues/")
        page.get_by_role("link", name="Toulouse Grand Mirail — revue 2026").click()
        if role == "troika_prefecture":
            axe_check(page, "revue (troïka)")
        page.get_by_role("button", name="Valider au nom de mon institution").click()
        expect(page.get_by_text("Validation enregistrée au nom de votre institution.")).to_be_visible()
    expect(page.locator("#etat-revue")).to_have_text("validée par la troïka")

    # The région, then the ANCT.
    se_connecter(page, regional)
    page.goto("/revues/")
    page.get_by_role("link", name="Toulouse Grand Mirail — revue 2026").click()
    axe_check(page, "revue (région)")
    page.get_by_role("button", name="Revue par la région : transmettre à l'ANCT").click()
    expect(page.locator("#etat-revue")).to_have_text("revue par la région")
    se_connecter(page, national)
    page.goto("/revues/")
    page.get_by_role("link", name="Toulouse Grand Mirail — revue 2026").click()
    page.get_by_role("button", name="Accepter la revue").click()
    expect(page.locator("#etat-revue")).to_have_text("acceptée")
    # Its financial section completed the cité's money of 2026, as the history says.
    expect(page.get_by_text("Financements 2026 de la cité complétés d'après la revue", exact=False)).to_be_visible()
    axe_check(page, "revue (acceptée)")
    # The national agent sees which question feeds which amount, in the admin.
    section = questionnaire.sections.get(titre="Gestion financière")
    page.goto(f"/admin/revues/section/{section.pk}/change/")
    expect(page.locator("select[name$='-financement'] >> nth=0")).to_have_value("dotation_etat")
    axe_check(page, "admin : section du questionnaire")
    page.goto(f"/admin/revues/questionnaire/{questionnaire.pk}/change/")
    axe_check(page, "admin : questionnaire")

    # The public synthesis now counts it.
    page.context.clear_cookies()
    page.goto("/revues/synthese/2026/")
    expect(page.get_by_text("1 revue de projet acceptée par l’ANCT")).to_be_visible()
    expect(page.get_by_text("total : 425\u202f000\u202f€", exact=False).first).to_be_visible()
    axe_check(page, "synthèse publique")


def test_what_the_referent_types_is_kept_without_clicking_save(page, axe_check, settings, tmp_path, django_user_model):
    """The revue autosaves like the candidature: typed, not saved by hand, the page reloaded, the
    answers are there (from the server, not the browser's copy); an ended session loses nothing."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    helpers.ensure_groupes_et_appels()
    questionnaire = ensure_questionnaire()
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    email = "referent@exemple.fr"
    referent = django_user_model.objects.create_user(
        username=email, email=email, password=helpers.MOT_DE_PASSE, first_name="Rémi", last_name="Cité"
    )
    PersonneCite.objects.create(cite=cite, role="referent", nom="Rémi Cité", email=email, user=referent)
    questions = {q.libelle: q for q in Question.objects.filter(section__questionnaire=questionnaire)}
    gouvernance = questions["Comment la gouvernance a-t-elle fonctionné ?"]
    reunie = questions["Le comité de pilotage (troïka) s'est-il réuni cette année ?"]
    dotation = questions["Dotation de l'État reçue"]
    communication = questions["Principaux supports de communication"]

    se_connecter(page, referent)
    page.goto("/revues/")
    page.get_by_role("button", name="Commencer la revue 2026 de Toulouse Grand Mirail").click()
    expect(page.locator("h1")).to_have_text("Revue de projet 2026 — Toulouse Grand Mirail")
    page.locator(f"#q{gouvernance.pk}").fill("Un comité chaque trimestre, avec les parents.")
    page.locator(f"#q{reunie.pk}").select_option("oui")
    page.locator(f"#q{dotation.pk}").fill("douze mille")
    expect(page.locator("#autosave-statut")).to_contain_text(
        "1 champ à corriger : dotation de l'État reçue", timeout=10_000
    )
    stockees = {r.question_id: r.valeur for r in Reponse.objects.filter(revue__cite=cite).exclude(valeur="")}
    assert stockees == {
        gouvernance.pk: "Un comité chaque trimestre, avec les parents.",
        reunie.pk: "oui",
        dotation.pk: "douze mille",
    }

    page.reload()
    expect(page.locator(f"#q{gouvernance.pk}")).to_have_value("Un comité chaque trimestre, avec les parents.")
    expect(page.locator(f"#q{reunie.pk}")).to_have_value("oui")
    expect(page.locator(f"#q{dotation.pk}")).to_have_value("douze mille")
    expect(page.locator(f"#q{dotation.pk}-erreur")).to_contain_text("n'est pas un montant")
    expect(page.locator("#autosave-restaure")).to_be_hidden()  # the server had it all
    axe_check(page, "revue après rechargement, une erreur")

    # The session ends while typing: said at once, nothing lost once logged in again elsewhere.
    helpers.sessions_terminer()
    page.locator(f"#q{communication.pk}").fill("Une lettre aux familles.")
    alerte = page.locator("#autosave-session")
    expect(alerte).to_be_visible()
    axe_check(page, "revue, session terminée")
    autre = page.context.new_page()
    se_connecter(autre, referent)
    expect(autre.locator("h1")).to_have_text("Mes candidatures")
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#autosave-statut")).to_contain_text("Brouillon enregistré")
    expect(alerte).to_be_hidden()
    assert Reponse.objects.get(revue__cite=cite, question=communication).valeur == "Une lettre aux familles."
    assert page.js_errors == []
    autre.close()
