"""Who is e-mailed at each move of a revue (issue 13): the troïka when the référents transmit,
the cité's région when the troïka has validated, the ANCT when the région passes it on, the
référents when it is sent back or accepted — and nobody else."""

import pytest
from django.core import mail
from django.urls import reverse

from revues.models import Etat, Revue
from revues.workflow import DESTINATAIRES, TRANSITIONS, TransitionRevue
from tests.candidatures import helpers
from tests.revues.conftest import reponses_valides

pytestmark = pytest.mark.django_db

TROIKA = ["troika_collectivite@exemple.fr", "troika_education@exemple.fr", "troika_prefecture@exemple.fr"]


def envois(capture, client, url, donnees) -> list[tuple[str, list[str]]]:
    """The e-mails one POST sends: (subject, sorted recipients)."""
    mail.outbox.clear()
    with capture(execute=True):
        assert client.post(url, donnees).status_code == 302
    return [(m.subject, sorted(m.to)) for m in mail.outbox]


def test_each_move_of_a_revue_is_emailed_to_the_right_people_only(
    client, cite, personnes, questionnaire, agents, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    autre_national = helpers.agent(email="revues@anct.gouv.fr", region=None)
    parti = helpers.agent(email="parti@anct.gouv.fr", region=None)
    parti.is_active = False
    parti.save()
    assert autre_national.email
    revue = Revue.objects.create(cite=cite, questionnaire=questionnaire)
    url = reverse("revues:detail", args=[revue.pk])
    sujet = "Cités éducatives : revue de projet 2026 de Toulouse Grand Mirail — "

    # The référent transmits: the three troïka representatives.
    client.force_login(personnes["referent"])
    donnees = {"action": "transmettre", **reponses_valides(questionnaire)}
    assert envois(capture, client, url, donnees) == [(sujet + "en validation par la troïka", TROIKA)]

    # Two validations: nobody yet. The third: the agents of the cité's région (Occitanie) only.
    for role in ("troika_prefecture", "troika_education"):
        client.force_login(personnes[role])
        assert envois(capture, client, url, {"action": "valider"}) == []
    client.force_login(personnes["troika_collectivite"])
    assert envois(capture, client, url, {"action": "valider"}) == [
        (sujet + "validée par la troïka", ["agent@occitanie.gouv.fr"])
    ]

    # The région passes it on: the active national agents (ANCT) only.
    client.force_login(agents["occitanie"])
    assert envois(capture, client, url, {"action": "transition", "cible": "vue_region"}) == [
        (sujet + "revue par la région", ["agent@anct.gouv.fr", "revues@anct.gouv.fr"])
    ]

    # The ANCT sends it back: the référents, with the message.
    client.force_login(agents["anct"])
    donnees = {"action": "transition", "cible": "renvoyee", "message": "Précisez le montant dépensé."}
    assert envois(capture, client, url, donnees) == [(sujet + "renvoyée aux référents", ["referent@exemple.fr"])]
    assert "Précisez le montant dépensé." in mail.outbox[0].body

    # Again through the chain; the région sends it back this time: the référents.
    client.force_login(personnes["referent"])
    assert envois(capture, client, url, {"action": "transmettre", **reponses_valides(questionnaire)}) == [
        (sujet + "en validation par la troïka", TROIKA)
    ]
    for role in ("troika_prefecture", "troika_education", "troika_collectivite"):
        client.force_login(personnes[role])
        envois(capture, client, url, {"action": "valider"})
    client.force_login(agents["occitanie"])
    donnees = {"action": "transition", "cible": "renvoyee", "message": "Joignez le compte rendu."}
    assert envois(capture, client, url, donnees) == [(sujet + "renvoyée aux référents", ["referent@exemple.fr"])]

    # Last round: the ANCT accepts it: the référents.
    client.force_login(personnes["referent"])
    envois(capture, client, url, {"action": "transmettre", **reponses_valides(questionnaire)})
    for role in ("troika_prefecture", "troika_education", "troika_collectivite"):
        client.force_login(personnes[role])
        envois(capture, client, url, {"action": "valider"})
    client.force_login(agents["occitanie"])
    envois(capture, client, url, {"action": "transition", "cible": "vue_region"})
    client.force_login(agents["anct"])
    assert envois(capture, client, url, {"action": "transition", "cible": "acceptee"}) == [
        (sujet + "acceptée", ["referent@exemple.fr"])
    ]
    revue.refresh_from_db()
    assert revue.etat == Etat.ACCEPTEE


def test_the_recipients_of_each_transition_are_data_and_checked():
    assert {(t.source, t.cible): t.email for t in TRANSITIONS} == {
        ("brouillon", "transmise"): "troika",
        ("renvoyee", "transmise"): "troika",
        ("transmise", "renvoyee"): "referents",
        ("transmise", "validee"): "region",
        ("validee", "vue_region"): "anct",
        ("validee", "renvoyee"): "referents",
        ("vue_region", "acceptee"): "referents",
        ("vue_region", "renvoyee"): "referents",
    }
    assert set(DESTINATAIRES) == {"referents", "troika", "region", "anct"}
    with pytest.raises(ValueError, match="Destinataires inconnus : 'agents'"):
        TransitionRevue(Etat.VALIDEE, Etat.VUE_REGION, frozenset({"region"}), "Transmettre", email="agents")
