"""Troïka as people (issue 13): the representatives of the three institutions confirm the
candidature before its deposit when the call requires it (the open call), by a signed link and
without an account; a confirmation is for the content confirmed; agents see them."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidatures import personnes, selectors, services
from candidatures.models import AppelAProjets, Candidature, Etat, PersonneCandidature
from candidatures.services import TransitionRefusee
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

RECAP = "candidatures:etape"


def texte(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def lisible(response) -> str:
    """The page's text as read: tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


def lien(courriel, chemin: str) -> str:
    trouve = re.search(rf"https?://\S+?({chemin}\S*)", courriel.body)
    assert trouve, courriel.body
    return trouve.group(1)


@pytest.fixture
def sans_troika(porteur, appel):
    """The complete Toulouse candidature under the open call, its troïka not yet named."""
    candidature = services.candidature_create(user=porteur, appel=appel)
    return helpers.remplir(candidature=candidature, user=porteur, troika=False)


def demander(candidature, porteur, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return personnes.troika_demander(candidature=candidature, user=porteur)


def test_the_open_call_requires_the_troika_and_the_historical_calls_do_not():
    helpers.ensure_groupes_et_appels()
    assert list(AppelAProjets.objects.filter(ouvert_toute_annee=True).values_list("annee", flat=True)) == [2026]
    regles = dict(AppelAProjets.objects.values_list("annee", "confirmation_troika_requise"))
    assert regles == {2019: False, 2021: False, 2022: False, 2024: False, 2025: False, 2026: True}


def test_the_deposit_waits_for_the_three_institutions_under_the_open_call(
    sans_troika, porteur, django_capture_on_commit_callbacks
):
    candidature = sans_troika
    with pytest.raises(TransitionRefusee) as refus:
        services.candidature_submit(candidature=candidature, actor=porteur)
    assert refus.value.problemes == [
        "Troïka — préfecture : indiquez son représentant, puis demandez-lui de confirmer la candidature.",
        "Troïka — éducation nationale : indiquez son représentant, puis demandez-lui de confirmer la candidature.",
        "Troïka — collectivité : indiquez son représentant, puis demandez-lui de confirmer la candidature.",
    ]
    helpers.troika_indiquer(candidature=candidature, user=porteur)
    assert selectors.candidature_bilan(candidature=candidature).problemes_troika == [
        "Troïka — préfecture : demandez à Pia Préfète de confirmer la candidature.",
        "Troïka — éducation nationale : demandez à Damien Dasen de confirmer la candidature.",
        "Troïka — collectivité : demandez à Maud Maire de confirmer la candidature.",
    ]
    # Two of three confirm: the deposit still waits for the collectivité.
    helpers.troika_confirmer(candidature=candidature, user=porteur, roles=("troika_prefecture", "troika_education"))
    aujourd_hui = timezone.localdate().strftime("%d/%m/%Y")
    with pytest.raises(TransitionRefusee) as refus:
        services.candidature_submit(candidature=candidature, actor=porteur)
    assert refus.value.problemes == [
        f"Troïka — collectivité : confirmation demandée à Maud Maire le {aujourd_hui}, pas encore reçue."
    ]
    assert Candidature.objects.get(pk=candidature.pk).etat == Etat.BROUILLON
    helpers.troika_confirmer(candidature=candidature, user=porteur, roles=("troika_collectivite",))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.candidature_submit(candidature=candidature, actor=porteur).etat == Etat.DEPOSEE


def test_a_historical_call_files_without_the_troika(porteur, django_capture_on_commit_callbacks):
    helpers.ensure_groupes_et_appels()
    now = timezone.now()
    AppelAProjets.objects.filter(annee=2022).update(
        date_ouverture=now - datetime.timedelta(days=1), date_cloture=now + datetime.timedelta(days=30)
    )
    appel_2022 = AppelAProjets.objects.get(annee=2022)
    candidature = services.candidature_create(user=porteur, appel=appel_2022)
    helpers.remplir(candidature=candidature, user=porteur, troika=False)
    assert selectors.candidature_bilan(candidature=candidature).problemes_troika == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.candidature_submit(candidature=candidature, actor=porteur).etat == Etat.DEPOSEE


def test_the_request_goes_to_each_representative_with_a_link_that_needs_no_account(
    sans_troika, porteur, client, django_capture_on_commit_callbacks
):
    helpers.troika_indiquer(candidature=sans_troika, user=porteur)
    demander(sans_troika, porteur, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "damien.dasen@ac-toulouse.fr",
        "maud.maire@mairie-toulouse.fr",
        "pia.prefete@haute-garonne.gouv.fr",
    ]
    [courriel] = [m for m in mail.outbox if m.to == ["pia.prefete@haute-garonne.gouv.fr"]]
    assert courriel.subject == "Cités éducatives : confirmez la candidature de Toulouse au nom de la préfecture"
    assert courriel.body.startswith("Bonjour Pia Préfète,")
    # Anonymous: the page summarises the candidature and offers the institution's button.
    page = client.get(lien(courriel, "/troika/confirmer/"))
    assert page.status_code == 200
    contenu = texte(page)
    assert "Toulouse" in contenu
    assert "Cité éducative du Grand Mirail" in contenu
    assert "Petits déjeuners à l'école" in contenu and "Classes à horaires aménagés musique" in contenu
    assert '<th scope="row">Total</th><td><strong>200 000 €</strong>' in contenu  # (narrow spaces, split)
    assert "Je confirme au nom de la préfecture" in contenu
    reponse = client.post(lien(courriel, "/troika/confirmer/"), follow=True)
    assert "Merci : vous avez confirmé la candidature au nom de la préfecture." in texte(reponse)
    prefecture = PersonneCandidature.objects.get(candidature=sans_troika, role="troika_prefecture")
    assert prefecture.confirme_le is not None
    # The porteur sees who confirmed and who is missing on the summary.
    client.force_login(porteur)
    recap = lisible(client.get(reverse(RECAP, kwargs={"pk": sans_troika.pk, "etape": "recapitulatif"})))
    assert "confirmée Préfecture — Pia Préfète, sous-préfète à la ville — confirmée le" in recap
    assert "confirmation demandée, en attente Éducation nationale — Damien Dasen, DASEN" in recap
    assert "Troïka — collectivité : confirmation demandée à Maud Maire le" in recap


def test_a_change_after_the_confirmation_makes_it_to_renew(
    candidature, porteur, client, django_capture_on_commit_callbacks
):
    # The `candidature` fixture is confirmed by the three institutions.
    assert selectors.candidature_bilan(candidature=candidature).problemes_troika == []
    # Saving a step unchanged (the autosave does) keeps the confirmations.
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="communication",
        champs={"plan_communication": "Lettre trimestrielle.", "demarche_evaluation": "Évaluation annuelle."},
    )
    assert selectors.candidature_bilan(candidature=candidature).problemes_troika == []
    # A real change: each confirmation is « à renouveler ».
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="communication",
        champs={"plan_communication": "Une lettre chaque mois.", "demarche_evaluation": "Évaluation annuelle."},
    )
    aujourd_hui = timezone.localdate().strftime("%d/%m/%Y")
    assert selectors.candidature_bilan(candidature=candidature).problemes_troika == [
        f"Troïka — préfecture : Pia Préfète a confirmé le {aujourd_hui}, mais la candidature a changé depuis : "
        "demandez-lui de confirmer à nouveau.",
        f"Troïka — éducation nationale : Damien Dasen a confirmé le {aujourd_hui}, mais la candidature a changé "
        "depuis : demandez-lui de confirmer à nouveau.",
        f"Troïka — collectivité : Maud Maire a confirmé le {aujourd_hui}, mais la candidature a changé depuis : "
        "demandez-lui de confirmer à nouveau.",
    ]
    client.force_login(porteur)
    page = texte(client.get(reverse("candidatures:personnes", kwargs={"pk": candidature.pk})))
    assert page.count("à renouveler : la candidature a changé depuis") == 3
    with pytest.raises(TransitionRefusee):
        services.candidature_submit(candidature=candidature, actor=porteur)
    # The porteur asks again from the page; the representative's page says what changed.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("candidatures:personnes", kwargs={"pk": candidature.pk}), {"action": "demander"})
    assert reponse.status_code == 302
    assert len(mail.outbox) == 3
    [courriel] = [m for m in mail.outbox if m.to == ["maud.maire@mairie-toulouse.fr"]]
    client.logout()
    page = texte(client.get(lien(courriel, "/troika/confirmer/")))
    assert "elle a changé depuis. Relisez-la et confirmez-la à nouveau." in page
    assert "Je confirme au nom de la collectivité" in page


