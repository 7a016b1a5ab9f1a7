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
    assert "Un courriel vient d’être envoyé à camille.martin@toulouse.fr" in page
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
    assert "Un agent de votre région doit maintenant valider votre compte" in page
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
    inscrire(client, django_capture_on_commit_callbacks, email="autre@toulouse.fr")
    assert Collectivite.objects.count() == 1
    assert Collectivite.objects.get().porteurs.count() == 2


def _contenu_principal(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_sign_up_answers_the_same_for_a_known_address_and_tells_its_owner(
    client, db, django_capture_on_commit_callbacks
):
    inscrire(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    connu = inscrire(client, django_capture_on_commit_callbacks, email="CAMILLE.MARTIN@toulouse.FR")
    inconnu = inscrire(
        client, django_capture_on_commit_callbacks, email="camille.martin@toulouse.FR".replace("camille", "dominique")
    )
    assert connu.redirect_chain == [(reverse("comptes:inscription_envoyee"), 302)]
    assert inconnu.redirect_chain == connu.redirect_chain
    # The same page, the address typed aside: nothing says which one had an account.
    assert _contenu_principal(connu).replace("CAMILLE.MARTIN@toulouse.FR".lower(), "@") == _contenu_principal(
        inconnu
    ).replace("dominique.martin@toulouse.fr", "@")
    assert "existe déjà" not in _contenu_principal(connu)
    assert User.objects.count() == 2  # Camille's account once, Dominique's new one
    objets = sorted(m.subject for m in mail.outbox)
    assert objets == [
        "Cités éducatives : confirmez votre adresse électronique",
        "Cités éducatives : quelqu'un a tenté de créer un compte avec votre adresse",
    ]
    [alerte] = [m for m in mail.outbox if "tenté" in m.subject]
    assert alerte.to == ["camille.martin@toulouse.fr"]
    assert "/comptes/mot-de-passe/oublie/" in alerte.body
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


ATTAQUANT = "203.0.113.9"
VICTIME = "198.51.100.7"


def connexion(client, email, mot_de_passe, adresse, url=None):
    return client.post(
        url or reverse("comptes:connexion"), {"username": email, "password": mot_de_passe}, REMOTE_ADDR=adresse
    )


def test_the_attacker_is_locked_not_his_victim(client, porteur, settings):
    settings.LOGIN_FAILURES_LIMIT, settings.LOGIN_LOCKOUT_SECONDS = 5, 60
    for _ in range(4):
        page = connexion(client, porteur.email, "mauvais", ATTAQUANT).content.decode()
        assert "Adresse électronique ou mot de passe incorrect." in page
    page = connexion(client, porteur.email.upper(), "mauvais", ATTAQUANT).content.decode()
    assert "Adresse électronique ou mot de passe incorrect." in page  # the 5th failure
    # From the attacker's address, even the right password now waits a minute…
    page = connexion(client, porteur.email, helpers.MOT_DE_PASSE, ATTAQUANT).content.decode()
    assert "Trop de tentatives de connexion ont échoué pour ce compte depuis votre connexion internet" in page
    assert "réessayez dans 1 minute" in page
    assert "_auth_user_id" not in client.session
    # …while its owner, from their own address, logs in with it.
    response = connexion(client, porteur.email, helpers.MOT_DE_PASSE, VICTIME)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(porteur.pk)


def test_the_attackers_wait_grows_with_each_failure(client, porteur, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from candidatures.selectors import connexion_blocage

    settings.LOGIN_FAILURES_LIMIT, settings.LOGIN_LOCKOUT_SECONDS = 3, 60
    for _ in range(3):
        connexion(client, porteur.email, "mauvais", ATTAQUANT)
    assert connexion_blocage(identifiant=porteur.email, adresse=ATTAQUANT) == 60
    debut = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: debut + timedelta(seconds=61))
    connexion(client, porteur.email, "mauvais", ATTAQUANT)  # once the wait is over, one more failure…
    assert connexion_blocage(identifiant=porteur.email, adresse=ATTAQUANT) == 120  # …doubles it
    monkeypatch.setattr(timezone, "now", lambda: debut + timedelta(seconds=61 + 121))
    connexion(client, porteur.email, "mauvais", ATTAQUANT)
    assert connexion_blocage(identifiant=porteur.email, adresse=ATTAQUANT) == 240
    assert connexion_blocage(identifiant=porteur.email, adresse=VICTIME) == 0


def test_an_address_that_tries_many_accounts_reaches_a_ceiling(client, porteur, autre_porteur, settings):
    settings.LOGIN_ADDRESS_CEILING = 3
    for email in ("a@toulouse.fr", "b@toulouse.fr", "c@toulouse.fr"):
        connexion(client, email, "mauvais", ATTAQUANT)
    page = connexion(client, porteur.email, helpers.MOT_DE_PASSE, ATTAQUANT).content.decode()
    assert "Trop de tentatives" in page
    assert connexion(client, autre_porteur.email, helpers.MOT_DE_PASSE, VICTIME).status_code == 302


def test_the_admin_log_in_says_an_account_waits_and_links_to_password_reset(client, agent_occitanie, settings):
    settings.LOGIN_FAILURES_LIMIT = 2
    url = reverse("admin:login")
    page = client.get(url).content.decode()
    assert reverse("comptes:mot_de_passe_oublie") in page
    for _ in range(2):
        connexion(client, agent_occitanie.email, "mauvais", ATTAQUANT, url=url)
    page = connexion(client, agent_occitanie.email, helpers.MOT_DE_PASSE, ATTAQUANT, url=url).content.decode()
    assert "Trop de tentatives de connexion ont échoué pour ce compte" in page
    assert reverse("comptes:mot_de_passe_oublie") in page
    assert connexion(client, agent_occitanie.email, helpers.MOT_DE_PASSE, VICTIME, url=url).status_code == 302


def test_sign_up_and_password_reset_are_rate_limited_per_address(
    client, porteur, settings, django_capture_on_commit_callbacks
):
    settings.SIGNUPS_PER_HOUR, settings.PASSWORD_RESETS_PER_HOUR = 1, 1
    inscrire(client, django_capture_on_commit_callbacks, email="un@toulouse.fr")
    page = inscrire(client, django_capture_on_commit_callbacks, email="deux@toulouse.fr")
    assert page.status_code == 429
    assert "Beaucoup de comptes ont été demandés depuis votre connexion internet" in page.content.decode()
    assert 'value="deux@toulouse.fr"' in page.content.decode()  # what was typed is kept
    assert not User.objects.filter(username="deux@toulouse.fr").exists()
    url = reverse("comptes:mot_de_passe_oublie")
    assert client.post(url, {"email": porteur.email}).status_code == 302
    assert client.post(url, {"email": porteur.email}).status_code == 429


def test_the_log_in_page_asks_for_an_e_mail_address(client, db):
    page = client.get(reverse("comptes:connexion")).content.decode()
    label = page[page.index('for="id_username"') : page.index("</label>", page.index('for="id_username"'))]
    assert "Adresse électronique" in label
    assert "Nom d’utilisateur" not in page and "Nom d'utilisateur" not in page


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
