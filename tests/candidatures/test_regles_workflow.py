"""The rules of DESIGN.md §4, written out here by hand: who may move a candidature from which
state to which. Nothing below is read from candidatures.workflow, the table under test: change a
role or a target there and these tests fail.

Deliberate difference from DESIGN.md §4: a draft cannot be « classée sans suite » (drafts are
invisible to agents until they are filed; the porteur withdraws their own drafts).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from candidatures import permissions, selectors
from candidatures.models import Candidature
from tests.candidatures import helpers
from tests.factories import CandidatureFactory, CollectiviteFactory

pytestmark = pytest.mark.django_db

PORTEUR = "porteur"
AGENT_REGIONAL = "agent_regional"
AGENT_NATIONAL = "agent_national"

# (from, to) → roles allowed, as DESIGN.md §4 says it.
REGLES = {
    ("brouillon", "deposee"): {PORTEUR},
    ("deposee", "en_instruction"): {AGENT_REGIONAL, AGENT_NATIONAL},
    ("en_instruction", "complements_demandes"): {AGENT_REGIONAL, AGENT_NATIONAL},
    ("complements_demandes", "en_instruction"): {PORTEUR},
    ("en_instruction", "avis_emis"): {AGENT_REGIONAL},
    ("avis_emis", "labellisee"): {AGENT_NATIONAL},
    ("avis_emis", "refusee"): {AGENT_NATIONAL},
    ("brouillon", "retiree"): {PORTEUR},
    ("deposee", "retiree"): {PORTEUR},
    ("en_instruction", "retiree"): {PORTEUR},
    ("complements_demandes", "retiree"): {PORTEUR},
    ("avis_emis", "retiree"): {PORTEUR},
    ("deposee", "classee_sans_suite"): {AGENT_NATIONAL},
    ("en_instruction", "classee_sans_suite"): {AGENT_NATIONAL},
    ("complements_demandes", "classee_sans_suite"): {AGENT_NATIONAL},
    ("avis_emis", "classee_sans_suite"): {AGENT_NATIONAL},
}

ETATS = [
    "brouillon",
    "deposee",
    "en_instruction",
    "complements_demandes",
    "avis_emis",
    "labellisee",
    "refusee",
    "retiree",
    "classee_sans_suite",
]

# What each person may do on a candidature of Toulouse (Occitanie), state by state: the target
# states of the buttons they would see. Written out for each person rather than derived.
PERMIS = {
    "porteur de Toulouse": {
        "brouillon": {"deposee", "retiree"},
        "deposee": {"retiree"},
        "en_instruction": {"retiree"},
        "complements_demandes": {"en_instruction", "retiree"},
        "avis_emis": {"retiree"},
    },
    "porteur de Montpellier": {},
    "agent d'Occitanie": {
        "deposee": {"en_instruction"},
        "en_instruction": {"complements_demandes", "avis_emis"},
    },
    "agent d'Auvergne-Rhône-Alpes": {},
    "agent national": {
        "deposee": {"en_instruction", "classee_sans_suite"},
        "en_instruction": {"complements_demandes", "classee_sans_suite"},
        "complements_demandes": {"classee_sans_suite"},
        "avis_emis": {"labellisee", "refusee", "classee_sans_suite"},
    },
    # A superuser acts as a national and a regional agent, never as a porteur.
    "superutilisateur": {
        "deposee": {"en_instruction", "classee_sans_suite"},
        "en_instruction": {"complements_demandes", "avis_emis", "classee_sans_suite"},
        "complements_demandes": {"classee_sans_suite"},
        "avis_emis": {"labellisee", "refusee", "classee_sans_suite"},
    },
}


def test_the_code_table_holds_exactly_the_written_rules():
    from candidatures.workflow.transitions import TRANSITIONS

    code = {(source, cible): set(transition.roles) for (source, cible), transition in TRANSITIONS.items()}
    assert code == REGLES


@pytest.fixture
def personnes(porteur, autre_porteur, agent_occitanie, agent_ara, agent_national, django_user_model):
    superuser = django_user_model.objects.create_superuser(
        username="admin@anct.gouv.fr", email="admin@anct.gouv.fr", password=helpers.MOT_DE_PASSE
    )
    return {
        "porteur de Toulouse": porteur,
        "porteur de Montpellier": autre_porteur,
        "agent d'Occitanie": agent_occitanie,
        "agent d'Auvergne-Rhône-Alpes": agent_ara,
        "agent national": agent_national,
        "superutilisateur": superuser,
    }


@pytest.mark.parametrize("etat", ETATS)
def test_who_may_move_a_candidature_in_each_state(etat, personnes):
    toulouse = personnes["porteur de Toulouse"].profil_porteur.collectivite
    traits = {} if etat == "brouillon" else {etat: True}
    candidature = CandidatureFactory(collectivite=toulouse, **traits)
    candidature = Candidature.objects.select_related("collectivite").get(pk=candidature.pk)
    assert candidature.etat == etat
    for nom, user in personnes.items():
        permises = {cible for cible in ETATS if permissions.can_transition(user, candidature, cible)}
        assert permises == PERMIS[nom].get(etat, set()), f"{nom}, candidature « {etat} »"


# What each state means besides its transitions, written out by hand (the records of
# candidatures.workflow.etats are under test): who may edit, who assesses, whose move it is.
MODIFIABLES_PAR_LE_PORTEUR = {"brouillon", "complements_demandes"}
EVALUATION_PAR_LES_AGENTS = {"en_instruction", "complements_demandes"}
EN_ATTENTE_DES_AGENTS = {"deposee", "en_instruction", "avis_emis"}
FINAUX = {"labellisee", "refusee", "retiree", "classee_sans_suite"}


def test_what_each_state_allows_besides_its_transitions(personnes):
    toulouse = personnes["porteur de Toulouse"].profil_porteur.collectivite
    porteur, agent = personnes["porteur de Toulouse"], personnes["agent d'Occitanie"]
    candidatures = {
        etat: CandidatureFactory(collectivite=toulouse, **({} if etat == "brouillon" else {etat: True}))
        for etat in ETATS
    }
    candidatures = {
        etat: Candidature.objects.select_related("collectivite").get(pk=c.pk) for etat, c in candidatures.items()
    }
    assert {e for e, c in candidatures.items() if permissions.can_edit_candidature(porteur, c)} == (
        MODIFIABLES_PAR_LE_PORTEUR
    )
    assert {e for e, c in candidatures.items() if permissions.can_assess_candidature(agent, c)} == (
        EVALUATION_PAR_LES_AGENTS
    )
    assert {e for e, c in candidatures.items() if permissions.can_assign_candidature(agent, c)} == (
        set(ETATS) - FINAUX - {"brouillon"}  # drafts are the porteurs' alone
    )
    assert set(Candidature.objects.en_attente_agents().values_list("etat", flat=True)) == EN_ATTENTE_DES_AGENTS
    assert set(Candidature.objects.decidees().values_list("etat", flat=True)) == {
        "labellisee",
        "refusee",
        "classee_sans_suite",
    }


# Who sees which candidature, written out by hand: a draft of Toulouse and a filed one of Toulouse
# (Occitanie), a draft and a filed one of Lyon (Auvergne-Rhône-Alpes).
VISIBLES = {
    "porteur de Toulouse": {"brouillon de Toulouse", "déposée de Toulouse"},
    "porteur de Montpellier": set(),  # another collectivité of the same région
    "agent d'Occitanie": {"déposée de Toulouse"},
    "agent d'Auvergne-Rhône-Alpes": {"déposée de Lyon"},
    "agent national": {"déposée de Toulouse", "déposée de Lyon"},
    "superutilisateur": {"déposée de Toulouse", "déposée de Lyon"},
}


def test_who_sees_which_candidature_through_visibles_par(personnes):
    toulouse = personnes["porteur de Toulouse"].profil_porteur.collectivite
    lyon = CollectiviteFactory(commune_code="69123")
    noms = {
        CandidatureFactory(collectivite=toulouse).pk: "brouillon de Toulouse",
        CandidatureFactory(collectivite=toulouse, deposee=True).pk: "déposée de Toulouse",
        CandidatureFactory(collectivite=lyon).pk: "brouillon de Lyon",
        CandidatureFactory(collectivite=lyon, deposee=True).pk: "déposée de Lyon",
    }
    assert not Candidature.objects.visibles_par(AnonymousUser()).exists()
    for nom, user in personnes.items():
        vues = {noms[pk] for pk in Candidature.objects.visibles_par(user).values_list("pk", flat=True)}
        assert vues == VISIBLES[nom], nom
        # The agents' screens (roles=agents) leave out what a user sees as a porteur only.
        agents = Candidature.objects.visibles_par(user, roles=frozenset({AGENT_REGIONAL, AGENT_NATIONAL}))
        attendu = set() if nom.startswith("porteur") else VISIBLES[nom]
        assert {noms[pk] for pk in agents.values_list("pk", flat=True)} == attendu, nom
        # The pages' selector is the same queryset.
        assert set(selectors.candidature_list_for_user(user=user).values_list("pk", flat=True)) == {
            pk for pk, n in noms.items() if n in VISIBLES[nom]
        }


def test_an_agent_who_also_files_sees_their_drafts_on_their_pages_but_not_on_the_agents_screens(personnes):
    from django.contrib.auth.models import Group

    porteur = personnes["porteur de Toulouse"]
    porteur.groups.add(Group.objects.get(name=permissions.GROUPE_AGENTS_NATIONAUX))
    porteur = type(porteur).objects.get(pk=porteur.pk)
    brouillon = CandidatureFactory(collectivite=porteur.profil_porteur.collectivite)
    assert Candidature.objects.visibles_par(porteur).filter(pk=brouillon.pk).exists()
    assert not selectors.candidature_list_for_agent(user=porteur).filter(pk=brouillon.pk).exists()