def test_an_altered_an_expired_or_a_replaced_link_answers_a_french_4xx(
    sans_troika, porteur, client, settings, django_capture_on_commit_callbacks
):
    helpers.troika_indiquer(candidature=sans_troika, user=porteur)
    demander(sans_troika, porteur, django_capture_on_commit_callbacks)
    url = lien(mail.outbox[0], "/troika/confirmer/")
    altere = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    reponse = client.post(altere)
    assert reponse.status_code == 400
    assert "Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier." in texte(reponse)
    settings.CANDIDATURE_LIEN_MAX_AGE = -1
    reponse = client.get(url)
    assert reponse.status_code == 410
    assert "Ce lien a expiré. Demandez au porteur de la candidature de vous en envoyer un nouveau." in texte(reponse)
    settings.CANDIDATURE_LIEN_MAX_AGE = 30 * 24 * 3600
    assert client.get(url).status_code == 200
    # Asked again: the earlier link gives way to the new one.
    demander(sans_troika, porteur, django_capture_on_commit_callbacks)
    reponse = client.post(url)
    assert reponse.status_code == 410
    assert "Ce lien a été remplacé par un plus récent : utilisez le dernier courriel reçu." in texte(reponse)
    assert not PersonneCandidature.objects.filter(candidature=sans_troika, confirme_le__isnull=False).exists()


