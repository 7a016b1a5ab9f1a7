"""The label decision keeps the registry right: the agent creates a cité or extends one, a commune
already in a cité proposes that cité, new cités continue the ANCT numbering, funding dates follow
the decision, and the candidature and its cité link to each other."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidatures import services
from candidatures.models import Candidature, Etat
from cites.models import CiteEducative, Commune
from cites.services import cite_prolong
from tests.candidatures import helpers
from tests.candidatures.test_labellisation import fiches_set, jusqu_a_l_avis

pytestmark = pytest.mark.django_db

INSTRUCTION = "admin:candidatures_candidature_change"


@pytest.fixture
def prete(porteur, candidature, agent_occitanie):
    """The complete Toulouse candidature (budget for this year only), waiting for the ANCT decision."""
    fiches_set(candidature=candidature, user=porteur)
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="budget",
        lignes=[{"annee": timezone.localdate().year, "cofinanceur": "État", "objet": "Actions", "montant": 90000}],
    )
    return jusqu_a_l_avis(candidature=candidature, porteur=porteur, agent=agent_occitanie)


def decider(client, candidature, **donnees):
    return client.post(
        reverse(INSTRUCTION, args=[candidature.pk]),
        {"action": "transition", "cible": "labellisee", "message": "Projet solide et partagé.", **donnees},
    )


def test_the_decision_proposes_the_cite_of_a_commune_already_labelled(prete, agent_national, connecter):
    # Toulouse is in the real cité « Toulouse Grand Mirail » of the ANCT list.
    grand_mirail = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    page = connecter(agent_national).get(reverse(INSTRUCTION, args=[prete.pk]))
    html = page.content.decode()
    assert "Toulouse fait déjà partie de la cité" in html and "« Toulouse Grand Mirail »" in html
    assert f'<option value="{grand_mirail.pk}" selected>Étendre « Toulouse Grand Mirail » (cite-' in html
    assert '<option value="nouvelle">Créer une nouvelle cité éducative</option>' in html


def test_the_proposed_extension_chosen_adds_no_second_cite(prete, agent_national, connecter):
    grand_mirail = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    avant = CiteEducative.objects.count()
    reponse = decider(connecter(agent_national), prete, cite_choix=str(grand_mirail.pk))
    assert reponse.status_code == 302
    prete.refresh_from_db()
    assert prete.etat == Etat.LABELLISEE and prete.cite == grand_mirail
    assert CiteEducative.objects.count() == avant
    grand_mirail.refresh_from_db()
    assert grand_mirail.statut == CiteEducative.Statut.ETENDUE
    assert grand_mirail.evenements.filter(type="extension", reference_decision=prete.reference).exists()


def test_another_cite_of_the_departement_may_be_extended(prete, agent_national, connecter):
    colomiers = CiteEducative.objects.get(slug="colomiers")
    decider(connecter(agent_national), prete, cite_choix=str(colomiers.pk))
    prete.refresh_from_db()
    assert prete.cite == colomiers
    assert "31555" in set(colomiers.communes.values_list("code", flat=True))


def test_a_new_cite_gets_the_next_anct_identifiant_and_three_years_of_funding(prete, agent_national, connecter):
    client = connecter(agent_national)
    reponse = decider(client, prete, cite_choix="nouvelle")
    assert reponse.status_code == 302
    prete.refresh_from_db()
    cite = prete.cite
    annee = timezone.localdate().year
    assert cite.identifiant == "cite-209"  # the ANCT list ends at cite-208
    assert cite.nom == "Grand Mirail" and cite.statut == CiteEducative.Statut.LABELLISEE
    assert cite.fin_financement == datetime.date(annee + 2, 12, 31)
    label = cite.evenements.get(type="label")
    assert label.date == timezone.localdate() and label.fin_financement == datetime.date(annee + 2, 12, 31)
    # The candidature links to its cité, and back.
    html = client.get(reverse(INSTRUCTION, args=[prete.pk])).content.decode()
    assert "Grand Mirail (cite-209)" in html and reverse("admin:cites_citeeducative_change", args=[cite.pk]) in html
    fiche = client.get(reverse("admin:cites_citeeducative_change", args=[cite.pk])).content.decode()
    assert f"{prete.reference} — Cité éducative du Grand Mirail" in fiche
    publique = client.get(cite.get_absolute_url()).content.decode()
    assert "Réservé aux agents" in publique and prete.reference in publique


def test_the_public_never_sees_the_candidatures_of_a_cite(prete, agent_national, connecter, client):
    decider(connecter(agent_national), prete, cite_choix="nouvelle")
    prete.refresh_from_db()
    client.logout()
    page = client.get(prete.cite.get_absolute_url()).content.decode()
    assert "Réservé aux agents" not in page
    assert reverse(INSTRUCTION, args=[prete.pk]) not in page


def test_two_new_cites_take_two_successive_numbers(prete, porteur_lyon, appel, agent_ara, agent_national, connecter):
    lyon = helpers.candidature_complete(user=porteur_lyon, appel=appel)
    lyon = jusqu_a_l_avis(candidature=lyon, porteur=porteur_lyon, agent=agent_ara)
    client = connecter(agent_national)
    decider(client, prete, cite_choix="nouvelle")
    decider(client, lyon, cite_choix="nouvelle")
    identifiants = Candidature.objects.filter(pk__in=[prete.pk, lyon.pk]).order_by("pk")
    assert list(identifiants.values_list("cite__identifiant", flat=True)) == ["cite-209", "cite-210"]


def test_no_choice_no_decision(prete, agent_national, connecter):
    reponse = decider(connecter(agent_national), prete)
    assert reponse.status_code == 409
    assert "Choisissez de créer une nouvelle cité éducative ou la cité à étendre." in reponse.content.decode()
    prete.refresh_from_db()
    assert prete.etat == Etat.AVIS_EMIS and prete.cite is None and prete.cite_etendue is None


def test_a_cite_out_of_the_offer_is_refused(prete, agent_national, connecter):
    ailleurs = CiteEducative.objects.exclude(communes__departement__code="31").first()
    reponse = decider(connecter(agent_national), prete, cite_choix=str(ailleurs.pk))
    assert reponse.status_code == 409
    prete.refresh_from_db()
    assert prete.etat == Etat.AVIS_EMIS


def test_a_prolongation_dated_before_the_label_is_refused(prete, agent_national, connecter):
    decider(connecter(agent_national), prete, cite_choix="nouvelle")
    prete.refresh_from_db()
    cite = prete.cite
    veille = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as erreur:
        cite_prolong(cite=cite, fin_financement=datetime.date(2040, 12, 31), date=veille, reference_decision="DEC-1")
    assert "La prolongation ne peut pas précéder le label" in str(erreur.value)


def test_regional_agents_cannot_decide(prete, agent_occitanie, connecter):
    page = connecter(agent_occitanie).get(reverse(INSTRUCTION, args=[prete.pk]))
    assert 'id="choix-cite"' not in page.content.decode()
    assert Commune.objects.filter(code="31555").exists()
