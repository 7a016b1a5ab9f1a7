"""The porteur's pages: steps that keep what was typed, attachments, deposit, follow-up, 404s."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidatures import services
from candidatures.models import BrouillonEtape, Candidature, Etat, PieceJointe
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_porteur(client, porteur):
    client.force_login(porteur)
    return client


def url_etape(candidature, etape):
    return reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": etape})


def test_every_step_renders(client_porteur, candidature):
    from candidatures.views import ETAPES

    for numero, etape in enumerate(ETAPES, start=1):
        response = client_porteur.get(url_etape(candidature, etape.slug))
        assert response.status_code == 200, etape.slug
        if etape.slug != "recapitulatif":  # the DSFR stepper counts the 8 steps of the form
            assert f"Étape {numero} sur 8" in response.content.decode(), etape.slug
    assert "Critère par critère" in response.content.decode()


def test_territory_step_proposes_the_qpvs_of_the_commune(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    page = client_porteur.get(url_etape(candidature, "territoire")).content.decode()
    assert "Grand Mirail (QN03107M) — Toulouse" in page
    assert "Toulouse (31555)" in page


def test_nothing_typed_is_lost_when_a_step_fails(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    saisie = {
        "troika_prefecture": "Sous-préfète à la ville",
        "troika_education": "Principal du collège Bellefontaine",
        "troika_collectivite": "Adjointe à l'éducation",
        "chef_de_projet_nom": "Alex Durand",
        "chef_de_projet_email": "pas-une-adresse",
        "chef_de_projet_telephone": "05 61 00 00 00",
        "gouvernance": "Comité de pilotage chaque trimestre",
        "action": "continuer",
    }
    response = client_porteur.post(url_etape(candidature, "pilotage"), saisie)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 champ à corriger" in page
    assert "Saisissez une adresse e-mail valide." in page
    for valeur in ("Principal du collège Bellefontaine", "pas-une-adresse", "Comité de pilotage chaque trimestre"):
        assert valeur in page
    # Leaving and coming back shows it again, as typed.
    page = client_porteur.get(url_etape(candidature, "pilotage")).content.decode()
    assert "Principal du collège Bellefontaine" in page
    assert "pas-une-adresse" in page
    assert "rien n’est perdu" in page
    # Once corrected, it is saved and the kept input is dropped.
    saisie["chef_de_projet_email"] = "alex.durand@mairie-toulouse.fr"
    response = client_porteur.post(url_etape(candidature, "pilotage"), saisie)
    assert response.status_code == 302
    assert response["Location"] == url_etape(candidature, "budget")
    candidature.refresh_from_db()
    assert candidature.chef_de_projet_email == "alex.durand@mairie-toulouse.fr"
    assert candidature.troika_education == "Principal du collège Bellefontaine"
    assert not BrouillonEtape.objects.filter(candidature=candidature).exists()


def test_a_failing_row_keeps_the_other_rows(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-0-annee": "2026",
        "budget-0-cofinanceur": "État",
        "budget-0-montant": "150000",
        "budget-1-annee": "2026",
        "budget-1-cofinanceur": "Commune de Toulouse",
        "budget-1-montant": "-5",
    }
    page = client_porteur.post(url_etape(candidature, "budget"), data).content.decode()
    assert "Commune de Toulouse" in page and "150000" in page
    assert "Le montant ne peut pas être négatif." in page
    # The valid row is stored at once; the other one is kept as typed, flagged.
    assert list(candidature.lignes_budget.values_list("cofinanceur", flat=True)) == ["État"]
    assert BrouillonEtape.objects.get(candidature=candidature, etape="budget").erreurs == [
        {
            "id": "id_budget-1-montant",
            "libelle": "Ligne de budget 2 : montant (€)",
            "message": "Le montant ne peut pas être négatif.",
        }
    ]
    data["budget-1-montant"] = "50000"
    client_porteur.post(url_etape(candidature, "budget"), data)
    page = client_porteur.get(url_etape(candidature, "budget")).content.decode()
    assert "Total</th><td><strong>200\u202f000\u202f€" in page
    assert list(candidature.lignes_budget.values_list("cofinanceur", flat=True)) == ["État", "Commune de Toulouse"]


def test_autosave_saves_the_step_and_answers_in_json(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    response = client_porteur.post(
        url_etape(candidature, "pilotage"),
        {"actions_ressources": "Programme de réussite éducative", "actions_complementaires": ""},
        HTTP_X_AUTOSAVE="1",
    )
    assert response.json()["enregistre"] is True
    assert re.fullmatch(r"Brouillon enregistré à \d\d:\d\d\.", response.json()["message"])
    candidature.refresh_from_db()
    assert candidature.actions_ressources == "Programme de réussite éducative"
    # Invalid input is kept, not lost.
    response = client_porteur.post(
        url_etape(candidature, "actions"),
        {
            "fiches-TOTAL_FORMS": "1",
            "fiches-INITIAL_FORMS": "0",
            "fiches-0-titre": "Aide aux devoirs",
            "fiches-0-age_min": "30",
        },
        HTTP_X_AUTOSAVE="1",
    )
    assert response.json()["enregistre"] is True  # what is valid is stored, the rest kept
    assert response.json()["message"].endswith(" — 1 champ à corriger : fiche action 1 : âge minimal (ans).")
    assert response.json()["erreurs"][0]["id"] == "id_fiches-0-age_min"
    assert not candidature.fiches_action.exists()
    assert BrouillonEtape.objects.get(candidature=candidature, etape="actions").donnees["fiches-0-titre"] == [
        "Aide aux devoirs"
    ]


def test_fiches_action_are_saved_with_their_times_ages_and_partners(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "fiches-TOTAL_FORMS": "1",
        "fiches-INITIAL_FORMS": "0",
        "fiches-0-titre": "Aide aux devoirs",
        "fiches-0-objectif": "continuite",
        "fiches-0-temps": ["avant", "apres"],
        "fiches-0-age_min": "6",
        "fiches-0-age_max": "11",
        "fiches-0-existante": "existante",
        "fiches-0-familles_partenaires": ["social", "maison"],
        "fiches-0-budget": "8000",
    }
    assert client_porteur.post(url_etape(candidature, "actions"), data).status_code == 302
    fiche = candidature.fiches_action.get()
    assert (fiche.temps_avant, fiche.temps_pendant, fiche.temps_apres) == (True, False, True)
    assert (fiche.age_min, fiche.age_max, fiche.existante) == (6, 11, True)
    assert set(fiche.familles_partenaires) == {"social", "maison"}
    page = client_porteur.get(url_etape(candidature, "actions")).content.decode()
    assert 'value="Aide aux devoirs"' in page
    assert "Fiche action 2" in page  # an empty one to add another


def test_ages_outside_0_25_are_refused(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    data = {
        "fiches-TOTAL_FORMS": "1",
        "fiches-INITIAL_FORMS": "0",
        "fiches-0-titre": "Mentorat",
        "fiches-0-age_max": "26",
    }
    page = client_porteur.post(url_etape(candidature, "actions"), data).content.decode()
    assert "inférieure ou égale à 25" in page
    assert not candidature.fiches_action.exists()


# --- Attachments ----------------------------------------------------------------------------


def ajouter(client, candidature, nom, contenu, type_piece="deliberation"):
    return client.post(
        url_etape(candidature, "pieces"), {"type": type_piece, "fichier": SimpleUploadedFile(nom, contenu)}
    )


def test_a_renamed_file_that_is_not_a_pdf_is_refused(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    response = ajouter(client_porteur, candidature, "deliberation.pdf", b"MZ\x90\x00 not a pdf at all")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le fichier « deliberation.pdf » ne s&#x27;ouvre pas comme un PDF" in page
    assert not PieceJointe.objects.exists()


def test_an_oversized_file_is_refused(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    gros = helpers.PDF + b"0" * (10 * 1024 * 1024)
    page = ajouter(client_porteur, candidature, "budget.pdf", gros).content.decode()
    assert "pèse 10,5 Mo : la taille maximale est de 10 Mo" in page
    assert not PieceJointe.objects.exists()


@pytest.mark.parametrize(
    ("nom", "contenu", "format_attendu", "nom_final"),
    [
        ("deliberation.pdf", helpers.PDF, "pdf", "deliberation.pdf"),
        ("budget.xlsx", helpers.XLSX, "xlsx", "budget.xlsx"),
        ("budget.ods", helpers.ODS, "ods", "budget.ods"),
        ("lettre.docx", helpers.DOCX, "docx", "lettre.docx"),
        ("lettre-sans-extension", helpers.DOCX, "docx", "lettre-sans-extension.docx"),
    ],
)
def test_accepted_formats_are_recognised_by_content(
    client_porteur, porteur, appel, nom, contenu, format_attendu, nom_final
):
    candidature = services.candidature_create(user=porteur, appel=appel)
    assert ajouter(client_porteur, candidature, nom, contenu).status_code == 302
    piece = PieceJointe.objects.get()
    assert (piece.format, piece.nom) == (format_attendu, nom_final)
    response = client_porteur.get(reverse("candidatures:piece", kwargs={"pk": candidature.pk, "piece_pk": piece.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == contenu
    assert f'filename="{nom_final}"' in response["Content-Disposition"]


def test_a_zip_that_is_not_an_office_document_is_refused(client_porteur, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    archive = helpers.zip_bytes({"photo.jpg": b"\xff\xd8\xff"})
    page = ajouter(client_porteur, candidature, "budget.xlsx", archive).content.decode()
    assert "ne s&#x27;ouvre pas comme un PDF" in page


def test_attachments_are_not_under_public_folders(candidature, settings):
    piece = candidature.pieces.get()
    chemin = piece.fichier.path
    assert chemin.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not chemin.startswith(str(settings.MEDIA_ROOT))
    assert not chemin.startswith(str(settings.STATIC_ROOT))


# --- Permissions ----------------------------------------------------------------------------


def test_a_porteur_of_another_collectivite_gets_404(
    client, candidature, autre_porteur, porteur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.candidature_submit(candidature=candidature, actor=porteur)
    piece = candidature.pieces.get()
    client.force_login(autre_porteur)
    urls = [
        reverse("candidatures:detail", kwargs={"pk": candidature.pk}),
        url_etape(candidature, "territoire"),
        url_etape(candidature, "recapitulatif"),
        reverse("candidatures:recepisse", kwargs={"pk": candidature.pk}),
        reverse("candidatures:piece", kwargs={"pk": candidature.pk, "piece_pk": piece.pk}),
        reverse("candidatures:retirer", kwargs={"pk": candidature.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("candidatures:deposer", kwargs={"pk": candidature.pk})).status_code == 404
    assert (
        client.post(
            reverse("candidatures:piece_supprimer", kwargs={"pk": candidature.pk, "piece_pk": piece.pk})
        ).status_code
        == 404
    )
    # The attachment of one candidature cannot be read through another one's address either.
    autre = services.candidature_create(user=autre_porteur, appel=candidature.appel)
    assert client.get(reverse("candidatures:piece", kwargs={"pk": autre.pk, "piece_pk": piece.pk})).status_code == 404


def test_a_porteur_waiting_for_validation_sees_why_and_cannot_file(client, db, appel):
    user = helpers.porteur(email="nouveau@toulouse.fr", commune="31555", valide=False)
    client.force_login(user)
    page = client.get(reverse("candidatures:tableau_de_bord")).content.decode()
    assert "Validation par un agent de votre région</strong> (Occitanie)" in page
    assert "Nouvelle candidature" not in page
    response = client.post(reverse("candidatures:nouvelle"), {"appel": appel.pk})
    assert not Candidature.objects.exists()
    assert response.status_code == 302


def test_anonymous_visitors_are_sent_to_log_in(client, candidature):
    response = client.get(reverse("candidatures:detail", kwargs={"pk": candidature.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("comptes:connexion"))


# --- Deposit and follow-up ------------------------------------------------------------------


def test_deposit_from_the_summary_then_dashboard_and_receipt(
    client_porteur, candidature, porteur, django_capture_on_commit_callbacks
):
    recap = client_porteur.get(url_etape(candidature, "recapitulatif")).content.decode()
    assert "QPV QN03106I (Pradettes) sur la commune de Toulouse" in recap
    assert "2 écoles REP+" in recap
    assert "Déposer la candidature" in recap
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_porteur.post(reverse("candidatures:deposer", kwargs={"pk": candidature.pk}), follow=True)
    candidature.refresh_from_db()
    page = response.content.decode()
    assert f"Votre candidature est déposée sous la référence {candidature.reference}" in page
    # The receipt is written by a task once the deposit is committed (the worker in production).
    assert "Le récépissé de dépôt est en préparation" in page
    assert len([m for m in mail.outbox if porteur.email in m.to]) == 1
    detail = client_porteur.get(reverse("candidatures:detail", kwargs={"pk": candidature.pk})).content.decode()
    assert "Télécharger le récépissé" in detail and "en préparation" not in detail
    # A second click changes nothing and says so.
    with django_capture_on_commit_callbacks(execute=True):
        page = client_porteur.post(
            reverse("candidatures:deposer", kwargs={"pk": candidature.pk}), follow=True
        ).content.decode()
    assert f"déjà déposée (référence {candidature.reference})" in page
    assert Candidature.objects.filter(reference__isnull=False).count() == 1
    recu = client_porteur.get(reverse("candidatures:recepisse", kwargs={"pk": candidature.pk}))
    assert recu["Content-Type"] == "application/pdf"
    assert b"".join(recu.streaming_content).startswith(b"%PDF-")
    tableau = client_porteur.get(reverse("candidatures:tableau_de_bord")).content.decode()
    assert candidature.reference in tableau and "déposée" in tableau


def test_the_porteur_sees_the_request_for_more_information(client_porteur, candidature, porteur, agent_occitanie):
    services.candidature_submit(candidature=candidature, actor=porteur)
    services.candidature_transition(candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent_occitanie)
    services.candidature_transition(
        candidature=candidature, to=Etat.COMPLEMENTS_DEMANDES, actor=agent_occitanie, message="Précisez le budget 2027."
    )
    page = client_porteur.get(reverse("candidatures:detail", kwargs={"pk": candidature.pk})).content.decode()
    assert "Des compléments sont demandés" in page
    assert "Précisez le budget 2027." in page
    assert "Compléter la candidature" in page
    assert client_porteur.get(url_etape(candidature, "budget")).status_code == 200
    recap = client_porteur.get(url_etape(candidature, "recapitulatif")).content.decode()
    assert "Déposer à nouveau" in recap
    client_porteur.post(reverse("candidatures:deposer", kwargs={"pk": candidature.pk}))
    candidature.refresh_from_db()
    assert candidature.etat == Etat.EN_INSTRUCTION


def test_withdrawal_from_the_detail_page(client_porteur, candidature):
    url = reverse("candidatures:retirer", kwargs={"pk": candidature.pk})
    assert "définitif" in client_porteur.get(url).content.decode()
    client_porteur.post(url, {"message": "Projet reporté à l'an prochain"})
    candidature.refresh_from_db()
    assert candidature.etat == Etat.RETIREE
    page = client_porteur.get(candidature.get_absolute_url()).content.decode()
    assert "Projet reporté à l&#x27;an prochain" in page
    assert "Retirer la candidature" not in page


def test_dashboard_queries_do_not_grow_with_candidatures(client_porteur, porteur, appel, django_assert_max_num_queries):
    for _ in range(30):
        services.candidature_create(user=porteur, appel=appel)
    with django_assert_max_num_queries(12):
        response = client_porteur.get(reverse("candidatures:tableau_de_bord"))
    # Each draft is named by its territory and its call, never by a database number.
    assert response.content.decode().count("Brouillon Toulouse — Appel à projets") == 30
    assert "brouillon n°" not in response.content.decode()
