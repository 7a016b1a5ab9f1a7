"""The revue de projet online (issue 13), end to end through the pages: the référent fills it
(what is typed is kept, even invalid), the three troïka institutions validate it, the région then
the ANCT review it (and may send it back with a message), the synthesis and its public page."""

import csv
import html
import io

import pytest
from django.core import mail
from django.urls import reverse

from revues.models import Etat, Question, Reponse, Revue
from tests.revues.conftest import reponses_valides

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def transition(client, revue, cible, **donnees):
    return client.post(reverse("revues:detail", args=[revue.pk]), {"action": "transition", "cible": cible, **donnees})


def valider_par_la_troika(client, revue, personnes, capture):
    for role in ("troika_prefecture", "troika_education", "troika_collectivite"):
        client.force_login(personnes[role])
        with capture(execute=True):
            assert client.post(reverse("revues:detail", args=[revue.pk]), {"action": "valider"}).status_code == 302


def test_one_revue_from_the_referent_to_the_public_synthesis(
    client, cite, personnes, questionnaire, agents, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # The référent starts the 2026 revue of their cité.
    client.force_login(personnes["referent"])
    assert "Commencer la revue 2026 de Toulouse Grand Mirail" in text_of(client.get(reverse("revues:liste")))
    client.post(reverse("revues:commencer", args=[cite.pk, questionnaire.pk]))
    revue = Revue.objects.get(cite=cite, questionnaire=questionnaire)
    url = reverse("revues:detail", args=[revue.pk])

    # An amount typed wrong is kept as typed and said; the transmission is refused, nothing lost.
    dotation = Question.objects.get(section__questionnaire=questionnaire, libelle="Dotation de l'État reçue")
    client.post(url, {"action": "enregistrer", f"q{dotation.pk}": "douze mille"})
    reponse = Reponse.objects.get(revue=revue, question=dotation)
    assert (reponse.valeur, reponse.erreur) == (
        "douze mille",
        "« douze mille » n'est pas un montant : écrivez des chiffres, par exemple 150 000,50.",
    )
    page = text_of(client.get(url))
    assert 'value="douze mille"' in page and reponse.erreur in page
    refus = transition(client, revue, "transmise")
    assert refus.status_code == 409
    assert f"« Dotation de l'État reçue » : {reponse.erreur}" in text_of(refus)
    revue.refresh_from_db()
    assert revue.etat == Etat.BROUILLON

    # Everything answered: transmitted to the troïka, who hear of it.
    with capture(execute=True):
        assert transition(client, revue, "transmise", **reponses_valides(questionnaire)).status_code == 302
    revue.refresh_from_db()
    assert revue.etat == Etat.TRANSMISE
    assert sorted(mail.outbox[-1].to) == [
        "troika_collectivite@exemple.fr",
        "troika_education@exemple.fr",
        "troika_prefecture@exemple.fr",
    ]
    # The référent may no longer change it.
    assert client.post(url, {"action": "enregistrer", f"q{dotation.pk}": "1"}).status_code == 400

    # Three validations move it on to the région.
    valider_par_la_troika(client, revue, personnes, capture)
    revue.refresh_from_db()
    assert revue.etat == Etat.VALIDEE
    assert mail.outbox[-1].to == ["agent@occitanie.gouv.fr"]

    # Another région's agent does not see it; the région reviews it.
    client.force_login(agents["ara"])
    assert client.get(url).status_code == 404
    client.force_login(agents["occitanie"])
    assert transition(client, revue, "vue_region").status_code == 302

    # The ANCT sends it back with a message: the troïka validates the next version again.
    client.force_login(agents["anct"])
    assert transition(client, revue, "renvoyee").status_code == 409  # a message is required
    with capture(execute=True):
        transition(client, revue, "renvoyee", message="Précisez le montant dépensé.")
    revue.refresh_from_db()
    assert (revue.etat, revue.validations.count()) == (Etat.RENVOYEE, 0)
    assert "Précisez le montant dépensé." in mail.outbox[-1].body
    assert "referent@exemple.fr" in mail.outbox[-1].to

    client.force_login(personnes["referent"])
    page = text_of(client.get(url))
    assert "Dominique Agent (ANCT) : revue par la région, à revoir par l'ANCT → renvoyée aux référents" in page
    transition(client, revue, "transmise", **reponses_valides(questionnaire))
    valider_par_la_troika(client, revue, personnes, capture)
    client.force_login(agents["occitanie"])
    transition(client, revue, "vue_region")
    client.force_login(agents["anct"])
    transition(client, revue, "acceptee")
    revue.refresh_from_db()
    assert revue.etat == Etat.ACCEPTEE
    assert [(e.etat_avant, e.etat_apres) for e in revue.evenements.all()] == [
        ("brouillon", "transmise"),
        ("transmise", "validee"),
        ("validee", "vue_region"),
        ("vue_region", "renvoyee"),
        ("renvoyee", "transmise"),
        ("transmise", "validee"),
        ("validee", "vue_region"),
        ("vue_region", "acceptee"),
    ]

    # The public synthesis: numbers, amounts and choices; never the texts typed.
    client.logout()
    page = text_of(client.get(reverse("revues:synthese", args=[2026])))
    assert "1 revue de projet acceptée par l’ANCT" in page
    assert "Dotation de l'État reçue" in page and "total : 425 000 €" in page
    assert "Nombre de jeunes touchés (estimation)" in page and "total : 1 500" in page
    assert "entièrement : 1" in page
    assert "Occitanie" in page
    assert "Comité trimestriel" not in page and "referent@exemple.fr" not in page

    # Agents: the synthesis as CSV, per région.
    assert client.get(reverse("revues:synthese_csv", args=[2026])).status_code == 302  # log in first
    client.force_login(agents["occitanie"])
    lignes = list(
        csv.reader(
            io.StringIO(client.get(reverse("revues:synthese_csv", args=[2026])).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert [
        "Gestion financière",
        "Dotation de l'État reçue",
        "montant",
        "Occitanie",
        "1",
        "425000.00",
        "",
        "",
    ] in lignes
    from openpyxl import load_workbook

    classeur = load_workbook(io.BytesIO(client.get(reverse("revues:synthese_xlsx", args=[2026])).content))
    lignes = [list(row) for row in classeur.active.iter_rows(values_only=True)]
    assert lignes[0] == ["section", "question", "type", "region", "reponses", "somme", "moyenne", "distribution"]
    assert ["Gestion financière", "Dotation de l'État reçue", "montant", "Occitanie", 1, 425000, None, None] in lignes


def test_the_referent_of_another_cite_nor_the_public_see_a_revue(
    client, cite, personnes, questionnaire, django_user_model
):
    revue = Revue.objects.create(cite=cite, questionnaire=questionnaire)
    assert client.get(reverse("revues:detail", args=[revue.pk])).status_code == 302
    client.force_login(django_user_model.objects.create_user(username="autre", email="autre@exemple.fr", password="x"))
    assert client.get(reverse("revues:detail", args=[revue.pk])).status_code == 404


def test_a_troika_member_cannot_validate_twice_nor_a_draft(client, cite, personnes, questionnaire):
    revue = Revue.objects.create(cite=cite, questionnaire=questionnaire)
    client.force_login(personnes["troika_prefecture"])
    response = client.post(reverse("revues:detail", args=[revue.pk]), {"action": "valider"})
    assert response.status_code == 409
    assert "La revue est « en cours de saisie » : elle ne se valide pas." in text_of(response)
