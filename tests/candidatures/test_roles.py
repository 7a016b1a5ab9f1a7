"""The agents' groups have exactly the permissions declared in candidatures/roles.py, applied by
`manage.py synchroniser_permissions` (release phase); `--check` reports a drift and exits 1."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

REGIONAUX = [
    "candidatures.add_evaluationcritere",
    "candidatures.add_messagecandidature",
    "candidatures.add_noteagent",
    "candidatures.change_candidature",
    "candidatures.change_evaluationcritere",
    "candidatures.change_profilporteur",
    "candidatures.view_appelaprojets",
    "candidatures.view_candidature",
    "candidatures.view_collectivite",
    "candidatures.view_critere",
    "candidatures.view_evaluationcritere",
    "candidatures.view_evenementcandidature",
    "candidatures.view_journalinstruction",
    "candidatures.view_messagecandidature",
    "candidatures.view_noteagent",
    "candidatures.view_piecejointe",
    "candidatures.view_profilporteur",
    "cites.change_echeance",
    "cites.change_suggestion",
    "cites.view_citeeducative",
    "cites.view_echeance",
    "cites.view_financementannuel",
    "cites.view_personnecite",
    "cites.view_rappelenvoi",
    "cites.view_suggestion",
    "revues.view_questionnaire",
    "revues.view_revue",
    "revues.view_section",
]
NATIONAUX = sorted(
    set(REGIONAUX)
    | {
        "candidatures.add_appelaprojets",
        "candidatures.add_critere",
        "candidatures.change_appelaprojets",
        "candidatures.change_critere",
        "candidatures.delete_appelaprojets",
        "candidatures.delete_critere",
        "cites.add_citeeducative",
        "cites.add_conventioncadre",
        "cites.add_evenementlabel",
        "cites.add_revueprojet",
        "cites.change_citeeducative",
        "cites.change_conventioncadre",
        "cites.change_evenementlabel",
        "cites.change_revueprojet",
        "cites.view_citeeducative",
        "cites.view_commune",
        "cites.view_communerattachee",
        "cites.view_conventioncadre",
        "cites.view_departement",
        "cites.view_epci",
        "cites.view_etablissement",
        "cites.view_etablissementqpv",
        "cites.view_evenementlabel",
        "cites.view_qpv",
        "cites.view_region",
        "cites.view_revueprojet",
        "partenaires.add_action",
        "partenaires.add_lienpartenaire",
        "partenaires.add_partenaire",
        "partenaires.change_action",
        "partenaires.change_lienpartenaire",
        "partenaires.change_partenaire",
        "partenaires.delete_action",
        "partenaires.delete_lienpartenaire",
        "partenaires.delete_partenaire",
        "partenaires.view_action",
        "partenaires.view_lienpartenaire",
        "partenaires.view_partenaire",
        "cites.add_financementannuel",
        "cites.add_personnecite",
        "cites.change_financementannuel",
        "cites.change_personnecite",
        "cites.delete_financementannuel",
        "cites.delete_personnecite",
        "portal.view_tache",
        "revues.add_question",
        "revues.add_questionnaire",
        "revues.add_section",
        "revues.change_question",
        "revues.change_questionnaire",
        "revues.change_section",
        "revues.delete_question",
        "revues.delete_questionnaire",
        "revues.delete_section",
        "revues.view_question",
    }
)


def permissions_du_groupe(nom: str) -> list[str]:
    groupe = Group.objects.get(name=nom)
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in groupe.permissions.all())


def test_the_groups_have_the_declared_permissions():
    call_command("synchroniser_permissions", verbosity=0)
    assert permissions_du_groupe("Agents régionaux") == REGIONAUX
    assert permissions_du_groupe("Agents nationaux (ANCT)") == NATIONAUX
    call_command("synchroniser_permissions", "--check", verbosity=0)


def test_check_reports_a_drift_and_the_sync_repairs_it(capsys):
    call_command("synchroniser_permissions", verbosity=0)
    regionaux = Group.objects.get(name="Agents régionaux")
    regionaux.permissions.add(Permission.objects.get(codename="delete_candidature"))
    Group.objects.get(name="Agents nationaux (ANCT)").permissions.remove(Permission.objects.get(codename="view_tache"))
    capsys.readouterr()
    with pytest.raises(CommandError, match="2 écart"):
        call_command("synchroniser_permissions", "--check")
    sortie = capsys.readouterr().out
    assert "« Agents régionaux » : en trop candidatures.delete_candidature" in sortie
    assert "« Agents nationaux (ANCT) » : manque portal.view_tache" in sortie
    assert "candidatures.delete_candidature" in permissions_du_groupe("Agents régionaux")  # --check changed nothing

    call_command("synchroniser_permissions", verbosity=0)
    assert permissions_du_groupe("Agents régionaux") == REGIONAUX
    assert permissions_du_groupe("Agents nationaux (ANCT)") == NATIONAUX


def test_a_national_agent_sees_failed_tasks_and_a_regional_one_does_not(client):
    from tests.candidatures import helpers

    call_command("synchroniser_permissions", verbosity=0)
    national = helpers.agent(email="agent@anct.gouv.fr", region=None)
    regional = helpers.agent(email="agent@occitanie.gouv.fr", region="76")
    client.force_login(national)
    assert client.get("/admin/portal/tache/").status_code == 200
    client.force_login(regional)
    assert client.get("/admin/portal/tache/").status_code == 403
