"""Instructing a candidature in a real browser, from the deposit to the label: the porteur files,
the regional agent takes charge and asks for more, the porteur answers and files again, the
agent assesses every criterion and gives the région's opinion, the ANCT agent labels it, and the
new cité shows on /cites/ and on the map. axe-core checks every agent screen on the way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidatures.models import Candidature, Etat
from cites.models import CiteEducative
from tests.candidatures import helpers
from tests.cites.conftest import communes_place

TITRE = "Cité éducative des Pradettes et de Lardenne"
NOM_CITE = "Pradettes et de Lardenne"  # the public name drops « Cité éducative des »


@pytest.fixture
def instruction_page(page, settings, tmp_path, reference_data_dir):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAP_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # no network: plain background
    helpers.ensure_groupes_et_appels()
    communes_place(reference_data_dir)
    mail.outbox.clear()
    return page


def se_connecter(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(helpers.MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def agent_se_connecter(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(helpers.MOT_DE_PASSE)
    page.locator("input[type=submit]").click()
    expect(page.locator("#instruction-accueil")).to_be_visible()


def test_from_the_deposit_to_the_label(instruction_page, axe_check, tmp_path):
    page = instruction_page
    porteur = helpers.porteur(email="camille.martin@mairie-toulouse.fr", commune="31555")
    regional = helpers.agent(email="drajes@occitanie.gouv.fr", region="76")
    national = helpers.agent(email="instruction@anct.gouv.fr", region=None)
    national.first_name, national.last_name = "Alix", "Anct"
    national.save()
    candidature = helpers.candidature_complete(user=porteur, appel=helpers.appel_permanent(), qpv="QN03106I")
    Candidature.objects.filter(pk=candidature.pk).update(titre=TITRE)
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the title changed: the troïka confirms it

    # 1. The porteur files it from the summary page.
    se_connecter(page, porteur)
    page.goto(f"/candidatures/{candidature.pk}/etapes/recapitulatif/")
    page.get_by_role("button", name="Déposer la candidature").click()
    candidature.refresh_from_db()
    assert candidature.etat == Etat.DEPOSEE
    expect(page.locator("h1")).to_have_text(f"Candidature {candidature.reference}")

    # 2. The regional agent finds it in their list, takes charge and asks for more.
    agent_se_connecter(page, regional)
    axe_check(page, "accueil de l'administration")
    page.get_by_role("link", name="À prendre en charge").click()
    expect(page.locator("#compteurs-etats")).to_contain_text("1 déposée")
    axe_check(page, "liste des candidatures")
    page.get_by_role("link", name=candidature.reference).click()
    expect(page.locator("h1")).to_have_text(f"Instruction de la candidature {candidature.reference}")
    expect(page.locator("#contenu")).to_contain_text("Pradettes (QN03106I)")
    axe_check(page, "instruction (déposée)")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator(".messagelist")).to_contain_text("Vous instruisez cette candidature")
    expect(page.locator("#instructeur-actuel")).to_contain_text("Dominique Agent")
    axe_check(page, "instruction (en instruction)")
    page.locator("#message-complements").fill("Joignez la lettre d'engagement du rectorat.")
    page.get_by_role("button", name="Demander des compléments").click()
    expect(page.locator(".messagelist")).to_contain_text("compléments demandés")
    assert any("lettre d'engagement du rectorat" in m.body for m in mail.outbox if porteur.email in m.to)

    # 3. The porteur reads the request, answers in the thread, attaches the letter and files again.
    se_connecter(page, porteur)
    page.goto(candidature.get_absolute_url())
    expect(page.locator(".fr-alert--warning")).to_contain_text("Joignez la lettre d'engagement du rectorat.")
    page.locator("#id_texte").fill("La lettre du rectorat est jointe.")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.locator("#messages ~ .fr-callout").last).to_contain_text("La lettre du rectorat est jointe.")
    lettre = tmp_path / "lettre-rectorat.docx"
    lettre.write_bytes(helpers.DOCX)
    page.goto(f"/candidatures/{candidature.pk}/etapes/pieces/")
    page.locator("#id_type").select_option("lettre")
    page.locator("#id_fichier").set_input_files(str(lettre))
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("lettre-rectorat.docx")
    page.get_by_role("link", name="Continuer vers le récapitulatif").click()
    page.get_by_role("button", name="Déposer à nouveau").click()
    candidature.refresh_from_db()
    assert candidature.etat == Etat.EN_INSTRUCTION

    # 4. The agent assesses every criterion, then gives the région's opinion.
    agent_se_connecter(page, regional)
    page.goto(f"/admin/candidatures/candidature/{candidature.pk}/change/")
    expect(page.locator("#messages")).to_contain_text("La lettre du rectorat est jointe.")
    expect(page.locator("#contenu")).to_contain_text("lettre-rectorat.docx")
    expect(page.locator("#avis-criteres-manquants")).to_contain_text("1, 2, 3, 4, 5, 6, 7, 8, 9")
    for critere in candidature.appel.criteres.all():
        page.locator(f"#appreciation_{critere.pk}_conforme").check()
    page.locator(f"#commentaire_{candidature.appel.criteres.get(numero=8).pk}").fill("Budget équilibré.")
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    expect(page.locator(".messagelist")).to_contain_text("11 critère(s) modifié(s)")
    axe_check(page, "instruction (critères évalués)")
    page.locator("#avis-favorable").check()
    page.locator("#motif-avis").fill("Projet solide, troïka engagée.")
    page.get_by_role("button", name="Émettre l'avis de la région").click()
    expect(page.locator(".messagelist")).to_contain_text("L'avis de la région est émis")
    expect(page.locator("#historique")).to_contain_text(
        "Critère 8 : non évalué → conforme. Commentaire : Budget équilibré."
    )

    # 5. The ANCT agent labels it, with the reasons, from the dashboard.
    agent_se_connecter(page, national)
    page.get_by_role("link", name="Tableau de bord de l'instruction").click()
    expect(page.locator("#stats-regions")).to_contain_text("Occitanie")
    axe_check(page, "tableau de bord")
    page.goto(f"/admin/candidatures/candidature/?q={candidature.reference}")
    page.get_by_role("link", name=candidature.reference).click()
    expect(page.locator("#action-decision")).to_contain_text("Avis de la région : favorable")
    axe_check(page, "instruction (avis émis)")
    page.locator("#decision-labellisee").check()
    # Toulouse is already in « Toulouse Grand Mirail »: its extension is proposed; the agent
    # creates a new cité instead.
    expect(page.locator("#notice-meme-commune")).to_contain_text("Toulouse fait déjà partie de la cité")
    page.locator("#cite-choix").select_option("nouvelle")
    page.locator("#motifs-decision").fill("Critères remplis ; avis favorable de la région.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".messagelist")).to_contain_text("La candidature est labellisée")
    candidature.refresh_from_db()
    assert candidature.etat == Etat.LABELLISEE
    axe_check(page, "instruction (labellisée)")

    # 6. The cité is public at once: in the list and on the map.
    cite = CiteEducative.objects.get(nom=NOM_CITE)
    page.context.clear_cookies()
    page.goto(f"/cites/?q={NOM_CITE}")
    expect(page.get_by_role("link", name=NOM_CITE)).to_be_visible()
    page.goto("/carte/?region=76")
    expect(page.locator(".carte-liste")).to_contain_text(NOM_CITE)
    page.goto(f"/carte/?q={NOM_CITE}")
    marqueur = page.locator(f'#carte img.leaflet-marker-icon[title="{cite.nom}"]')
    expect(marqueur).to_be_visible()
    marqueur.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(re.compile(NOM_CITE))
    assert page.js_errors == []
