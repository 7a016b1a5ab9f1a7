"""Erasure request: a national agent anonymises a porteur's account; the candidatures and their
history stay, the author named « compte supprimé »; the account can no longer log in and its row
holds no personal data. Deleting the account stays refused."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from candidatures import services
from candidatures.models import Candidature, EvenementCandidature, ProfilPorteur
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def porteur_avec_telephone(porteur):
    ProfilPorteur.objects.filter(user=porteur).update(fonction="Cheffe de projet", telephone="06 12 34 56 78")
    return porteur


def _anonymiser(client, porteur, django_capture_on_commit_callbacks):
    profil = porteur.profil_porteur
    url = reverse("admin:candidatures_profilporteur_anonymiser", args=[profil.pk])
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "Cette opération ne peut pas être annulée." in confirmation.content.decode()
    assert "porteur@toulouse.fr" in confirmation.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "1 compte(s) anonymisé(s)" in response.content.decode()
    return profil


def test_a_national_agent_anonymises_a_porteur_and_the_history_stays(
    deposee, porteur_avec_telephone, agent_national, agent_occitanie, connecter, django_capture_on_commit_callbacks
):
    porteur = porteur_avec_telephone
    client = connecter(agent_national)
    mail.outbox.clear()
    profil = _anonymiser(client, porteur, django_capture_on_commit_callbacks)

    # The last e-mail goes to the old address, then it is forgotten.
    assert [m.to for m in mail.outbox] == [["porteur@toulouse.fr"]]
    assert "votre compte est supprimé" in mail.outbox[0].subject

    # No personal data left in the rows.
    ligne = get_user_model().objects.filter(pk=porteur.pk).values().get()
    assert ligne["is_active"] is False
    assert ligne["first_name"] == "" and ligne["last_name"] == ""
    assert ligne["email"].endswith("@compte-supprime.invalid") and ligne["username"] == ligne["email"]
    assert ligne["password"].startswith("!")  # unusable
    texte = " ".join(str(v) for v in ligne.values()).lower()
    for donnee in ("camille", "martin", "porteur@toulouse.fr", "toulouse.fr"):
        assert donnee not in texte
    profil_ligne = ProfilPorteur.objects.filter(pk=profil.pk).values().get()
    assert profil_ligne["telephone"] == "" and profil_ligne["fonction"] == ""
    assert profil_ligne["anonymise_le"] is not None and profil_ligne["anonymise_par_id"] == agent_national.pk

    # Two anonymised accounts never share an address.
    autre = helpers.porteur(email="autre@toulouse.fr", commune="31555")
    services.porteur_anonymise(profil=autre.profil_porteur, agent=agent_national)
    autre.refresh_from_db()
    assert autre.email != ligne["email"]

    # The candidature and its history stay, the author named « compte supprimé ».
    assert Candidature.objects.filter(pk=deposee.pk, cree_par=porteur).exists()
    assert EvenementCandidature.objects.filter(candidature=deposee, auteur=porteur).count() == 2
    page = connecter(agent_occitanie).get(reverse("admin:candidatures_candidature_change", args=[deposee.pk]))
    assert page.status_code == 200
    historique = page.content.decode().split('id="historique"')[1]
    assert historique.count("compte supprimé") == 2
    assert "Camille Martin" not in page.content.decode()

    # The list of accounts says so too.
    liste = client.get(reverse("admin:candidatures_profilporteur_changelist")).content.decode()
    assert "compte supprimé" in liste and "porteur@toulouse.fr" not in liste


def test_an_anonymised_porteur_can_no_longer_log_in(porteur, agent_national, client):
    assert client.login(username="porteur@toulouse.fr", password=helpers.MOT_DE_PASSE)
    client.logout()
    services.porteur_anonymise(profil=porteur.profil_porteur, agent=agent_national)
    assert not client.login(username="porteur@toulouse.fr", password=helpers.MOT_DE_PASSE)
    porteur.refresh_from_db()
    assert not client.login(username=porteur.email, password=helpers.MOT_DE_PASSE)
    response = client.post(
        reverse("comptes:connexion"), {"username": "porteur@toulouse.fr", "password": helpers.MOT_DE_PASSE}
    )
    assert response.status_code == 200  # the form again, not a session
    assert "_auth_user_id" not in client.session


def test_a_session_opened_before_is_closed(porteur, agent_national, client, deposee):
    client.force_login(porteur)
    assert client.get(reverse("candidatures:detail", args=[deposee.pk])).status_code == 200
    services.porteur_anonymise(profil=porteur.profil_porteur, agent=agent_national)
    response = client.get(reverse("candidatures:detail", args=[deposee.pk]))
    assert response.status_code == 302 and "connexion" in response["Location"]


def test_only_national_agents_anonymise(porteur, agent_occitanie, connecter):
    client = connecter(agent_occitanie)
    url = reverse("admin:candidatures_profilporteur_anonymiser", args=[porteur.profil_porteur.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    porteur.refresh_from_db()
    assert porteur.is_active and porteur.email == "porteur@toulouse.fr"
    page = client.get(reverse("admin:candidatures_profilporteur_change", args=[porteur.profil_porteur.pk]))
    assert "Anonymiser ce compte" not in page.content.decode()


def test_the_bulk_action_asks_for_confirmation_first(
    porteur, porteur_lyon, agent_national, connecter, django_capture_on_commit_callbacks
):
    client = connecter(agent_national)
    url = reverse("admin:candidatures_profilporteur_changelist")
    ids = [porteur.profil_porteur.pk, porteur_lyon.profil_porteur.pk]
    confirmation = client.post(url, {"action": "anonymiser", "_selected_action": ids})
    assert confirmation.status_code == 200
    assert "Oui, anonymiser 2 compte(s)" in confirmation.content.decode()
    assert get_user_model().objects.filter(pk__in=[porteur.pk, porteur_lyon.pk], is_active=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "anonymiser", "_selected_action": ids, "confirmer": "oui"})
    assert get_user_model().objects.filter(pk__in=[porteur.pk, porteur_lyon.pk], is_active=True).count() == 0
    with pytest.raises(Exception, match="déjà anonymisé"):
        services.porteur_anonymise(profil=ProfilPorteur.objects.get(pk=ids[0]), agent=agent_national)


def test_deleting_a_porteurs_account_stays_refused_and_offers_the_anonymisation(
    deposee, porteur, django_user_model, client
):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)
    url = reverse("admin:auth_user_delete", args=[porteur.pk])
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 403
        page = response.content.decode()
        assert "il ne se supprime pas" in page
        assert reverse("admin:candidatures_profilporteur_anonymiser", args=[porteur.profil_porteur.pk]) in page
    assert django_user_model.objects.filter(pk=porteur.pk).exists()
    # Another account (an agent's) is deleted as before.
    agent = helpers.agent(email="parti@anct.gouv.fr", region=None)
    assert client.post(reverse("admin:auth_user_delete", args=[agent.pk]), {"post": "yes"}).status_code == 302
    assert not django_user_model.objects.filter(pk=agent.pk).exists()