def test_the_porteur_names_people_with_french_errors_and_keeps_what_was_typed(sans_troika, porteur, client):
    client.force_login(porteur)
    url = reverse("candidatures:personnes", kwargs={"pk": sans_troika.pk})
    assert "Troïka et co-éditeurs" in texte(client.get(sans_troika.get_absolute_url()))
    reponse = client.post(
        url,
        {
            "action": "enregistrer:troika_education",
            "troika_education-nom": "Damien Dasen",
            "troika_education-fonction": "DASEN",
            "troika_education-email": "damien.dasen@ac-toulouse",
        },
    )
    assert reponse.status_code == 400
    page = texte(reponse)
    assert "La personne n’est pas enregistrée" in page
    assert "Saisissez une adresse électronique valide, par exemple prenom.nom@ville.fr." in page
    assert 'value="damien.dasen@ac-toulouse"' in page and 'value="Damien Dasen"' in page
    assert not sans_troika.personnes.exists()
    reponse = client.post(
        url,
        {
            "action": "enregistrer:troika_education",
            "troika_education-nom": "Damien Dasen",
            "troika_education-fonction": "DASEN",
            "troika_education-email": "Damien.Dasen@ac-toulouse.fr",
        },
    )
    assert reponse.status_code == 302
    assert list(sans_troika.personnes.values_list("role", "nom", "fonction", "email")) == [
        ("troika_education", "Damien Dasen", "DASEN", "damien.dasen@ac-toulouse.fr")
    ]


def test_agents_see_the_confirmations_on_the_instruction_screen(deposee, agent_occitanie, client):
    client.force_login(agent_occitanie)
    page = texte(client.get(reverse("admin:candidatures_candidature_change", args=[deposee.pk])))
    assert "Confirmation de la troïka" in page
    assert "L'appel demande la confirmation des trois institutions avant le dépôt." in page
    for nom in ("Pia Préfète", "Damien Dasen", "Maud Maire"):
        assert nom in page
    assert page.count("confirmée le ") == 3
