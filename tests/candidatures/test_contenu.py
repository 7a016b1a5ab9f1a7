"""One description of the candidature's content (candidatures/contenu.py) drives the step forms,
what each step saves, the porteur's display, the agents' instruction screen, the PDF receipt and
the exports.

The first test goes over every plain field the description holds: a field added there (with its
model field) is covered here without touching this file. What it types is made up here; what it
expects to read back is what it typed, in every place a person reads the candidature.
"""

import io

import pytest
from django.db import models
from django.urls import reverse
from pypdf import PdfReader

from candidatures import contenu, services
from candidatures.models import Candidature
from tests.candidatures import helpers
from tests.candidatures.test_exports import CSV, lire_csv

pytestmark = pytest.mark.django_db


def _valeur(nom: str) -> str:
    """A value of its own for each field, short enough for every column of the model."""
    champ = Candidature._meta.get_field(nom)
    if isinstance(champ, models.EmailField):
        return f"{nom.replace('_', '.')}@exemple.fr"
    return f"V-{nom}"[: champ.max_length or 100]


CHAMPS_SIMPLES = [(e.slug, c) for e in contenu.ETAPES for c in e.champs if not c.special]


def test_the_description_holds_the_steps_and_fields_a_porteur_fills_in():
    """Written out by hand: the steps in order and the plain fields of each step."""
    assert [e.slug for e in contenu.ETAPES] == [
        "territoire",
        "ecoles",
        "diagnostic",
        "actions",
        "pilotage",
        "budget",
        "communication",
        "pieces",
        "recapitulatif",
    ]
    assert {slug: [c.nom for c in e.champs if not c.special] for slug, e in contenu.ETAPES_PAR_SLUG.items()} == {
        "territoire": ["titre"],
        "ecoles": [],
        "diagnostic": ["diagnostic"],
        "actions": [],
        "pilotage": [
            "troika_prefecture",
            "troika_education",
            "troika_collectivite",
            "chef_de_projet_nom",
            "chef_de_projet_email",
            "chef_de_projet_telephone",
            "gouvernance",
            "actions_ressources",
            "actions_complementaires",
        ],
        "budget": [],
        "communication": ["plan_communication", "demarche_evaluation"],
        "pieces": [],
        "recapitulatif": [],
    }


def test_every_described_field_is_asked_saved_and_shown_everywhere(
    candidature, porteur, agent_occitanie, connecter, django_capture_on_commit_callbacks
):
    client = connecter(porteur)
    # The step form asks for it, with its label.
    for slug, champ in CHAMPS_SIMPLES:
        page = client.get(reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": slug})).content.decode()
        assert f'name="{champ.nom}"' in page, champ.nom
        assert champ.libelle.replace("'", "&#x27;") in page, champ.nom
    # Typed on its step page, it is saved (services.candidature_update accepts it for that step).
    for slug in {slug for slug, _ in CHAMPS_SIMPLES}:
        saisie = {c.nom: _valeur(c.nom) for s, c in CHAMPS_SIMPLES if s == slug}
        services.candidature_update(candidature=candidature, user=porteur, etape=slug, champs=saisie)
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the content changed: confirmed again
    with django_capture_on_commit_callbacks(execute=True):
        services.candidature_submit(candidature=candidature, actor=porteur)
    candidature.refresh_from_db()

    detail = client.get(candidature.get_absolute_url()).content.decode()
    ecran = (
        connecter(agent_occitanie)
        .get(reverse("admin:candidatures_candidature_change", args=[candidature.pk]))
        .content.decode()
    )
    with candidature.recepisse.open("rb") as fichier:
        recepisse = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(fichier.read())).pages)
    entete, ligne = lire_csv(connecter(agent_occitanie).get(reverse(CSV)))
    export = dict(zip(entete, ligne, strict=True))
    for _, champ in CHAMPS_SIMPLES:
        valeur = _valeur(champ.nom)
        assert valeur in detail, f"{champ.nom} on the porteur's page"
        assert valeur in ecran, f"{champ.nom} on the agents' instruction screen"
        assert valeur in recepisse, f"{champ.nom} in the receipt"
        if champ.export:
            assert export[champ.titre] == valeur, f"{champ.nom} in the export"


def test_the_exports_carry_the_described_content_columns_after_the_porteur():
    from candidatures.exports import colonnes

    titres = [c.titre for c in colonnes(criteres=0)]
    assert titres[-4:] == [
        "Téléphone du porteur",
        "Chef de projet",
        "Adresse du chef de projet",
        "Téléphone du chef de projet",
    ]
