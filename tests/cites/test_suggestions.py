"""« Proposer une correction »: the public form, its spam guards, and agents answering in the admin."""

import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cites.models import CiteEducative, Suggestion

pytestmark = pytest.mark.django_db

VALID = {
    "champ": "annee",
    "message": "La cité a été labellisée en 2021, pas en 2019 (arrêté du 3 mai 2021).",
    "email": "",
}


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def cite():
    return CiteEducative.objects.get(slug="orly")


@pytest.fixture
def url(cite):
    return reverse("cites:corriger", kwargs={"slug": cite.slug})


def test_cite_page_leads_to_the_form(client, cite, url):
    page = text_of(client.get(cite.get_absolute_url()))
    assert f'<a class="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left" href="{url}">' in page
    response = client.get(url)
    assert response.status_code == 200
    page = text_of(response)
    assert "<h1>Proposer une correction</h1>" in page
    for label in ("Élément concerné", "Votre proposition", "Votre adresse électronique"):
        assert label in page
    assert "no-cache" in response["Cache-Control"]  # it carries the visitor's CSRF token


def test_a_suggestion_is_recorded_and_thanked(client, cite, url):
    response = client.post(url, {**VALID, "email": "parent@example.org"}, follow=True)
    assert response.redirect_chain == [(cite.get_absolute_url(), 302)]
    assert "Merci ! Votre proposition de correction a bien été transmise." in text_of(response)
    suggestion = Suggestion.objects.get()
    assert (suggestion.cite, suggestion.champ, suggestion.statut) == (cite, "annee", Suggestion.Statut.NOUVELLE)
    assert suggestion.email == "parent@example.org"
    # The thanks are for this visitor only: the next visit shows the page without them.
    assert "Merci !" not in text_of(client.get(cite.get_absolute_url()))


