"""Agents' institution (issue 13): préfecture, rectorat/DSDEN, DRAJES or ANCT, recorded on the
agent's profile and shown in the histories and the messages."""

import html
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse

from candidatures import instruction
from candidatures.models import ProfilAgent
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_porteur_sees_which_institution_wrote_and_the_agent_sees_who(
    client, deposee, porteur, agent_occitanie, django_capture_on_commit_callbacks
):
    profil = agent_occitanie.profil_agent
    profil.institution = "prefecture"
    profil.save()
    instruction.candidature_take_charge(candidature=deposee, agent=agent_occitanie)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        instruction.message_send(candidature=deposee, user=agent_occitanie, texte="Merci de joindre la délibération.")

    assert "Dominique Agent (préfecture Occitanie), qui instruit la candidature" in mail.outbox[0].body
    client.force_login(porteur)
    page = text_of(client.get(reverse("candidatures:detail", args=[deposee.pk])))
    assert "agent instructeur (préfecture Occitanie)" in page
    assert "par Dominique Agent (préfecture Occitanie)" in page  # the history: taken in charge

    client.force_login(agent_occitanie)
    page = text_of(client.get(reverse("admin:candidatures_candidature_change", args=[deposee.pk])))
    assert "— Dominique Agent (préfecture Occitanie)" in page


def test_a_national_agent_is_shown_as_the_anct(agent_national):
    assert agent_national.profil_agent.institution_libelle == "ANCT"


@pytest.mark.parametrize(
    ("service", "region", "attendu"),
    [
        ("DRAJES Occitanie", "76", "drajes"),
        ("Délégué du préfet", "76", "prefecture"),
        ("DSDEN de la Haute-Garonne", "76", "rectorat"),
        ("ANCT — programme", None, "anct"),
        ("", None, "anct"),
        ("Chargée de mission", "76", ""),
    ],
)
def test_the_migration_deduces_the_institution_from_the_service_typed(service, region, attendu):
    user = helpers.agent(email="x@gouv.fr", region=region)
    ProfilAgent.objects.filter(user=user).update(service=service, institution="")
    importlib.import_module("candidatures.migrations.0015_agents_institution_depuis_service").remplir(apps, None)
    assert ProfilAgent.objects.get(user=user).institution == attendu
