"""The fiches action on a cité's page: what each shows, filters by objective and temps éducatif
(GET, without JavaScript), counts; their entry in the admin; the cache follows them."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cites.models import CiteEducative
from partenaires.models import Action, Famille, Objectif, Partenaire

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def titles(page: str) -> list[str]:
    return re.findall(r'<h3 class="fr-card__title" id="action-\d+">([^<]+)</h3>', page)


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    match = re.search(r'<option value="([^"]*)"[^>]*selected>', select)
    return match.group(1) if match else ""


def option_label(page: str, name: str, value: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.search(rf'<option value="{value}"[^>]*>([^<]+)</option>', select).group(1)


@pytest.fixture
def cite():
    return CiteEducative.objects.get(slug="toulouse-grand-mirail")


@pytest.fixture
def actions(cite):
    mairie = Partenaire.objects.create(nom="Mairie de Toulouse", famille=Famille.COLLECTIVITES)
    caf = Partenaire.objects.create(nom="CAF de la Haute-Garonne", famille=Famille.ETAT)
    petit_dejeuner = Action.objects.create(
        cite=cite,
        titre="Petits déjeuners à l'école",
        objectif=Objectif.ECOLE,
        temps_avant=True,
        age_min=3,
        age_max=11,
        existante=True,
        budget=Decimal("12000"),
    )
    petit_dejeuner.partenaires.add(mairie, caf)
    Action.objects.create(
        cite=cite,
        titre="Clubs de lecture",
        objectif=Objectif.CONTINUITE,
        temps_apres=True,
        age_min=6,
        age_max=15,
        budget=Decimal("1500.50"),
    )
    Action.objects.create(
        cite=cite,
        titre="Découverte des métiers",
        objectif=Objectif.POSSIBLES,
        temps_pendant=True,
        temps_apres=True,
        age_min=14,
        age_max=25,
    )
    Action.objects.create(cite=cite, titre="Aide aux devoirs", objectif=Objectif.ECOLE, temps_apres=True)


def test_each_action_shows_objective_temps_ages_novelty_budget_and_partners(client, cite, actions):
    response = client.get(cite.get_absolute_url())
    assert "12\u202f000\u202f€" in response.content.decode()
    page = text_of(response)
    assert "Fiches action (4)" in page
    assert titles(page) == [
        "Aide aux devoirs",
        "Petits déjeuners à l'école",
        "Clubs de lecture",
        "Découverte des métiers",
    ]
    card = re.search(r"Petits déjeuners à l'école</h3>(.*?)</article>", page).group(1)
    assert "Conforter le rôle de l'école" in card
    assert "Action existante" in card
    assert "<dt>Temps éducatifs</dt> <dd>Avant la classe</dd>" in card
    assert "<dt>Âges</dt> <dd>de 3 à 11 ans</dd>" in card
    assert "<dt>Budget</dt> <dd>12 000 €</dd>" in card  # narrow no-break spaces, as French typography wants
    assert "<dd>CAF de la Haute-Garonne, Mairie de Toulouse</dd>" in card
    clubs = re.search(r"Clubs de lecture</h3>(.*?)</article>", page).group(1)
    assert "Action nouvelle" in clubs and "<dd>1 500,50 €</dd>" in clubs
    assert "aucun partenaire indiqué" in clubs
    metiers = re.search(r"Découverte des métiers</h3>(.*?)</article>", page).group(1)
    assert "Pendant la classe, après la classe" in metiers and "<dd>non renseigné</dd>" in metiers


def test_filter_by_objective_keeps_the_choice_and_counts(client, cite, actions):
    response = client.get(cite.get_absolute_url(), {"objectif": Objectif.ECOLE})
    page = text_of(response)
    assert titles(page) == ["Aide aux devoirs", "Petits déjeuners à l'école"]
    assert "2 actions sur 4 pour ces filtres" in page
    assert selected(page, "objectif") == "ecole"
    # Each choice says how many actions it would show.
    assert option_label(page, "objectif", "continuite").endswith("(1)")
    assert option_label(page, "objectif", "ecole") == "Conforter le rôle de l'école (2)"
    assert option_label(page, "temps", "apres") == "Après la classe (1)"  # among the 2 of this objective
    assert option_label(page, "temps", "avant") == "Avant la classe (1)"


def test_filter_by_temps_and_both(client, cite, actions):
    page = text_of(client.get(cite.get_absolute_url(), {"temps": "apres"}))
    assert titles(page) == ["Aide aux devoirs", "Clubs de lecture", "Découverte des métiers"]
    assert option_label(page, "objectif", "ecole").endswith("(1)")
    assert selected(page, "temps") == "apres"

    page = text_of(client.get(cite.get_absolute_url(), {"temps": "apres", "objectif": "possibles"}))
    assert titles(page) == ["Découverte des métiers"]
    assert "1 action sur 4 pour ces filtres" in page

    page = text_of(client.get(cite.get_absolute_url(), {"temps": "avant", "objectif": "possibles"}))
    assert titles(page) == []
    assert "Aucune action ne correspond à ces filtres." in page


def test_the_filter_form_works_without_javascript(client, cite, actions):
    page = client.get(cite.get_absolute_url()).content.decode()
    form = re.search(
        r'<form method="get" action="([^"]+)" aria-labelledby="titre-filtres-actions">(.*?)</form>', page, re.S
    )
    assert form.group(1) == f"{cite.get_absolute_url()}#actions"
    assert '<button type="submit" class="fr-btn">Filtrer les actions</button>' in form.group(2)
    assert '<label for="id_objectif" class="fr-label">' in form.group(2)


def test_unknown_filter_value_is_reported_and_ignored(client, cite, actions):
    response = client.get(cite.get_absolute_url(), {"objectif": "toto", "temps": "apres"})
    assert response.status_code == 400  # the client's error, said on the page; never cached
    page = text_of(response)
    assert "Objectif inconnu : « toto »" in page
    assert titles(page) == ["Aide aux devoirs", "Clubs de lecture", "Découverte des métiers"]


def test_cite_without_action_has_no_action_section(client):
    page = text_of(client.get(CiteEducative.objects.get(slug="orly").get_absolute_url()))
    assert 'id="actions"' not in page


def test_cite_page_queries_do_not_grow_with_actions_and_partners(client, cite, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = cite.get_absolute_url()
    # The territory's reads (QPVs, schools and their IPS, means of the département) come on top.
    with django_assert_max_num_queries(16):
        client.get(url)
    partenaires = [Partenaire.objects.create(nom=f"Partenaire {i}", famille=Famille.values[i % 7]) for i in range(30)]
    for index in range(40):
        action = Action.objects.create(
            cite=cite, titre=f"Action {index:02d}", objectif=Objectif.values[index % 3], temps_pendant=True
        )
        action.partenaires.add(*partenaires[index % 10 : index % 10 + 5])
    with django_assert_max_num_queries(16):
        page = text_of(client.get(url, {"temps": "pendant"}))
    assert len(titles(page)) == 40


def test_cache_follows_actions_and_their_partners(client, cite, django_capture_on_commit_callbacks):
    url = cite.get_absolute_url()
    assert 'id="actions"' not in text_of(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        action = Action.objects.create(
            cite=cite, titre="Chorale de quartier", objectif=Objectif.POSSIBLES, temps_apres=True
        )
    assert "Chorale de quartier" in text_of(client.get(url))
    assert client.get(url)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        action.partenaires.add(Partenaire.objects.create(nom="Conservatoire", famille=Famille.CULTURE))
    assert "<dd>Conservatoire</dd>" in text_of(client.get(url))


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client_fr(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "mot-de-passe-solide"))
    return client


def test_agent_enters_actions_on_the_cite_admin_page(admin_client_fr, cite):
    url = reverse("admin:cites_citeeducative_change", args=[cite.pk])
    page = admin_client_fr.get(url).content.decode()
    assert 'id="actions-group"' in page and 'id="liens_partenaires-group"' in page
    # Partners by their ids and the partners' list pop-up (an accessible name, unlike select2's
    # widget), never a giant select.
    champ = re.search(r'<input type="text" name="actions-__prefix__-partenaires"[^>]*>', page).group(0)
    assert "vManyToManyRawIdAdminField" in champ
    assert '<select name="actions-__prefix__-partenaires"' not in page


def test_action_admin_explains_its_constraints_in_french(admin_client_fr, cite):
    partenaire = Partenaire.objects.create(nom="Mairie de Toulouse", famille=Famille.COLLECTIVITES)
    url = reverse("admin:partenaires_action_add")
    data = {"cite": cite.pk, "titre": "Sans temps", "objectif": "ecole", "age_min": 12, "age_max": 8}
    response = admin_client_fr.post(url, data)
    page = text_of(response)
    assert response.status_code == 200
    assert "Cochez au moins un temps éducatif : avant, pendant ou après la classe." in page
    assert "L’âge minimal doit être inférieur ou égal à l’âge maximal." in page
    assert 'value="Sans temps"' in page  # what was typed is kept
    response = admin_client_fr.post(
        url, {**data, "temps_apres": "on", "age_max": 15, "partenaires": [partenaire.pk], "budget": "2500"}
    )
    assert response.status_code == 302
    action = Action.objects.get(titre="Sans temps")
    assert list(action.partenaires.all()) == [partenaire]
    assert action.temps == ["après la classe"]
