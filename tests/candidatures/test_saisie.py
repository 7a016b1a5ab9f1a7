"""Filing never loses a word (issue 9): valid fields kept beside invalid ones, the summary and
the deposit honest about what is invalid, amounts the French way, files really checked."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidatures import services
from candidatures.models import BrouillonEtape, Etat, PieceMessage
from candidatures.services import TransitionRefusee
from cites.models import Qpv
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

PILOTAGE = {
    "troika_prefecture": "Sous-préfet chargé de la politique de la ville",
    "troika_education": "Principal du collège chef de file",
    "troika_collectivite": "Adjointe à l'éducation",
    "chef_de_projet_nom": "Alex Durand",
    "chef_de_projet_email": "alex.durand@ville-montauban,fr",
    "gouvernance": "Comité de pilotage trimestriel.",
    "actions_ressources": "Programme de réussite éducative.",
    "actions_complementaires": "Tiers-lieu éducatif.",
}


def url_etape(candidature, etape):
    return reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": etape})


@pytest.fixture
def client_porteur(client, porteur):
    client.force_login(porteur)
    return client


def test_an_invalid_field_keeps_its_valid_neighbours_and_blocks_the_deposit(client_porteur, candidature, porteur):
    # The préfecture contact changed and the chef de projet's e-mail is mistyped (issue 9, loss 1).
    response = client_porteur.post(url_etape(candidature, "pilotage"), PILOTAGE, HTTP_X_AUTOSAVE="1")
    assert response.json()["message"].endswith(" — 1 champ à corriger : adresse électronique du chef de projet.")
    candidature.refresh_from_db()
    assert candidature.troika_prefecture == "Sous-préfet chargé de la politique de la ville"
    assert candidature.chef_de_projet_email == "alex.durand@mairie.fr"  # the old one, not yet replaced
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the troïka confirms the new contact
    # The summary says what is invalid, step by step, with a link to the field.
    page = client_porteur.get(url_etape(candidature, "recapitulatif")).content.decode()
    assert "Champs à corriger avant le dépôt" in page
    assert f'href="{url_etape(candidature, "pilotage")}#id_chef_de_projet_email"' in page
    # The deposit is refused, and says where.
    with pytest.raises(TransitionRefusee) as refus:
        services.candidature_submit(candidature=candidature, actor=porteur)
    assert refus.value.problemes == [
        "Étape « Pilotage et actions ressources » : 1 champ à corriger (Adresse électronique du chef de projet)."
    ]
    candidature.refresh_from_db()
    assert candidature.etat == Etat.BROUILLON
    # Corrected, it is stored and the deposit goes through.
    client_porteur.post(
        url_etape(candidature, "pilotage"), {**PILOTAGE, "chef_de_projet_email": "alex@ville-montauban.fr"}
    )
    assert not BrouillonEtape.objects.filter(candidature=candidature).exists()
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the e-mail changed: confirmed again
    assert services.candidature_submit(candidature=candidature, actor=porteur).etat == Etat.DEPOSEE


def test_a_request_for_more_information_cannot_be_answered_with_an_invalid_field(client_porteur, deposee, porteur):
    helpers.placer(deposee, Etat.COMPLEMENTS_DEMANDES)
    client_porteur.post(url_etape(deposee, "pilotage"), PILOTAGE)
    with pytest.raises(TransitionRefusee, match="n'est pas possible"):
        services.candidature_submit(candidature=deposee, actor=porteur)


@pytest.mark.parametrize("saisie", ["150 000,50", "150000,50", "150000.50", "150\u202f000,50 €"])
def test_amounts_are_read_the_french_way(client_porteur, porteur, appel, saisie):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-0-annee": "2026",
        "budget-0-cofinanceur": "État",
        "budget-0-montant": saisie,
    }
    client_porteur.post(url_etape(candidature, "budget"), data)
    assert str(candidature.lignes_budget.get().montant) == "150000.50"
    page = client_porteur.get(url_etape(candidature, "budget")).content.decode()
    assert "Total</th><td><strong>150\u202f000,50\u202f€" in page


def test_an_ambiguous_amount_is_refused_and_kept_as_typed(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-0-annee": "2026",
        "budget-0-cofinanceur": "État",
        "budget-0-montant": "150.000",
    }
    page = client_porteur.post(url_etape(candidature, "budget"), data).content.decode()
    assert "« 150.000 » est ambigu" in page
    assert 'value="150.000"' in page
    assert not candidature.lignes_budget.exists()


def test_a_line_above_a_plausible_amount_is_flagged(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="budget",
        lignes=[{"annee": 2026, "cofinanceur": "État", "objet": "", "montant": 15000050}],
    )
    page = client_porteur.get(url_etape(candidature, "budget")).content.decode()
    assert "15\u202f000\u202f050\u202f€ sur une seule ligne paraît élevé" in page


def test_eligibility_is_checked_on_the_territory_step_with_the_words_of_the_summary(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    page = client_porteur.get(url_etape(candidature, "territoire")).content.decode()
    attendu = "Vérification automatique : aucun QPV choisi sur la commune de Toulouse"
    assert attendu in page
    assert attendu in client_porteur.get(url_etape(candidature, "recapitulatif")).content.decode()
    reponse = client_porteur.post(
        url_etape(candidature, "territoire"),
        {
            "titre": "Grand Mirail",
            "communes": [candidature.communes.get().pk],
            "qpvs": [Qpv.objects.get(code="QN03107M").pk],
        },
        HTTP_X_AUTOSAVE="1",
    )
    assert "QPV QN03107M (Grand Mirail) sur la commune de Toulouse" in reponse.json()["fragments"]["eligibilite"]
    page = client_porteur.get(url_etape(candidature, "ecoles")).content.decode()
    assert "Critère 2" in page and "aucune école ni aucun collège REP ou REP+ choisi" in page


def test_without_a_college_in_the_reference_data_the_porteur_is_told_and_types_the_uai(client, db, appel):
    porteur = helpers.porteur(email="porteur@champigny.fr", commune="94017")
    candidature = services.candidature_create(user=porteur, appel=appel)
    client.force_login(porteur)
    page = client.get(url_etape(candidature, "ecoles")).content.decode()
    assert "L'annuaire de l'éducation ne propose aucun collège pour les communes choisies" in page
    assert 'name="college_chef_de_file"' not in page
    client.post(url_etape(candidature, "ecoles"), {"college_chef_de_file_autre": "Collège Elsa Triolet (0940123A)"})
    candidature.refresh_from_db()
    assert candidature.college_chef_de_file_autre == "Collège Elsa Triolet (0940123A)"


def test_without_javascript_a_button_adds_a_row(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "indicateurs-TOTAL_FORMS": "1",
        "indicateurs-INITIAL_FORMS": "0",
        "indicateurs-0-categorie": "scolaire",
        "indicateurs-0-libelle": "Retard à l'entrée en 6e",
        "indicateurs-0-valeur": "18 %",
        "action": "ajouter-ligne",
    }
    response = client_porteur.post(url_etape(candidature, "diagnostic"), data, follow=True)
    page = response.content.decode()
    assert candidature.indicateurs.count() == 1  # saved on the way
    assert 'name="indicateurs-TOTAL_FORMS" value="2"' in page  # the stored row and an empty one
    assert "Indicateur 2" in page
    # Clicked again with the empty row left empty: one more empty row.
    data.update({"indicateurs-TOTAL_FORMS": "2", "indicateurs-INITIAL_FORMS": "1"})
    page = client_porteur.post(url_etape(candidature, "diagnostic"), data, follow=True).content.decode()
    assert 'name="indicateurs-TOTAL_FORMS" value="3"' in page
    assert candidature.indicateurs.count() == 1


def test_schools_missing_from_the_annuaire_are_rows_with_a_checked_uai(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "hors-TOTAL_FORMS": "2",
        "hors-INITIAL_FORMS": "0",
        "hors-0-nom": "École Jules Ferry",
        "hors-0-uai": "0310001b",
        "hors-0-education_prioritaire": "REP+",
        "hors-1-nom": "Collège Elsa Triolet",
        "hors-1-uai": "94012",
    }
    page = client_porteur.post(url_etape(candidature, "ecoles"), data).content.decode()
    assert "« 94012 » n&#x27;est pas un UAI" in page
    candidature.refresh_from_db()
    assert candidature.etablissements_hors_referentiel == "École Jules Ferry (0310001B), REP+"
    data["hors-1-uai"] = "0940123A"
    client_porteur.post(url_etape(candidature, "ecoles"), data)
    candidature.refresh_from_db()
    assert candidature.etablissements_hors_referentiel.splitlines() == [
        "École Jules Ferry (0310001B), REP+",
        "Collège Elsa Triolet (0940123A), hors EP",
    ]
    page = client_porteur.get(url_etape(candidature, "ecoles")).content.decode()
    assert 'value="0940123A"' in page and "Établissement 3" in page  # an empty row to add another


# --- Files ----------------------------------------------------------------------------------


def test_an_executable_behind_a_pdf_header_is_refused(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    elf = b"%PDF-1.4\n" + b"\x7fELF\x02\x01\x01" + b"\x00" * 4096
    page = client_porteur.post(
        url_etape(candidature, "pieces"), {"type": "deliberation", "fichier": SimpleUploadedFile("d.pdf", elf)}
    ).content.decode()
    assert "ne s&#x27;ouvre pas comme un PDF" in page
    assert not candidature.pieces.exists()


def test_the_same_file_twice_is_refused_with_a_word(client_porteur, candidature):
    page = client_porteur.post(
        url_etape(candidature, "pieces"),
        {"type": "autre", "fichier": SimpleUploadedFile("copie.pdf", helpers.PDF)},
    ).content.decode()
    assert "Ce fichier est déjà joint à la candidature, sous le nom « deliberation.pdf »" in page
    assert candidature.pieces.count() == 1


def test_a_message_carries_an_attachment_seen_by_the_agents_only_through_permissions(
    client, deposee, porteur, autre_porteur, agent_occitanie, django_capture_on_commit_callbacks
):
    helpers.placer(deposee, Etat.COMPLEMENTS_DEMANDES)
    client.force_login(porteur)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("candidatures:message", kwargs={"pk": deposee.pk}),
            {
                "texte": "Voici la lettre demandée.",
                "fichier": SimpleUploadedFile("lettre.pdf", helpers.pdf_bytes("Lettre")),
            },
        )
    piece = PieceMessage.objects.get()
    url = reverse("candidatures:message_piece", kwargs={"pk": deposee.pk, "piece_pk": piece.pk})
    assert url in client.get(deposee.get_absolute_url()).content.decode()
    client.force_login(agent_occitanie)
    reponse = client.get(url)
    assert reponse.status_code == 200 and b"".join(reponse.streaming_content).startswith(b"%PDF-")
    client.force_login(autre_porteur)
    assert client.get(url).status_code == 404
    # The same checks as the candidature's attachments.
    client.force_login(porteur)
    client.post(
        reverse("candidatures:message", kwargs={"pk": deposee.pk}),
        {"texte": "Et ceci", "fichier": SimpleUploadedFile("x.pdf", b"%PDF-1.4 pas un pdf")},
        follow=True,
    )
    assert PieceMessage.objects.count() == 1


def test_production_requires_a_public_https_site_url(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "cites.example.gouv.fr")
    monkeypatch.delenv("DEBUG", raising=False)
    # Contacts and host of the site pages, also required in production (issue 14).
    monkeypatch.setenv("CONTACT_ACCESSIBILITE_EMAIL", "accessibilite@anct.gouv.fr")
    monkeypatch.setenv("CONTACT_DONNEES_EMAIL", "dpd@anct.gouv.fr")
    monkeypatch.setenv("HEBERGEUR", "Hébergeur, 1 rue de l'Exemple, 75000 Paris")
    monkeypatch.setenv("SITE_URL", "http://localhost:8000")
    dev = sys.modules.pop("portal.settings")
    sys.modules.pop("portal.settings_production", None)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        importlib.import_module("portal.settings_production")
    monkeypatch.setenv("SITE_URL", "https://cites.example.gouv.fr")
    sys.modules.pop("portal.settings_production", None)
    sys.modules.pop("portal.settings", None)
    assert importlib.import_module("portal.settings_production").SITE_URL == "https://cites.example.gouv.fr"
    sys.modules.pop("portal.settings_production", None)
    sys.modules["portal.settings"] = dev


def test_a_withdrawal_message_is_labelled_once():
    from candidatures.forms import MessageForm

    rendu = str(MessageForm())
    assert "(facultatif) (Optionnel)" not in rendu and "Message" in rendu


def test_the_latest_budget_year_is_counted_from_today_not_from_when_the_server_started(monkeypatch):
    from candidatures import forms

    monkeypatch.setattr(forms.timezone, "localdate", lambda: datetime.date(2040, 1, 15))
    accepte = forms.LigneBudgetForm(data={"annee": "2045", "cofinanceur": "État", "montant": "1000"})
    assert accepte.is_valid(), accepte.errors
    assert 'max="2045"' in str(accepte["annee"])
    refuse = forms.LigneBudgetForm(data={"annee": "2046", "cofinanceur": "État", "montant": "1000"})
    assert not refuse.is_valid()
    assert refuse.errors["annee"] == ["Assurez-vous que cette valeur est inférieure ou égale à 2045."]
