"""Accounts: sign-up with a confirmed e-mail, validation by an agent of the région, log-in lock-out."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from candidatures import services
from candidatures.models import Collectivite, ProfilPorteur
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db
User = get_user_model()


def inscrire(client, django_capture_on_commit_callbacks, **extra):
    data = {
        "email": "Camille.Martin@Toulouse.fr",
        "prenom": "Camille",
        "nom": "Martin",
        "fonction": "Cheffe de projet",
        "type_collectivite": "commune",
        "commune": "31555",
        "password1": helpers.MOT_DE_PASSE,
        "password2": helpers.MOT_DE_PASSE,
        **extra,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("comptes:inscription"), data, follow=True)


def test_sign_up_confirm_and_wait_for_validation(client, db, django_capture_on_commit_callbacks):
    helpers.ensure_groupes_et_appels()
    agent = helpers.agent(email="drajes@occitanie.gouv.fr", region="76")
    mail.outbox.clear()
    page = inscrire(client, django_capture_on_commit_callbacks).content.decode()
    assert "Un lien de confirmation a été envoyé à camille.martin@toulouse.fr" in page
    assert "Confirmez votre adresse" in page
    user = User.objects.get(profil_porteur__isnull=False)
    assert user.username == "camille.martin@toulouse.fr"
    assert user.profil_porteur.collectivite.nom == "Toulouse"
    assert user.profil_porteur.collectivite.region.nom == "Occitanie"
    [courriel] = mail.outbox
    lien = re.search(r"https?://\S+/comptes/confirmation/\S+/", courriel.body).group(0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(lien[lien.index("/comptes/") :], follow=True).content.decode()
    assert "Votre adresse est confirmée" in page
    assert "Validation par un agent de votre région" in page
    assert [m.to for m in mail.outbox] == [[agent.email]]  # the agents of the région are told
    # The agent validates it in the admin, which tells the porteur.
    client.force_login(agent)
    profil = user.profil_porteur
    liste = client.get(reverse("admin:candidatures_profilporteur_changelist")).content.decode()
    assert "camille.martin@toulouse.fr" in liste
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:candidatures_profilporteur_changelist"),
            {"action": "valider", "_selected_action": [profil.pk]},
        )
    profil.refresh_from_db()
    assert profil.statut == ProfilPorteur.Statut.VALIDE
    assert profil.statut_modifie_par == agent
    assert "votre compte est validé" in mail.outbox[0].subject


def test_several_porteurs_share_their_collectivite(client, db, django_capture_on_commit_callbacks):
    inscrire(client, django_capture_on_commit_callbacks)
    client.logout()
    inscrire(client, django_capture_on_commit_callbacks, email="autre@toulouse.fr")
    assert Collectivite.objects.count() == 1
    assert Collectivite.objects.get().porteurs.count() == 2


def test_an_address_is_unique_whatever_its_case(client, db, django_capture_on_commit_callbacks):
    inscrire(client, django_capture_on_commit_callbacks)
    client.logout()
    page = inscrire(client, django_capture_on_commit_callbacks, email="CAMILLE.MARTIN@toulouse.FR").content.decode()
    assert "Un compte existe déjà avec cette adresse" in page
    assert User.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Camille.Martin@toulouse.fr")


def test_sign_up_errors_keep_what_was_typed(client, db, django_capture_on_commit_callbacks):
    page = inscrire(
        client, django_capture_on_commit_callbacks, commune="Saint-Denis", password2="autre"
    ).content.decode()
    assert "Plusieurs communes portent ce nom" in page
    assert "Saint-Denis (93066, Seine-Saint-Denis)" in page
    assert "Les deux mots de passe ne sont pas identiques" in page
    assert 'value="Camille.Martin@Toulouse.fr"' in page or 'value="camille.martin@toulouse.fr"' in page
    assert not User.objects.exists()


def test_an_epci_missing_from_the_reference_data_is_described_by_the_porteur(
    client, db, django_capture_on_commit_callbacks
):
    inscrire(
        client,
        django_capture_on_commit_callbacks,
        type_collectivite="epci",
        commune="",
        siren="200000001",
        nom_epci="Communauté de communes d'essai",
        communes_membres="94017, 94019",
    )
    collectivite = User.objects.get().profil_porteur.collectivite
    assert (collectivite.type, collectivite.code, collectivite.nom) == (
        "epci",
        "200000001",
        "Communauté de communes d'essai",
    )
    assert sorted(collectivite.communes.values_list("code", flat=True)) == ["94017", "94019"]
    assert collectivite.region.code == "11"


def test_confirmation_links_are_signed(client, db):
    user = helpers.porteur(email="porteur@toulouse.fr", commune="31555", confirme=False)
    jeton = services.email_confirmation_token(user=user)
    falsifie = jeton[:-2] + ("A" if jeton[-2] != "A" else "B") + jeton[-1]
    page = client.get(reverse("comptes:confirmation", args=[falsifie]), follow=True).content.decode()
    assert "n&#x27;est pas valide" in page
    assert not ProfilPorteur.objects.get().email_confirme
    expire = signing.dumps({"u": user.pk, "e": user.email}, salt=services.CONFIRMATION_SALT, compress=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.core.signing.time.time", lambda: 10**10)
        with pytest.raises(Exception, match="expiré"):
            services.porteur_confirm_email(token=expire)
    client.get(reverse("comptes:confirmation", args=[jeton]))
    assert ProfilPorteur.objects.get().email_confirme


def test_log_in_is_locked_after_repeated_failures(client, porteur, settings):
    url = reverse("comptes:connexion")
    for _ in range(settings.LOGIN_FAILURES_LIMIT - 1):
        page = client.post(url, {"username": porteur.email, "password": "mauvais"}).content.decode()
        assert "Adresse électronique ou mot de passe incorrect." in page
    page = client.post(url, {"username": porteur.email.upper(), "password": "mauvais"}).content.decode()
    assert "Trop de tentatives de connexion ont échoué pour cette adresse" in page
    # Even the right password is refused while locked, on every log-in path.
    page = client.post(url, {"username": porteur.email, "password": helpers.MOT_DE_PASSE}).content.decode()
    assert "bloquée pendant 15 minutes" in page
    assert not client.login(username=porteur.email, password=helpers.MOT_DE_PASSE)
    assert "_auth_user_id" not in client.session


def test_log_in_by_address_whatever_its_case(client, porteur):
    response = client.post(
        reverse("comptes:connexion"), {"username": "  PORTEUR@Toulouse.fr ", "password": helpers.MOT_DE_PASSE}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("candidatures:tableau_de_bord")


def test_password_reset_by_e_mail(client, porteur, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "Porteur@Toulouse.fr"})
    [courriel] = mail.outbox
    lien = re.search(r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", courriel.body).group(1)
    formulaire = client.get(lien, follow=True)
    assert "Nouveau mot de passe" in formulaire.content.decode()
    nouveau = "Un-nouveau-mot-de-passe-2026"
    response = client.post(formulaire.redirect_chain[-1][0], {"new_password1": nouveau, "new_password2": nouveau})
    assert response["Location"] == reverse("comptes:mot_de_passe_modifie")
    assert client.login(username=porteur.email, password=nouveau)


def test_log_out_from_the_header(client, porteur):
    client.force_login(porteur)
    page = client.get(reverse("candidatures:tableau_de_bord")).content.decode()
    assert "Se déconnecter" in page and "Mes candidatures" in page
    page = client.post(reverse("comptes:deconnexion"), follow=True).content.decode()
    assert "Vous êtes déconnecté." in page
    assert "Se connecter" in page


# --- Agents ---------------------------------------------------------------------------------


def test_regional_agents_see_only_the_accounts_of_their_region(client, db, agent_occitanie):
    toulouse = helpers.porteur(email="attente@toulouse.fr", commune="31555", valide=False)
    lyon = helpers.porteur(email="attente@lyon.fr", commune="69123", valide=False)
    client.force_login(agent_occitanie)
    liste = client.get(reverse("admin:candidatures_profilporteur_changelist")).content.decode()
    assert "attente@toulouse.fr" in liste
    assert "attente@lyon.fr" not in liste
    url = reverse("admin:candidatures_profilporteur_change", args=[lyon.profil_porteur.pk])
    assert client.get(url).status_code in (302, 404)
    # Validating another région's account through the action does nothing.
    client.post(
        reverse("admin:candidatures_profilporteur_changelist"),
        {"action": "valider", "_selected_action": [lyon.profil_porteur.pk, toulouse.profil_porteur.pk]},
    )
    assert ProfilPorteur.objects.get(user=lyon).statut == ProfilPorteur.Statut.EN_ATTENTE
    assert ProfilPorteur.objects.get(user=toulouse).statut == ProfilPorteur.Statut.VALIDE


def test_a_refusal_needs_a_reason(db, agent_occitanie):
    user = helpers.porteur(email="attente@toulouse.fr", commune="31555", valide=False)
    with pytest.raises(Exception, match="motif"):
        services.porteur_refuse(profil=user.profil_porteur, agent=agent_occitanie, motif=" ")
    services.porteur_refuse(profil=user.profil_porteur, agent=agent_occitanie, motif="Adresse personnelle")
    assert ProfilPorteur.objects.get(user=user).statut == ProfilPorteur.Statut.REFUSE


def test_the_admin_shows_regional_agents_their_region_only(client, candidature, porteur, agent_ara, agent_occitanie):
    services.candidature_submit(candidature=candidature, actor=porteur)
    client.force_login(agent_ara)
    liste = client.get(reverse("admin:candidatures_candidature_changelist")).content.decode()
    assert candidature.reference not in liste
    assert client.get(reverse("admin:candidatures_candidature_change", args=[candidature.pk])).status_code in (302, 404)
    client.force_login(agent_occitanie)
    assert candidature.reference in client.get(reverse("admin:candidatures_candidature_changelist")).content.decode()


def test_calls_are_edited_by_national_agents_and_read_by_regional_ones(client, appel, agent_occitanie, agent_national):
    url = reverse("admin:candidatures_appelaprojets_change", args=[appel.pk])
    client.force_login(agent_occitanie)
    page = client.get(url).content.decode()
    assert "Le territoire est un quartier prioritaire" in page
    assert 'name="_save"' not in page
    client.force_login(agent_national)
    page = client.get(url).content.decode()
    assert 'name="_save"' in page
    assert client.get(reverse("admin:candidatures_appelaprojets_add")).status_code == 200


def test_an_agent_refuses_an_account_with_a_reason_from_the_admin(
    client, db, agent_occitanie, django_capture_on_commit_callbacks
):
    user = helpers.porteur(email="inconnu@gmail.com", commune="31555", valide=False)
    client.force_login(agent_occitanie)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:candidatures_profilporteur_changelist"),
            {
                "action": "refuser",
                "motif": "Adresse personnelle : utilisez celle de la mairie.",
                "_selected_action": [user.profil_porteur.pk],
            },
        )
    profil = ProfilPorteur.objects.get(user=user)
    assert profil.statut == ProfilPorteur.Statut.REFUSE
    assert "Adresse personnelle" in mail.outbox[0].body
    client.force_login(user)
    page = client.get(reverse("candidatures:tableau_de_bord")).content.decode()
    assert "Votre compte n’a pas été validé</strong> : Adresse personnelle" in page
