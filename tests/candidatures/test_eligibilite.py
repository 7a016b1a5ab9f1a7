"""« Mon territoire est-il éligible ? » (/eligibilite/): the open call's criteria checked by the
filing checks themselves, the territory's QPVs, schools and IPS, the PDF, and the deposit
pre-filled with the territory (issue 14)."""

import html
import re

import pytest
from django.urls import reverse

from candidatures import selectors
from candidatures.models import Candidature, Critere
from candidatures.selectors import NON_CONFORME, ResultatVerification
from cites.models import Commune, Epci

pytestmark = pytest.mark.django_db

ELIGIBILITE = reverse("eligibilite:page")


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def criteres(page: str) -> dict[str, str]:
    """Criterion title → the badge shown next to it."""
    return {
        titre.strip(): statut
        for titre, statut in re.findall(
            r"<strong>([^<]+)</strong> <span class=\"fr-badge fr-badge--sm fr-badge--\w+\">([^<]+)</span>", page
        )
    }


def test_montauban_has_three_qpvs_rep_schools_and_meets_the_automatic_criteria(client, appel):
    response = client.get(ELIGIBILITE, {"territoire": "82121"})
    page = text_of(response)

    assert response.status_code == 200
    assert '<h2 id="territoire">Montauban (82121, Tarn-et-Garonne)</h2>' in page
    assert '<p class="cites-chiffres__valeur" id="chiffre-qpv">3</p>' in page
    for code, nom in [("QN08201I", "Cœur de Ville"), ("QN08202M", "Médiathèque"), ("QN08205N", "Beausoleil-Bas")]:
        assert f"<tr><td>{code}</td><td>{nom}</td>" in page
    assert "QP082001" not in page  # a 2015 QPV is not a 2024 one
    assert criteres(page) == {
        "Le territoire est un quartier prioritaire de la politique de la ville (QPV)": "rempli",
        "Un collège chef de file pour les écoles du périmètre": "rempli",
        "Des indicateurs scolaires, sociaux et économiques fragiles appelant une action contre le décrochage "
        "scolaire": "à vérifier",
        "Des actions sur les différents temps éducatifs : avant, pendant et après la classe": "à vérifier",
        "Le projet s'appuie sur des actions qui existent déjà sur le territoire": "à vérifier",
        "Un pilotage opérationnel des acteurs, chacun avec son rôle": "à vérifier",
        "Les actions ressources existantes et les actions complémentaires sont détaillées": "à vérifier",
        "Un budget": "à vérifier",
        "Un plan de communication et une démarche d'évaluation": "à vérifier",
        "Des écoles en éducation prioritaire (REP ou REP+) : une priorité, plus une condition": "indicateur",
        "L'indice de position sociale (IPS) des écoles, face à la moyenne du département": "indicateur",
    }
    # The reasons: the QPVs and the REP schools found, as a deposit would say them.
    assert "QPV QN08201I (Cœur de Ville) sur la commune de Montauban" in page
    assert "12 écoles REP" in page and "1 collège REP" in page
    assert "Aucune cité éducative labellisée ne couvre encore cette commune." in page
    # The collèges that could lead the cité: public, in a commune with a QPV, lowest IPS first.
    chefs = page[page.index('id="chefs-de-file"') : page.index('id="ecoles"')]
    assert re.findall(r"(Collège [^<]+) <span class=\"fr-text--xs fr-text--regular\">(\w+)</span>", chefs) == [
        ("Collège Ingres", "0820022D"),
        ("Collège Manuel Azana", "0820896D"),
        ("Collège Olympe de Gouges", "0820588U"),
        ("Collège Jean Jaurès", "0820684Y"),
    ]
    assert "94,2" in chefs
    # The IPS of the département, beside the territory's.
    assert "82,7" in page and "Tarn-et-Garonne : 101,0" in page
    # « Déposer une candidature » carries the territory; the pre-diagnostic too.
    assert f'href="{reverse("candidatures:tableau_de_bord")}?territoire=commune-82121"' in page
    assert f'href="{reverse("eligibilite:pdf")}?cle=commune-82121"' in page


def test_a_commune_without_qpv_nor_rep_school_meets_neither_automatic_criterion(client, appel):
    page = text_of(client.get(ELIGIBILITE, {"territoire": "Balma"}))

    assert "Balma (31044, Haute-Garonne)" in page
    assert '<p class="cites-chiffres__valeur" id="chiffre-qpv">0</p>' in page
    statuts = criteres(page)
    assert statuts["Le territoire est un quartier prioritaire de la politique de la ville (QPV)"] == "non rempli"
    assert statuts["Un collège chef de file pour les écoles du périmètre"] == "non rempli"
    assert statuts["Des écoles en éducation prioritaire (REP ou REP+) : une priorité, plus une condition"] == (
        "indicateur"
    )
    assert "Aucun QPV 2024 sur la commune de Balma" in page
    assert "Aucun collège public dans une commune du territoire qui compte un quartier prioritaire" in page
    assert "Aucune école ni aucun collège REP ou REP+ sur les communes choisies" in page
    assert (
        "Aucun collège public n’est recensé dans une commune du territoire qui compte un quartier prioritaire." in page
    )


def test_without_annuaire_the_rep_criterion_is_to_be_checked_never_refused(client, appel):
    page = text_of(client.get(ELIGIBILITE, {"cle": "commune-35238"}))  # Rennes: no annuaire for 35

    statuts = criteres(page)
    assert statuts["Le territoire est un quartier prioritaire de la politique de la ville (QPV)"] == "rempli"
    assert statuts["Un collège chef de file pour les écoles du périmètre"] == "à vérifier"
    assert "Données de référence absentes pour cette commune (Rennes)" in page
    # Its schools are known by their IPS (national files) instead.
    assert "L’annuaire de l’éducation n’est pas chargé pour ce département" in page
    assert "Tous les établissements : " in page


