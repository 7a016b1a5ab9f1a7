"""The label carries the candidature's people to the cité (issue 13): a new cité gets the troïka,
the CPO and the principal the candidature named, and the porteur who filed it as its référent, so
that it has someone to remind and someone who fills its first revue; an extension adds only the
roles the cité lacks; a renewal replaces the people of the same role, the former ones kept inactive."""

import datetime

import pytest
from django.urls import reverse

from candidatures import personnes, services
from candidatures.labellisation import candidature_set_cite_etendue
from candidatures.models import Etat
from candidatures.rappels import rappels_cites_envoyer
from cites.models import CiteEducative, Echeance, PersonneCite
from revues.models import Revue
from revues.renouvellement import candidature_renouvellement_create
from tests.candidatures import helpers
from tests.candidatures.test_labellisation import jusqu_a_l_avis
from tests.revues.conftest import ensure_questionnaire

pytestmark = pytest.mark.django_db


def personnes_de(cite) -> list[tuple[str, str, str, bool]]:
    """(role, nom, email, actif) of every person of the cité, in a fixed order."""
    return sorted(PersonneCite.objects.filter(cite=cite).values_list("role", "nom", "email", "actif"))


def labelliser(candidature, agent):
    services.candidature_transition(candidature=candidature, to=Etat.LABELLISEE, actor=agent, message="Bon projet.")
    candidature.refresh_from_db()
    return candidature


@pytest.fixture
def carla(django_user_model):
    """The CPO's account on the portal."""
    return django_user_model.objects.create_user(
        username="carla.projet@toulouse.fr",
        email="carla.projet@toulouse.fr",
        password=helpers.MOT_DE_PASSE,
        first_name="Carla",
        last_name="Projet",
    )


@pytest.fixture
def avec_cpo(candidature, porteur, agent_occitanie, carla):
    """Toulouse's candidature naming a CPO (who accepted to co-edit with her account) and a principal;
    the troïka confirms it; it waits for the ANCT decision."""
    cpo = personnes.personne_save(
        candidature=candidature,
        user=porteur,
        role="cpo",
        nom="Carla Projet",
        fonction="cheffe de projet",
        email="carla.projet@toulouse.fr",
    )
    personnes.coedition_accepter(personne=cpo, user=carla)
    personnes.personne_save(
        candidature=candidature, user=porteur, role="principal", nom="Paul Principal", email="paul@ac-toulouse.fr"
    )
    return jusqu_a_l_avis(candidature=candidature, porteur=porteur, agent=agent_occitanie)


def test_a_new_cite_gets_every_person_of_the_candidature_and_the_porteur_as_referent(
    avec_cpo, agent_national, porteur, carla
):
    cite = labelliser(avec_cpo, agent_national).cite
    assert personnes_de(cite) == [
        ("cpo", "Carla Projet", "carla.projet@toulouse.fr", True),
        ("principal", "Paul Principal", "paul@ac-toulouse.fr", True),
        ("referent", "Camille Martin", "porteur@toulouse.fr", True),
        ("troika_collectivite", "Maud Maire", "maud.maire@mairie-toulouse.fr", True),
        ("troika_education", "Damien Dasen", "damien.dasen@ac-toulouse.fr", True),
        ("troika_prefecture", "Pia Préfète", "pia.prefete@haute-garonne.gouv.fr", True),
    ]
    assert PersonneCite.objects.get(cite=cite, role="cpo").user == carla
    assert PersonneCite.objects.get(cite=cite, role="cpo").fonction == "cheffe de projet"
    assert PersonneCite.objects.get(cite=cite, role="referent").user == porteur
    assert PersonneCite.objects.get(cite=cite, role="troika_education").fonction == "DASEN"


def test_the_copied_cpo_starts_the_first_revue_of_the_new_cite(avec_cpo, agent_national, carla, client):
    questionnaire = ensure_questionnaire()
    cite = labelliser(avec_cpo, agent_national).cite
    client.force_login(carla)
    liste = client.get(reverse("revues:liste")).content.decode()
    assert f"Commencer la revue {questionnaire.annee} de Grand Mirail" in liste
    reponse = client.post(reverse("revues:commencer", args=[cite.pk, questionnaire.pk]))
    revue = Revue.objects.get(cite=cite, questionnaire=questionnaire)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("revues:detail", args=[revue.pk])
    assert client.get(reponse["Location"]).status_code == 200


