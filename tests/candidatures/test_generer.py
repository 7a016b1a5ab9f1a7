"""`generer_candidatures`: the bench data — N candidatures over every state, régions and history."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from candidatures.generation import repartition
from candidatures.models import Candidature, Etat, EvenementCandidature
from cites.models import Qpv

pytestmark = pytest.mark.django_db


def test_generates_n_candidatures_spread_over_every_state_with_their_history():
    sortie = io.StringIO()
    call_command("generer_candidatures", nombre=90, graine=7, stdout=sortie)
    assert "90 candidatures générées" in sortie.getvalue()

    candidatures = Candidature.objects.all()
    assert candidatures.count() == 90
    par_etat = dict(candidatures.values_list("etat").annotate(n=Count("pk")).values_list("etat", "n"))
    assert par_etat == dict(repartition(90))
    assert set(par_etat) == set(Etat.values)  # every state, drafts to decisions
    assert par_etat[Etat.EN_INSTRUCTION] == 18 and par_etat[Etat.LABELLISEE] == 9

    # Filed ones have a reference and a deposit date; drafts have neither.
    assert not candidatures.exclude(etat=Etat.BROUILLON).filter(reference=None).exists()
    assert not candidatures.filter(etat=Etat.BROUILLON).exclude(reference=None).exists()
    references = list(candidatures.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references)) and all(r.startswith("CE-") for r in references)

    # Real communes with a QPV, in several régions.
    assert candidatures.values("collectivite__region").distinct().count() >= 3
    for candidature in candidatures.prefetch_related("communes", "qpvs")[:20]:
        (commune,) = candidature.communes.all()
        assert Qpv.objects.filter(communes=commune, generation=2024).exists()
        assert all(commune in qpv.communes.all() for qpv in candidature.qpvs.all())

    # The history leads to the current state, in date order.
    for candidature in candidatures:
        evenements = list(EvenementCandidature.objects.filter(candidature=candidature).order_by("date", "pk"))
        assert evenements[0].etat_apres == Etat.BROUILLON
        assert evenements[-1].etat_apres == candidature.etat
        assert all(a.etat_apres == b.etat_avant for a, b in zip(evenements, evenements[1:], strict=False))


def test_a_second_run_adds_candidatures_with_new_references():
    call_command("generer_candidatures", nombre=20, stdout=io.StringIO())
    call_command("generer_candidatures", nombre=20, stdout=io.StringIO())
    assert Candidature.objects.count() == 40
    references = list(Candidature.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references))


def test_admin_list_of_generated_candidatures_stays_within_15_queries(
    client, django_user_model, django_assert_max_num_queries
):
    call_command("generer_candidatures", nombre=400, stdout=io.StringIO())
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    url = reverse("admin:candidatures_candidature_changelist")
    for params in ({}, {"etat__exact": "en_instruction"}, {"q": "Cité éducative"}, {"p": 2}):
        with django_assert_max_num_queries(15):
            response = client.get(url, params)
        assert response.status_code == 200
    assert "CE-" in response.content.decode()


def test_every_generated_step_has_a_realistic_author():
    """The porteur drafts, files and withdraws; the agent of the région takes charge, asks for more
    and gives the opinion (and instructs); the ANCT decides."""
    call_command("generer_candidatures", nombre=90, graine=5, stdout=io.StringIO())
    assert not EvenementCandidature.objects.filter(auteur=None).exists()
    attendus = {
        ("", "brouillon"): "porteur",
        ("brouillon", "deposee"): "porteur",
        ("deposee", "en_instruction"): "région",
        ("en_instruction", "complements_demandes"): "région",
        ("en_instruction", "avis_emis"): "région",
        ("avis_emis", "labellisee"): "ANCT",
        ("avis_emis", "refusee"): "ANCT",
        ("deposee", "retiree"): "porteur",
        ("en_instruction", "classee_sans_suite"): "ANCT",
    }
    vus = set()
    for e in EvenementCandidature.objects.select_related(
        "auteur__profil_agent", "auteur__profil_porteur", "candidature__collectivite"
    ):
        attendu = attendus[(e.etat_avant, e.etat_apres)]
        vus.add((e.etat_avant, e.etat_apres))
        if attendu == "porteur":
            assert e.auteur.profil_porteur.collectivite_id == e.candidature.collectivite_id
        elif attendu == "région":
            assert e.auteur.profil_agent.region_id == e.candidature.collectivite.region_id
            assert e.auteur.groups.filter(name="Agents régionaux").exists()
        else:
            assert e.auteur.profil_agent.region_id is None
            assert e.auteur.groups.filter(name="Agents nationaux (ANCT)").exists()
    assert vus == set(attendus)
    en_instruction = Candidature.objects.filter(etat=Etat.EN_INSTRUCTION).select_related("instructeur__profil_agent")
    assert all(c.instructeur.profil_agent.region_id == c.collectivite.region_id for c in en_instruction)
    assert not Candidature.objects.filter(etat=Etat.DEPOSEE).exclude(instructeur=None).exists()