def test_an_intercommunality_is_checked_over_its_member_communes(client, appel):
    page = text_of(client.get(ELIGIBILITE, {"territoire": "248200099"}))
    assert "CA Grand Montauban (intercommunalité, SIREN 248200099)" in page
    assert "Montauban" in page and "membres" in page
    assert criteres(page)["Le territoire est un quartier prioritaire de la politique de la ville (QPV)"] == "rempli"


def test_several_matches_are_offered_and_an_unknown_name_is_said(client, appel):
    page = text_of(client.get(ELIGIBILITE, {"territoire": "Saint-Denis"}))
    assert "Plusieurs territoires correspondent" in page
    assert "?cle=commune-93066" in page and "?cle=commune-97411" in page

    response = client.get(ELIGIBILITE, {"territoire": "Zzzville"})
    assert "Aucune commune ni intercommunalité ne correspond à « Zzzville »" in text_of(response)
    assert 'value="Zzzville"' in response.content.decode()
    assert client.get(ELIGIBILITE, {"cle": "commune-00000"}).status_code == 404


def test_the_simulator_follows_a_new_kind_of_automatic_check_without_change(client, appel, monkeypatch):
    """One implementation: a check added to the filing checks' registry (as issue 13 will add the
    collège chef de file) is run by the simulator for the criterion that asks for it."""
    monkeypatch.setitem(
        selectors.VERIFICATIONS, "college", lambda t: ResultatVerification(NON_CONFORME, ["aucun collège chef de file"])
    )
    Critere.objects.filter(appel=appel, numero=5).update(verification="college")

    page = text_of(client.get(ELIGIBILITE, {"cle": "commune-82121"}))

    assert criteres(page)["Le projet s'appuie sur des actions qui existent déjà sur le territoire"] == "non rempli"
    assert "Aucun collège chef de file" in page


def test_the_pre_diagnostic_is_a_pdf(client, appel):
    response = client.get(reverse("eligibilite:pdf"), {"cle": "commune-82121"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pre-diagnostic-commune-82121.pdf"'
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("eligibilite:pdf"), {"cle": "nimporte"}).status_code == 404


def test_page_queries_do_not_grow_with_the_territory(client, appel, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(20):
        client.get(ELIGIBILITE, {"cle": "commune-82121"})
    with django_assert_max_num_queries(20):
        client.get(ELIGIBILITE, {"cle": "epci-243100518"})  # Toulouse Métropole, 37 communes


# --- « Déposer une candidature » with the territory ------------------------------------------


def test_anonymous_visitor_goes_through_log_in_and_sign_up_with_the_territory(client, appel):
    depot = f"{reverse('candidatures:tableau_de_bord')}?territoire=commune-82121"
    response = client.get(depot)
    assert response.status_code == 302
    login = response["Location"]
    assert login.startswith(reverse("comptes:connexion")) and "territoire%3Dcommune-82121" in login
    page = client.get(login).content.decode()
    signup = re.search(r'href="(/comptes/inscription/\?next=[^"]+)"', page).group(1)
    form = client.get(html.unescape(signup)).content.decode()
    assert 'value="82121"' in form  # the commune is pre-filled


def test_the_porteur_s_draft_starts_with_the_simulated_territory(client, appel, connecter):
    from tests.candidatures import helpers

    porteur = helpers.porteur(email="porteur@montauban.fr", commune="82121")
    connecter(porteur)
    page = text_of(client.get(reverse("candidatures:tableau_de_bord"), {"territoire": "commune-82121"}))
    assert "votre prochain brouillon commencera avec Montauban et ses quartiers prioritaires" in page
    assert '<input type="hidden" name="territoire" value="commune-82121">' in page

    client.post(reverse("candidatures:nouvelle"), {"appel": appel.pk, "territoire": "commune-82121"})

    candidature = Candidature.objects.get(collectivite__code="82121")
    assert list(candidature.communes.values_list("code", flat=True)) == ["82121"]
    assert sorted(candidature.qpvs.values_list("code", flat=True)) == ["QN08201I", "QN08202M", "QN08205N"]


def test_a_territory_that_is_not_the_porteur_s_is_not_taken(client, appel, connecter, porteur):
    connecter(porteur)  # a porteur of Toulouse
    page = text_of(client.get(reverse("candidatures:tableau_de_bord"), {"territoire": "commune-82121"}))
    assert "n’est pas celui de Toulouse" in page
    client.post(reverse("candidatures:nouvelle"), {"appel": appel.pk, "territoire": "commune-82121"})
    candidature = Candidature.objects.get(collectivite__code="31555")
    assert list(candidature.communes.values_list("code", flat=True)) == ["31555"]
    assert not candidature.qpvs.exists()


def test_an_intercommunality_s_porteur_may_start_with_one_of_its_communes(appel):
    from candidatures import services
    from tests.candidatures import helpers

    porteur = helpers.porteur(email="porteur@montauban.fr", commune="82121")
    epci = services.collectivite_get_or_create_epci(siren="248200099", epci=Epci.objects.get(siren="248200099"))
    porteur.profil_porteur.collectivite = epci
    porteur.profil_porteur.save()
    communes = selectors.territoire_pour_collectivite(cle="commune-82121", collectivite=epci)
    assert [c.code for c in communes] == ["82121"]
    candidature = services.candidature_create(user=porteur, appel=appel, communes=communes)
    assert list(candidature.communes.all()) == [Commune.objects.get(code="82121")]
