"""The revue form saves itself as the référent types (static/js/autosave.js, the same script as
the candidature's steps): what the server answers to an X-Autosave POST, and the 401 when the
session ended."""

import re

import pytest
from django.urls import reverse

from revues.models import Etat, Question, Reponse, Revue

pytestmark = pytest.mark.django_db


@pytest.fixture
def revue(cite, questionnaire):
    return Revue.objects.create(cite=cite, questionnaire=questionnaire)


def question(questionnaire, libelle) -> Question:
    return Question.objects.get(section__questionnaire=questionnaire, libelle=libelle)


def test_an_autosave_stores_valid_and_invalid_answers_and_says_what_to_fix(client, personnes, questionnaire, revue):
    dotation = question(questionnaire, "Dotation de l'État reçue")
    actions = question(questionnaire, "Nombre d'actions menées")
    gouvernance = question(questionnaire, "Comment la gouvernance a-t-elle fonctionné ?")
    client.force_login(personnes["referent"])
    response = client.post(
        reverse("revues:detail", args=[revue.pk]),
        {
            f"q{gouvernance.pk}": "Comité trimestriel.",
            f"q{actions.pk}": "12",
            f"q{dotation.pk}": "douze mille",
            "autosave": "1",
        },
        HTTP_X_AUTOSAVE="1",
    )
    assert response.status_code == 200
    json = response.json()
    assert json["enregistre"] is True
    assert re.fullmatch(
        r"Brouillon enregistré à \d\d:\d\d — 1 champ à corriger : dotation de l'État reçue\.", json["message"]
    )
    assert json["erreurs"] == [
        {
            "id": f"q{dotation.pk}",
            "libelle": "Dotation de l'État reçue",
            "message": "« douze mille » n'est pas un montant : écrivez des chiffres, par exemple 150 000,50.",
        }
    ]
    assert "Avant de transmettre" in json["fragments"]["revue-problemes"]
    stockees = {r.question_id: (r.valeur, r.nombre, r.erreur != "") for r in Reponse.objects.filter(revue=revue)}
    assert stockees == {
        gouvernance.pk: ("Comité trimestriel.", None, False),
        actions.pk: ("12", 12, False),
        dotation.pk: ("douze mille", None, True),
    }
    # Corrected: nothing left to fix.
    response = client.post(
        reverse("revues:detail", args=[revue.pk]), {f"q{dotation.pk}": "425 000"}, HTTP_X_AUTOSAVE="1"
    )
    assert re.fullmatch(r"Brouillon enregistré à \d\d:\d\d\.", response.json()["message"])
    assert response.json()["erreurs"] == []
    assert Reponse.objects.get(revue=revue, question=dotation).nombre == 425000


def test_the_revue_page_carries_the_autosave_for_the_referent_only(client, personnes, questionnaire, revue):
    url = reverse("revues:detail", args=[revue.pk])
    client.force_login(personnes["referent"])
    page = client.get(url).content.decode()
    assert 'data-autosave data-session-url="/comptes/session/"' in page
    assert "js/autosave" in page and 'id="autosave-session"' in page
    client.force_login(personnes["troika_prefecture"])
    page = client.get(url).content.decode()
    assert "data-autosave" not in page and "js/autosave" not in page


def test_an_autosave_after_the_session_ended_gets_a_401_not_a_redirect(client, questionnaire, revue):
    dotation = question(questionnaire, "Dotation de l'État reçue")
    url = reverse("revues:detail", args=[revue.pk])
    response = client.post(url, {f"q{dotation.pk}": "425 000"}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 401
    assert response.json() == {
        "enregistre": False,
        "session": False,
        "message": "Votre session a pris fin : ce que vous tapez est gardé dans ce navigateur. "
        "Reconnectez-vous pour l'enregistrer.",
        "connexion": f"/comptes/connexion/?next={url}",
    }
    assert not Reponse.objects.exists()
    # A page opened without the script still goes to the log-in page.
    assert client.get(url).status_code == 302


def test_an_autosave_is_refused_in_french_once_transmitted_or_by_someone_else(client, personnes, questionnaire, revue):
    dotation = question(questionnaire, "Dotation de l'État reçue")
    url = reverse("revues:detail", args=[revue.pk])
    client.force_login(personnes["troika_prefecture"])
    response = client.post(url, {f"q{dotation.pk}": "1"}, HTTP_X_AUTOSAVE="1")
    assert (response.status_code, response.json()["message"]) == (
        409,
        "Seuls les référents de la cité remplissent la revue.",
    )
    Revue.objects.filter(pk=revue.pk).update(etat=Etat.TRANSMISE)
    client.force_login(personnes["referent"])
    response = client.post(url, {f"q{dotation.pk}": "1"}, HTTP_X_AUTOSAVE="1")
    assert (response.status_code, response.json()["message"]) == (
        409,
        "La revue est « en validation par la troïka » : elle ne se modifie plus.",
    )
    assert not Reponse.objects.exists()
