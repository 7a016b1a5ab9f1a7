"""Co-editors (issue 13): the porteur invites the CPO and the principal of the collège chef de file by
an e-mail with a signed link; opening it logged in links the account, without an account the invitee
creates one there. Co-editors see and edit the candidature but neither deposit nor withdraw it;
anyone else gets 404."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from candidatures import personnes, services
from candidatures.models import Candidature, Etat, PersonneCandidature
from candidatures.services import TransitionRefusee
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

CPO = ("Carla Projet", "cheffe de projet opérationnelle", "carla.projet@mairie-toulouse.fr")


def texte(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


def lien(courriel) -> str:
    trouve = re.search(r"https?://\S+?(/troika/invitation/\S*)", courriel.body)
    assert trouve, courriel.body
    return trouve.group(1)


@pytest.fixture
def invitation(candidature, porteur, client, django_capture_on_commit_callbacks):
    """The porteur names the CPO and invites them from the people page; returns the link received."""
    client.force_login(porteur)
    url = reverse("candidatures:personnes", kwargs={"pk": candidature.pk})
    nom, fonction, email = CPO
    client.post(url, {"action": "enregistrer:cpo", "cpo-nom": nom, "cpo-fonction": fonction, "cpo-email": email})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, {"action": "inviter:cpo"})
    assert reponse.status_code == 302
    client.logout()
    [courriel] = mail.outbox
    assert courriel.to == ["carla.projet@mairie-toulouse.fr"]
    assert courriel.subject == "Cités éducatives : vous êtes invité à co-éditer la candidature de Toulouse"
    assert "son dépôt et son retrait restent réservés aux porteurs de la collectivité" in courriel.body
    return lien(courriel)


@pytest.fixture
def coediteur(invitation, client):
    """The CPO, with no account, creates one on the invitation page."""
    reponse = client.post(
        invitation,
        {"prenom": "Carla", "nom": "Projet", "password1": helpers.MOT_DE_PASSE, "password2": helpers.MOT_DE_PASSE},
    )
    assert reponse.status_code == 302
    return get_user_model().objects.get(email="carla.projet@mairie-toulouse.fr")


def test_without_an_account_the_invitee_creates_one_and_co_edits(invitation, candidature, client):
    page = client.get(invitation)
    assert page.status_code == 200
    assert (
        "Créez votre compte pour accepter : votre identifiant sera votre adresse, carla.projet@mairie-toulouse.fr"
        in (texte(page))
    )
    # Mismatched passwords: a French error, what was typed kept.
    reponse = client.post(
        invitation, {"prenom": "Carla", "nom": "Projet", "password1": helpers.MOT_DE_PASSE, "password2": "autre"}
    )
    assert reponse.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques." in texte(reponse)
    assert 'value="Carla"' in reponse.content.decode()
    reponse = client.post(
        invitation,
        {"prenom": "Carla", "nom": "Projet", "password1": helpers.MOT_DE_PASSE, "password2": helpers.MOT_DE_PASSE},
        follow=True,
    )
    assert reponse.redirect_chain[-1][0] == candidature.get_absolute_url()
    page = texte(reponse)
    assert "Votre compte est créé et l’invitation acceptée : vous co-éditez cette candidature." in page
    assert "Vous co-éditez cette candidature : son dépôt et son retrait sont réservés aux porteurs de Toulouse." in page
    user = get_user_model().objects.get(email="carla.projet@mairie-toulouse.fr")
    assert user.is_active and not hasattr(user, "profil_porteur")
    assert PersonneCandidature.objects.get(candidature=candidature, role="cpo").user == user
    tableau = texte(client.get(reverse("candidatures:tableau_de_bord")))
    assert "Candidatures que vous co-éditez" in tableau and "Brouillon Toulouse" in tableau


def test_a_co_editor_edits_every_step_and_the_people_but_cannot_deposit_nor_withdraw(
    coediteur, candidature, client, django_capture_on_commit_callbacks
):
    client.force_login(coediteur)
    etape = reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "communication"})
    assert client.get(etape).status_code == 200
    reponse = client.post(
        etape,
        {"plan_communication": "Une lettre du CPO chaque mois.", "demarche_evaluation": "Évaluation annuelle."},
        HTTP_X_AUTOSAVE="1",
    )
    assert reponse.status_code == 200 and reponse.json()["enregistre"] is True
    assert Candidature.objects.get(pk=candidature.pk).plan_communication == "Une lettre du CPO chaque mois."
    # The people too: the co-editor asks the troïka to confirm the changed content.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidatures:personnes", kwargs={"pk": candidature.pk}), {"action": "demander"})
    assert len(mail.outbox) == 3
    helpers.troika_confirmer(candidature=candidature, user=coediteur)
    # The summary says the deposit is not theirs and offers no button; the deposit is refused.
    recap = client.get(reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "recapitulatif"}))
    page = texte(recap)
    assert (
        "Vous co-éditez cette candidature : vous pouvez la compléter et demander la confirmation de la troïka." in page
    )
    assert "Son dépôt et son retrait sont réservés aux porteurs de Toulouse." in page
    assert 'action="/candidatures/' not in recap.content.decode().split('id="coedition"')[1].split("</form>")[0]
    reponse = client.post(reverse("candidatures:deposer", kwargs={"pk": candidature.pk}), follow=True)
    assert "« Déposer la candidature » est réservé à un porteur de la collectivité." in texte(reponse)
    with pytest.raises(TransitionRefusee, match="réservé à un porteur de la collectivité"):
        services.candidature_submit(candidature=candidature, actor=coediteur)
    reponse = client.post(
        reverse("candidatures:retirer", kwargs={"pk": candidature.pk}), {"message": "Non."}, follow=True
    )
    assert "Le retrait est réservé aux porteurs de Toulouse." in texte(reponse)
    assert Candidature.objects.get(pk=candidature.pk).etat == Etat.BROUILLON


def test_a_logged_in_account_is_linked_by_opening_the_link(invitation, candidature, client, autre_porteur):
    client.force_login(autre_porteur)  # the CPO already had an account (here, a porteur of Montpellier)
    assert client.get(candidature.get_absolute_url()).status_code == 404
    page = texte(client.get(invitation))
    assert "Vous êtes connecté comme porteur@montpellier.fr : la candidature sera accessible depuis ce compte." in page
    reponse = client.post(invitation)
    assert reponse.status_code == 302 and reponse["Location"] == candidature.get_absolute_url()
    assert client.get(candidature.get_absolute_url()).status_code == 200
    # Still no deposit: the account is a porteur of another collectivité.
    with pytest.raises(TransitionRefusee, match="réservé à un porteur de la collectivité"):
        services.candidature_submit(candidature=candidature, actor=autre_porteur)


def test_an_unrelated_account_gets_404_everywhere(coediteur, candidature, autre_porteur, client):
    user = get_user_model().objects.create_user(username="x@exemple.fr", email="x@exemple.fr", password="x")
    for compte in (user, autre_porteur):
        client.force_login(compte)
        for url in (
            candidature.get_absolute_url(),
            reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "territoire"}),
            reverse("candidatures:personnes", kwargs={"pk": candidature.pk}),
        ):
            assert client.get(url).status_code == 404, (compte, url)
        assert client.post(reverse("candidatures:deposer", kwargs={"pk": candidature.pk})).status_code == 404


def test_a_co_editor_replaced_loses_the_candidature(coediteur, candidature, porteur, client):
    personnes.personne_save(
        candidature=candidature, user=porteur, role="cpo", nom="Karim Nouveau", email="karim@mairie-toulouse.fr"
    )
    client.force_login(coediteur)
    assert client.get(candidature.get_absolute_url()).status_code == 404


def test_an_invitation_link_altered_answers_400(invitation, client):
    reponse = client.get(invitation.replace("/invitation/", "/invitation/x"))
    assert reponse.status_code == 400
    assert "Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier." in texte(reponse)