def test_the_reminders_of_the_new_cite_go_to_the_copied_people(
    avec_cpo, agent_national, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cite = labelliser(avec_cpo, agent_national).cite
    aujourd_hui = datetime.date(2030, 1, 1)
    rappels_cites_envoyer(today=aujourd_hui)  # computes the deadlines of the new cité
    premiere = Echeance.objects.filter(cite=cite, faite_le=None).order_by("date").first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rappels_cites_envoyer(today=premiere.date - datetime.timedelta(days=29))
    envois = [sorted(m.to) for m in mail.outbox if "Grand Mirail" in m.subject]
    assert envois == [["carla.projet@toulouse.fr", "paul@ac-toulouse.fr", "porteur@toulouse.fr"]]


def test_an_extension_adds_only_the_roles_the_cite_lacks(avec_cpo, agent_occitanie, agent_national):
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    PersonneCite.objects.create(cite=cite, role="referent", nom="Rémi Référent", email="remi@toulouse.fr")
    PersonneCite.objects.create(cite=cite, role="cpo", nom="Chloé Actuelle", email="chloe@toulouse.fr")
    PersonneCite.objects.create(
        cite=cite, role="troika_prefecture", nom="Ancien Préfet", email="ancien@gouv.fr", actif=False
    )
    candidature_set_cite_etendue(candidature=avec_cpo, cite=cite, actor=agent_occitanie)
    assert labelliser(avec_cpo, agent_national).cite == cite
    assert personnes_de(cite) == [
        ("cpo", "Chloé Actuelle", "chloe@toulouse.fr", True),
        ("principal", "Paul Principal", "paul@ac-toulouse.fr", True),
        ("referent", "Rémi Référent", "remi@toulouse.fr", True),
        ("troika_collectivite", "Maud Maire", "maud.maire@mairie-toulouse.fr", True),
        ("troika_education", "Damien Dasen", "damien.dasen@ac-toulouse.fr", True),
        ("troika_prefecture", "Ancien Préfet", "ancien@gouv.fr", False),
        ("troika_prefecture", "Pia Préfète", "pia.prefete@haute-garonne.gouv.fr", True),
    ]


def test_a_renewal_replaces_the_people_of_the_same_role_and_keeps_the_former_inactive(
    porteur, appel, agent_occitanie, agent_national, django_user_model, client
):
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    CiteEducative.objects.filter(pk=cite.pk).update(fin_financement=datetime.date(2026, 12, 31))
    compte_pia = django_user_model.objects.create_user(username="pia", email="pia.prefete@haute-garonne.gouv.fr")
    PersonneCite.objects.create(cite=cite, role="referent", nom="Rémi Référent", email="remi@toulouse.fr")
    compte_chloe = django_user_model.objects.create_user(username="chloe", email="chloe@toulouse.fr")
    PersonneCite.objects.create(
        cite=cite, role="cpo", nom="Chloé Actuelle", email="chloe@toulouse.fr", user=compte_chloe
    )
    PersonneCite.objects.create(
        cite=cite,
        role="troika_prefecture",
        nom="Pia Préfète",
        email="pia.prefete@haute-garonne.gouv.fr",
        user=compte_pia,
    )
    PersonneCite.objects.create(cite=cite, role="troika_education", nom="Ancien Dasen", email="vieux@ac-toulouse.fr")
    candidature = candidature_renouvellement_create(user=porteur, cite=cite, appel=appel)
    helpers.remplir(candidature=candidature, user=porteur)  # names the troïka of helpers.TROIKA
    personnes.personne_save(
        candidature=candidature, user=porteur, role="cpo", nom="Nina Nouvelle", email="nina@toulouse.fr"
    )
    candidature = jusqu_a_l_avis(candidature=candidature, porteur=porteur, agent=agent_occitanie)

    assert labelliser(candidature, agent_national).cite == cite
    assert personnes_de(cite) == [
        ("cpo", "Chloé Actuelle", "chloe@toulouse.fr", False),
        ("cpo", "Nina Nouvelle", "nina@toulouse.fr", True),
        ("referent", "Rémi Référent", "remi@toulouse.fr", True),
        ("troika_collectivite", "Maud Maire", "maud.maire@mairie-toulouse.fr", True),
        ("troika_education", "Ancien Dasen", "vieux@ac-toulouse.fr", False),
        ("troika_education", "Damien Dasen", "damien.dasen@ac-toulouse.fr", True),
        ("troika_prefecture", "Pia Préfète", "pia.prefete@haute-garonne.gouv.fr", True),
    ]
    # The same person is kept (one row, her account too) with the function the candidature gives.
    pia = PersonneCite.objects.get(cite=cite, role="troika_prefecture")
    assert (pia.user, pia.fonction) == (compte_pia, "sous-préfète à la ville")
    assert cite.history.order_by("-history_date", "-history_id").first().history_change_reason == (
        f"Personnes remplacées ({candidature.reference}) : CPO, troïka DASEN"
    )
    # The former CPO, inactive, no longer starts the cité's revue.
    questionnaire = ensure_questionnaire()
    client.force_login(compte_chloe)
    assert "Commencer la revue" not in client.get(reverse("revues:liste")).content.decode()
    assert client.post(reverse("revues:commencer", args=[cite.pk, questionnaire.pk])).status_code == 404


def test_a_second_label_call_copies_nobody_twice(avec_cpo, agent_national):
    from candidatures.labellisation import candidature_labelliser

    cite = labelliser(avec_cpo, agent_national).cite
    assert candidature_labelliser(candidature=avec_cpo).deja_faite
    assert PersonneCite.objects.filter(cite=cite).count() == 6


def test_an_account_holding_two_roles_of_the_cite_starts_its_revue(porteur, client):
    """The porteur référent of a new cité may also be its CPO: one revue, no error."""
    questionnaire = ensure_questionnaire()
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    for role in ("referent", "cpo"):
        PersonneCite.objects.create(cite=cite, role=role, nom="Camille Martin", email=porteur.email, user=porteur)
    client.force_login(porteur)
    reponse = client.post(reverse("revues:commencer", args=[cite.pk, questionnaire.pk]))
    assert reponse.status_code == 302
    assert Revue.objects.filter(cite=cite).count() == 1


# --- The troïka's confirmations in the histories ----------------------------------------------


def test_the_troika_confirmations_appear_in_the_agents_and_porteurs_histories(
    deposee, porteur, agent_occitanie, connecter
):
    from candidatures.models import EvenementCandidature, PersonneCandidature

    quand = datetime.datetime(2026, 3, 3, 9, 15, tzinfo=datetime.UTC)  # 10:15 in Paris
    # Created on 1 March, filed on 5 March.
    evenements = EvenementCandidature.objects.filter(candidature=deposee)
    evenements.filter(etat_avant="").update(date=quand - datetime.timedelta(days=2))
    evenements.filter(etat_apres="deposee").update(date=quand + datetime.timedelta(days=2))
    PersonneCandidature.objects.filter(candidature=deposee, role="troika_prefecture").update(confirme_le=quand)
    PersonneCandidature.objects.filter(candidature=deposee, role="troika_education").update(
        confirme_le=quand + datetime.timedelta(days=1)
    )
    PersonneCandidature.objects.filter(candidature=deposee, role="troika_collectivite").update(confirme_le=None)
    attendus = [
        "Confirmée par Pia Préfète (Préfecture) le 3 mars 2026 à 10:15",
        "Confirmée par Damien Dasen (Éducation nationale) le 4 mars 2026 à 10:15",
    ]

    instruction = connecter(agent_occitanie).get(reverse("admin:candidatures_candidature_change", args=[deposee.pk]))
    chronologie = [e.titre for e in instruction.context["chronologie"]]
    assert chronologie[:4] == ["Création du brouillon", *attendus, "Brouillon → déposée"]
    assert "Confirmée par Maud Maire" not in instruction.content.decode()

    html = connecter(porteur).get(reverse("candidatures:detail", args=[deposee.pk])).content.decode()
    historique = html[html.index(">Historique<") :]
    assert historique.index(attendus[0]) < historique.index(attendus[1]) < historique.index("Brouillon → déposée")
    assert "Confirmée par Maud Maire" not in historique
