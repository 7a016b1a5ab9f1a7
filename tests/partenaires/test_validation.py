"""Partners and actions entered by porteurs are public only once an agent has validated them
(issue 8 item 7); an agent sees what is pending and validates it from the admin."""

import html
import json

import pytest

from cites.models import CiteEducative
from partenaires.models import Action, Famille, LienPartenaire, Objectif, Partenaire

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def api(client, url, params=None) -> dict:
    response = client.get(url, params or {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def saisis_par_un_porteur(db):
    """What a label decision writes from a porteur's candidature: unvalidated."""
    cite = CiteEducative.objects.get(slug="creteil")
    partenaire = Partenaire.objects.create(nom="Ludothèque des Bleuets", famille=Famille.CULTURE)
    lien = LienPartenaire.objects.create(cite=cite, partenaire=partenaire, force=2, role="jeux", valide=False)
    action = Action.objects.create(
        cite=cite,
        titre="Jeux de société au collège",
        objectif=Objectif.POSSIBLES,
        temps_apres=True,
        valide=False,
    )
    action.partenaires.add(partenaire)
    return cite, lien, action


def _publics(client, cite) -> list[str]:
    """Where the porteur's partner or action could appear, and whether it does."""
    vus = []
    page = text_of(client.get(cite.get_absolute_url()))
    if "Ludothèque des Bleuets" in page or "Jeux de société au collège" in page:
        vus.append("page de la cité")
    if "Ludothèque des Bleuets" in text_of(client.get("/partenaires/")):
        vus.append("annuaire des partenaires")
    if api(client, "/api/partenaires/", {"cite": "creteil"})["count"]:
        vus.append("API partenaires")
    if any(
        a["titre"] == "Jeux de société au collège" for a in api(client, "/api/actions/", {"cite": "creteil"})["results"]
    ):
        vus.append("API actions")
    return vus


def test_nothing_a_porteur_entered_is_public_before_validation(client, saisis_par_un_porteur, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    cite, _lien, _action = saisis_par_un_porteur
    assert _publics(client, cite) == []


def test_a_partner_public_elsewhere_is_not_listed_for_the_cite_of_its_pending_link(client, saisis_par_un_porteur):
    cite, lien, _action = saisis_par_un_porteur
    LienPartenaire.objects.create(cite=CiteEducative.objects.get(slug="orly"), partenaire=lien.partenaire)
    assert api(client, "/api/partenaires/", {"cite": "creteil"})["count"] == 0
    orly = api(client, "/api/partenaires/", {"cite": "orly"})
    assert [p["nom"] for p in orly["results"]] == ["Ludothèque des Bleuets"]
    assert [c["cite"]["slug"] for c in orly["results"][0]["cites"]] == ["orly"]


def test_agent_sees_what_is_pending_and_validates_it(
    client, admin_client, saisis_par_un_porteur, settings, django_capture_on_commit_callbacks
):
    cite, lien, action = saisis_par_un_porteur
    # The public pages are cached before the validation…
    assert _publics(client, cite) == []

    liste = text_of(admin_client.get("/admin/partenaires/action/", {"valide": "0"}))
    assert "1 en attente de validation (saisis par des porteurs, non publiés)" in liste
    assert "Jeux de société au collège" in liste
    assert "en attente de validation (1)" in liste  # the filter counts them

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/partenaires/action/", {"action": "valider", "_selected_action": [action.pk]}, follow=True
        )
        assert "1 élément(s) validé(s) : ils sont désormais publiés." in text_of(response)
        response = admin_client.post(
            "/admin/partenaires/lienpartenaire/", {"action": "valider", "_selected_action": [lien.pk]}, follow=True
        )
        assert "1 élément(s) validé(s) : ils sont désormais publiés." in text_of(response)

    action.refresh_from_db()
    assert action.valide and action.valide_le is not None and action.valide_par.username == "admin"
    # …and show them right after it.
    assert _publics(client, cite) == ["page de la cité", "annuaire des partenaires", "API partenaires", "API actions"]
    assert "saisis par des porteurs, non publiés" not in text_of(admin_client.get("/admin/partenaires/action/"))


def test_validating_twice_says_there_was_nothing_to_validate(admin_client, saisis_par_un_porteur):
    _cite, _lien, action = saisis_par_un_porteur
    admin_client.post("/admin/partenaires/action/", {"action": "valider", "_selected_action": [action.pk]})
    response = admin_client.post(
        "/admin/partenaires/action/", {"action": "valider", "_selected_action": [action.pk]}, follow=True
    )
    assert "Rien à valider : les éléments sélectionnés l’étaient déjà." in text_of(response)


def test_what_an_agent_enters_in_the_admin_is_public_at_once():
    lien = LienPartenaire(cite=CiteEducative.objects.get(slug="orly"), partenaire=Partenaire(nom="x", famille="etat"))
    assert lien.valide is True
