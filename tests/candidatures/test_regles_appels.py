"""Calls as data, rules as data (issue 13): the open call follows the 2024 rules (a QPV and a
collège chef de file block a deposit; REP/REP+ and the IPS are indicators), the 2019–2022 calls
keep theirs; the deposit and the simulator (/eligibilite/) run the same checks."""

import html

import pytest
from django.urls import reverse

from candidatures import selectors, services
from candidatures.models import AppelAProjets, Critere
from cites.models import Commune, Etablissement
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

ALBI = "81004"  # three 2024 QPVs, four public collèges, no REP or REP+ school


def regles(appel: AppelAProjets) -> list[tuple[int, str, str]]:
    return [(c.numero, c.verification, c.mode) for c in appel.criteres.exclude(verification="")]


def test_each_call_says_which_checks_block_and_which_are_indicators(appel):
    helpers.ensure_groupes_et_appels()
    anciennes = [(1, "qpv", "bloquant"), (2, "rep", "bloquant")]
    nouvelles = [
        (1, "qpv", "bloquant"),
        (2, "chef_de_file", "bloquant"),
        (10, "rep", "indicateur"),
        (11, "ips", "indicateur"),
    ]
    assert regles(AppelAProjets.objects.get(annee=2019)) == anciennes
    assert regles(AppelAProjets.objects.get(annee=2021)) == anciennes
    assert regles(AppelAProjets.objects.get(annee=2022)) == anciennes
    assert regles(AppelAProjets.objects.get(annee=2024)) == nouvelles
    assert regles(appel) == nouvelles  # the call open all year


def _statuts(appel) -> dict[int, str]:
    simules = selectors.eligibilite_simuler(communes=[Commune.objects.get(code=ALBI)], appel=appel)
    return {s.critere.numero: s.statut for s in simules if s.automatique}


def test_a_commune_with_a_qpv_and_a_college_but_no_rep_school_is_eligible_under_the_open_call_only(appel):
    assert _statuts(appel) == {1: "rempli", 2: "rempli", 10: "indicateur", 11: "indicateur"}
    assert _statuts(AppelAProjets.objects.get(annee=2021)) == {1: "rempli", 2: "non_rempli"}


def test_the_deposit_follows_the_call_rules(appel):
    porteur = helpers.porteur(email="porteur@albi.fr", commune=ALBI)
    candidature = helpers.candidature_complete(user=porteur, appel=appel)
    college = Etablissement.objects.get(uai="0811197L")  # Collège Jean Jaurès, Albi
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="ecoles",
        champs={
            "college_chef_de_file": college,
            "college_chef_de_file_autre": "",
            "etablissements_hors_referentiel": "",
        },
        relations={"etablissements": [college]},
    )
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the schools changed: confirmed again
    candidature.refresh_from_db()

    bilan = selectors.candidature_bilan(candidature=candidature)
    assert bilan.problemes == []
    assert bilan.eligible
    lignes = {b.critere.numero: b.verification for b in bilan.criteres if b.verification}
    assert lignes[2].motifs == ["collège chef de file : Collège Jean Jaurès (0811197L)"]
    assert lignes[10].indicateur and lignes[10].statut == "non_conforme"
    assert lignes[11].motifs[:3] == [
        "IPS moyen de 1 école ou collège : 94,7",
        "moyenne du département (Tarn) : 104,6",
        "Collège Jean Jaurès (0811197L) : 94,7",
    ]

    # The same file under the 2021 rules: criterion 2 (REP/REP+) blocks.
    candidature.appel = AppelAProjets.objects.get(annee=2021)
    candidature.save(update_fields=["appel"])
    bilan = selectors.candidature_bilan(candidature=candidature)
    assert bilan.problemes_eligibilite == [
        "Critère 2 non vérifié : aucune école ni aucun collège REP ou REP+ sur les communes choisies."
    ]
    assert not bilan.eligible


def test_without_a_college_chef_de_file_the_open_call_blocks_the_deposit(appel):
    porteur = helpers.porteur(email="porteur@albi.fr", commune=ALBI)
    candidature = helpers.candidature_complete(user=porteur, appel=appel)
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="ecoles",
        champs={"college_chef_de_file": None, "college_chef_de_file_autre": ""},
    )
    candidature.refresh_from_db()
    bilan = selectors.candidature_bilan(candidature=candidature)
    assert "Critère 2 non vérifié : aucun collège chef de file choisi." in bilan.problemes_eligibilite


def test_the_simulator_shows_the_indicators_with_each_school_ips_and_the_departement_mean(client, appel):
    page = " ".join(
        html.unescape(client.get(reverse("eligibilite:page"), {"cle": f"commune-{ALBI}"}).content.decode()).split()
    )
    assert "Un collège chef de file pour les écoles du périmètre" in page
    assert "4 collèges publics pourraient être chef de file : Collège Aristide Bruant (0810051R)" in page
    assert '<span class="fr-badge fr-badge--sm fr-badge--new">indicateur</span>' in page
    assert "C'est une priorité, plus une condition : le dépôt reste possible" in page
    assert "Moyenne du département (Tarn) : 104,6" in page
    assert "Ecole primaire Saint-Exupéry (0810972S) : 71,2" in page


def test_an_agent_turns_an_indicator_into_a_blocking_check_without_a_deploy(appel):
    Critere.objects.filter(appel=appel, numero=10).update(mode=Critere.Mode.BLOQUANT)
    assert _statuts(appel)[10] == "non_rempli"