def test_errors_keep_what_was_typed(client, url):
    response = client.post(
        url, {"champ": "", "message": "Le collège Robert Desnos manque.", "email": "pas-une-adresse"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Votre proposition n’a pas été envoyée" in page
    assert "Choisissez l’élément de la page que votre proposition concerne." in page
    assert "Adresse électronique invalide. Format attendu : nom@domaine.fr" in page
    assert "Le collège Robert Desnos manque.</textarea>" in page
    assert 'value="pas-une-adresse"' in page
    assert not Suggestion.objects.exists()


def test_honeypot_is_hidden_and_a_robot_filling_it_records_nothing(client, cite, url, settings):
    page = client.get(url).content.decode()
    honeypot = re.search(r'<div class="cites-hp">(.*?)</div>\s*<ul', page, re.S).group(1)
    assert 'name="site_web"' in honeypot and 'tabindex="-1"' in honeypot
    # The class hides it from everyone, screen readers included (display: none).
    css = (settings.BASE_DIR / "static" / "css" / "portail.css").read_text()
    assert re.search(r"\.cites-hp \{ display: none", css)

    response = client.post(url, {**VALID, "site_web": "https://pilules.example"}, follow=True)
    assert "Merci !" in text_of(response)  # nothing tells the robot it was caught
    assert not Suggestion.objects.exists()


def test_rate_limit_per_client_keeps_the_text(client, url, settings):
    settings.SUGGESTIONS_PER_HOUR = 5
    for index in range(5):
        assert client.post(url, {**VALID, "message": f"Correction {index}"}, REMOTE_ADDR="192.0.2.7").status_code == 302
    response = client.post(url, {**VALID, "message": "Une sixième"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429
    page = text_of(response)
    assert "Vous avez envoyé beaucoup de propositions en peu de temps" in page
    assert "Réessayez dans une heure" in page
    assert "Une sixième</textarea>" in page
    assert Suggestion.objects.count() == 5
    # Another visitor is not held back.
    assert client.post(url, VALID, REMOTE_ADDR="198.51.100.3").status_code == 302
    assert Suggestion.objects.count() == 6


def test_rate_limit_behind_a_proxy_counts_each_client(client, url, settings):
    settings.SUGGESTIONS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.post(url, VALID, HTTP_X_FORWARDED_FOR="192.0.2.7", **proxy).status_code == 302
    assert client.post(url, VALID, HTTP_X_FORWARDED_FOR="198.51.100.3", **proxy).status_code == 302
    # A forged first entry does not escape the limit: the proxy's own entry is the last one.
    assert client.post(url, VALID, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7", **proxy).status_code == 429


def test_email_is_never_shown_publicly(client, cite, url):
    client.post(url, {**VALID, "email": "parent.secret@example.org"})
    assert Suggestion.objects.filter(email="parent.secret@example.org").exists()
    for page_url in (cite.get_absolute_url(), url, reverse("cites:liste"), reverse("partenaires:annuaire"), "/"):
        assert "parent.secret@example.org" not in client.get(page_url).content.decode(), page_url


def test_unknown_or_unpublished_cite_has_no_form(client, cite, url):
    assert client.get(reverse("cites:corriger", kwargs={"slug": "nexiste-pas"})).status_code == 404
    cite.publiee = False
    cite.save()
    assert client.post(url, VALID).status_code == 404
    assert not Suggestion.objects.exists()


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def agent(client, django_user_model):
    user = django_user_model.objects.create_user("agent@anct.gouv.fr", "agent@anct.gouv.fr", "x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_suggestion", "change_suggestion"]))
    client.force_login(user)
    return user


@pytest.fixture
def suggestions(cite):
    creteil = CiteEducative.objects.get(slug="creteil")
    toulouse = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    return [
        Suggestion.objects.create(cite=cite, champ="annee", message="Année fausse", email="a@example.org"),
        Suggestion.objects.create(cite=creteil, champ="nom", message="Nom incomplet"),
        Suggestion.objects.create(cite=toulouse, champ="autre", message="Achetez nos pilules"),
    ]


def test_admin_lists_suggestions_with_filters(client, agent, suggestions):
    changelist = reverse("admin:cites_suggestion_changelist")
    page = client.get(changelist).content.decode()
    assert 'id="changelist-filter"' in page
    titles = re.findall(r"<summary>\s*Par ([^<]+?)\s*</summary>", page)
    assert titles == ["statut", "élément concerné", "cité éducative", "région"]
    region = suggestions[2].cite.communes.first().departement.region
    assert f">{region.nom}</a>" in page
    occitanie = client.get(changelist, {"cite__communes__departement__region__id__exact": region.pk})
    assert [s.pk for s in occitanie.context["cl"].result_list] == [suggestions[2].pk]
    nouvelles = client.get(changelist, {"statut__exact": "nouvelle"})
    assert nouvelles.context["cl"].result_count == 3
    # Suggestions come from the public pages only.
    assert client.get(reverse("admin:cites_suggestion_add")).status_code == 403


def test_agent_closes_a_suggestion_with_a_reply(client, agent, suggestions):
    suggestion = suggestions[0]
    url = reverse("admin:cites_suggestion_change", args=[suggestion.pk])
    page = text_of(client.get(url))
    assert "Année fausse" in page and "a@example.org" in page  # agents see the address

    response = client.post(url, {"statut": "traitee", "reponse": ""})
    assert response.status_code == 200
    assert "Écrivez la réponse faite à la proposition." in text_of(response)
    suggestion.refresh_from_db()
    assert suggestion.statut == Suggestion.Statut.NOUVELLE

    response = client.post(url, {"statut": "traitee", "reponse": "Année corrigée, merci."})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.statut == Suggestion.Statut.TRAITEE
    assert suggestion.reponse == "Année corrigée, merci."
    assert suggestion.traitee_par == agent and suggestion.traitee_le is not None


def test_agent_rejects_spam_in_bulk(client, agent, suggestions):
    changelist = reverse("admin:cites_suggestion_changelist")
    response = client.post(
        changelist, {"action": "rejeter_indesirables", "_selected_action": [suggestions[2].pk]}, follow=True
    )
    assert "1 proposition(s) rejetée(s) comme indésirables." in text_of(response)
    suggestions[2].refresh_from_db()
    assert suggestions[2].statut == Suggestion.Statut.REJETEE and suggestions[2].traitee_par == agent
    assert Suggestion.objects.filter(statut=Suggestion.Statut.NOUVELLE).count() == 2
