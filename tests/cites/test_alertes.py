"""E-mail alerts « une nouvelle cité éducative dans mon département »: double opt-in, sending by
the task once per cité and subscriber, one-click unsubscribe (RFC 8058), nothing shown publicly."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.text import slugify

from cites.alertes import abonnements_expires_supprimer, alertes_nouvelles_cites_envoyer
from cites.models import Abonnement, CiteEducative, Commune

pytestmark = pytest.mark.django_db

ALERTES = reverse("cites:alertes")
ADRESSE = "Camille.Martin@Example.org"


def demander(client, email=ADRESSE, departement="82", capture=None):
    return client.post(ALERTES, {"email": email, "departement": departement, "site_web": ""})


def lien(message, chemin: str) -> str:
    return re.search(rf"https?://\S+({re.escape(chemin)}[^\s]+)", message.body).group(1)


def abonne(client, capture, departement="82") -> Abonnement:
    with capture(execute=True):
        demander(client, departement=departement)
    confirmation = lien(mail.outbox[-1], "/alertes/confirmer/")
    client.post(confirmation)
    return Abonnement.objects.get(email=ADRESSE.lower(), departement__code=departement)


def nouvelle_cite(nom: str, commune_code: str) -> CiteEducative:
    cite = CiteEducative.objects.create(nom=nom, slug=slugify(nom), annee_label=2026)
    cite.communes.add(Commune.objects.get(code=commune_code))
    return cite


def test_a_request_sends_a_confirmation_and_nothing_else_until_confirmed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = demander(client)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "un courriel de confirmation vient d’y être envoyé" in page
    assert ADRESSE.lower() not in page.lower()  # the address is never shown back
    abonnement = Abonnement.objects.get()
    assert abonnement.email == "camille.martin@example.org" and abonnement.confirme_le is None
    (message,) = mail.outbox
    assert message.to == ["camille.martin@example.org"]
    assert message.subject.startswith("Confirmez votre alerte")
    assert "Tarn-et-Garonne" in message.body
    # A link opened by a mail scanner confirms nothing: the page asks for a click.
    confirmation = lien(message, "/alertes/confirmer/")
    assert "Confirmer l’alerte" in client.get(confirmation).content.decode()
    abonnement.refresh_from_db()
    assert abonnement.confirme_le is None
    # Nothing is announced to an unconfirmed address.
    with django_capture_on_commit_callbacks(execute=True):
        nouvelle_cite("Cité de Montauban", "82121")
    assert len(mail.outbox) == 1

    client.post(confirmation)
    abonnement.refresh_from_db()
    assert abonnement.confirme_le is not None


def test_a_new_cite_in_the_departement_is_announced_once_with_one_click_unsubscribe(
    client, django_capture_on_commit_callbacks
):
    abonnement = abonne(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        nouvelle_cite("Cité de Montauban", "82121")
        nouvelle_cite("Cité de Rennes", "35238")  # another département: not for this subscriber

    (message,) = mail.outbox
    assert message.subject == "Une nouvelle cité éducative : Tarn-et-Garonne"
    assert "Cité de Montauban" in message.body and "/cites/cite-de-montauban/" in message.body
    assert "Rennes" not in message.body
    desinscription = lien(message, "/alertes/desinscription/")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://localhost:8000{desinscription}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Sent once: another run, or another save of the cité, announces nothing again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        CiteEducative.objects.get(slug="cite-de-montauban").save()
    assert alertes_nouvelles_cites_envoyer() == 0
    assert mail.outbox == []

    # One click from the mail client: a POST without any CSRF token deletes the address.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(desinscription, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Abonnement.objects.filter(pk=abonnement.pk).exists()


def test_cites_published_before_the_subscription_are_not_announced(client, django_capture_on_commit_callbacks):
    abonne(client, django_capture_on_commit_callbacks, departement="31")  # Toulouse has two cités already
    mail.outbox.clear()
    assert alertes_nouvelles_cites_envoyer() == 0
    assert mail.outbox == []


def test_asking_again_for_a_confirmed_alert_sends_nothing_and_says_the_same(client, django_capture_on_commit_callbacks):
    abonne(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = demander(client, email="camille.martin@example.org")
    assert response.status_code == 302
    assert mail.outbox == []
    assert Abonnement.objects.count() == 1


def test_a_bad_request_is_said_in_french_and_keeps_what_was_typed(client):
    response = client.post(ALERTES, {"email": "camille@", "departement": "999"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Adresse électronique invalide. Format attendu : nom@domaine.fr" in page
    assert "Département inconnu : choisissez-le dans la liste." in page
    assert 'value="camille@"' in page
    assert Abonnement.objects.count() == 0


def test_unconfirmed_requests_are_forgotten_after_seven_days(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demander(client)
    abonnement = Abonnement.objects.get()
    assert abonnements_expires_supprimer(now=abonnement.cree_le + datetime.timedelta(days=6)) == 0
    assert abonnements_expires_supprimer(now=abonnement.cree_le + datetime.timedelta(days=8)) == 1
    assert not Abonnement.objects.exists()


def test_unknown_link_answers_404_in_french(client):
    response = client.get(reverse("cites:alertes_confirmation", kwargs={"jeton": "inconnu"}))
    assert response.status_code == 404
    assert "Ce lien n’est plus valable" in response.content.decode()
