"""Renewal (issue 13): a candidature pre-filled from the cité (perimeter, schools, actions,
partners, troïka, last revue), and the agents see what changed since the label."""

import datetime
import html

import pytest
from django.urls import reverse

from candidatures.models import Candidature
from cites.models import Commune, Etablissement, PersonneCite, RevueProjet
from partenaires.models import Action, Famille, LienPartenaire, Partenaire
from revues.models import Etat, Question, Reponse, Revue
from revues.renouvellement import candidature_renouvellement_create, derniere_revue_resume
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def cite_suivie(cite):
    ecole = Etablissement.objects.filter(commune__code="31555", education_prioritaire="REP+").order_by("uai").first()
    cite.etablissements.add(ecole)
    mediatheque = Partenaire.objects.create(nom="Médiathèque Grand M", famille=Famille.CULTURE)
    LienPartenaire.objects.create(cite=cite, partenaire=mediatheque, role="ateliers du mercredi")
    action = Action.objects.create(
        cite=cite, titre="Coup de pouce lecture", objectif="ecole", temps_apres=True, age_min=6, age_max=8
    )
    action.partenaires.add(mediatheque)
    PersonneCite.objects.create(
        cite=cite, role="troika_prefecture", nom="Pia Préfète", fonction="sous-préfète", email="p@gouv.fr"
    )
    PersonneCite.objects.create(cite=cite, role="cpo", nom="Carla Projet", email="carla@toulouse.fr")
    RevueProjet.objects.create(
        cite=cite, annee=2024, date=datetime.date(2024, 6, 28), resume="Bonne dynamique partenariale."
    )
    return cite, ecole


def test_a_renewal_is_pre_filled_from_the_cite_and_agents_see_what_changed(client, cite_suivie):
    cite, ecole = cite_suivie
    helpers.ensure_groupes_et_appels()
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    client.force_login(porteur)
    assert "Préparer le renouvellement de Toulouse Grand Mirail" in text_of(client.get(reverse("revues:liste")))
    response = client.post(reverse("revues:renouvellement", args=[cite.pk]))
    candidature = Candidature.objects.get(renouvellement_de=cite)
    assert response.status_code == 302 and response["Location"] == f"/candidatures/{candidature.pk}/etapes/territoire/"

    assert candidature.titre == "Renouvellement — Toulouse Grand Mirail"
    assert list(candidature.communes.values_list("code", flat=True)) == ["31555"]
    assert list(candidature.etablissements.all()) == [ecole]
    assert candidature.troika_prefecture == "Pia Préfète, sous-préfète"
    assert (candidature.chef_de_projet_nom, candidature.chef_de_projet_email) == ("Carla Projet", "carla@toulouse.fr")
    # The cité's people become the candidature's, to confirm (troïka) and invite (CPO) again.
    assert sorted(candidature.personnes.values_list("role", "nom", "fonction", "email", "confirme_le")) == [
        ("cpo", "Carla Projet", "", "carla@toulouse.fr", None),
        ("troika_prefecture", "Pia Préfète", "sous-préfète", "p@gouv.fr", None),
    ]
    assert (
        candidature.diagnostic == "Bilan de la période écoulée.\n\nRevue de projet 2024 : Bonne dynamique partenariale."
    )
    assert candidature.actions_ressources == "- Médiathèque Grand M : ateliers du mercredi"
    fiche = candidature.fiches_action.get()
    assert (fiche.titre, fiche.existante, fiche.partenaires, fiche.familles_partenaires) == (
        "Coup de pouce lecture",
        True,
        "Médiathèque Grand M",
        ["culture"],
    )

    # The porteur adds a commune: the agents see it beside the label's perimeter.
    candidature.communes.add(Commune.objects.get(code="31069"))
    helpers.placer(candidature, "deposee")  # agents see a candidature once it is filed
    agent = helpers.agent(email="agent@occitanie.gouv.fr", region="76")
    client.force_login(agent)
    response = client.get(reverse("revues:differences", args=[candidature.pk]))
    page = text_of(response)
    assert response.status_code == 200, page[:3000]
    communes = page[page.index("Communes") : page.index("QPV")]
    assert "<p>Ajouté :</p><ul><li>Blagnac (31069)</li></ul>" in communes
    assert "Coup de pouce lecture" not in page[page.index("Actions") :]  # unchanged
    client.force_login(helpers.agent(email="agent@ara.gouv.fr", region="84"))
    assert client.get(reverse("revues:differences", args=[candidature.pk])).status_code == 404


def test_a_porteur_cannot_renew_another_collectivite_cite(client, cite):
    helpers.ensure_groupes_et_appels()
    client.force_login(helpers.porteur(email="porteur@lyon.fr", commune="69123"))
    client.post(reverse("revues:renouvellement", args=[cite.pk]))
    assert not Candidature.objects.filter(renouvellement_de=cite).exists()


def test_a_renewal_carries_the_last_revue_accepted_by_the_anct(cite_suivie, questionnaire):
    cite, _ecole = cite_suivie
    revue = Revue.objects.create(cite=cite, questionnaire=questionnaire, etat=Etat.VUE_REGION)
    for libelle, valeur in [
        ("Nombre de réunions du comité de pilotage", "4"),
        ("Dotation de l'État reçue", "425 000"),
        ("Comment la gouvernance a-t-elle fonctionné ?", "Comité trimestriel."),
        ("Montant dépensé", "  "),  # left empty: not carried
    ]:
        Reponse.objects.create(
            revue=revue,
            question=Question.objects.get(section__questionnaire=questionnaire, libelle=libelle),
            valeur=valeur,
        )
    # Not yet accepted by the ANCT: the renewal carries the revue recorded by an agent.
    assert derniere_revue_resume(cite=cite) == "Revue de projet 2024 : Bonne dynamique partenariale."

    Revue.objects.filter(pk=revue.pk).update(etat=Etat.ACCEPTEE)
    helpers.ensure_groupes_et_appels()
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    candidature = candidature_renouvellement_create(user=porteur, cite=cite, appel=helpers.appel_permanent())
    assert candidature.diagnostic == (
        "Bilan de la période écoulée.\n\n"
        "Revue de projet 2026 (acceptée par l'ANCT)\n"
        "- Gouvernance — Nombre de réunions du comité de pilotage : 4\n"
        "- Gouvernance — Comment la gouvernance a-t-elle fonctionné ? : Comité trimestriel.\n"
        "- Gestion financière — Dotation de l'État reçue : 425 000"
    )
