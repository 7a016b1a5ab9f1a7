"""The agents' groups and their model permissions, declared here and nowhere else.

`manage.py synchroniser_permissions` makes the database match this declaration (release phase of
the Procfile, `make setup`); `--check` only says what differs and exits 1 (CI, after migrate).
The data migration 0004 gave the first version of these lists; it is never edited again: a
change of rights is a change here, applied by the command.

Regional agents: the candidatures, accounts and suggestions of their région (the scope by région
is applied by the admin through candidatures.selectors). National agents (ANCT): everything of
the instruction, the calls for projects and the labelled cités, the reference data read-only,
and the background tasks (failed ones relaunched). Superusers have every permission anyway.
"""

from django.db import transaction

from candidatures.permissions import GROUPE_AGENTS_NATIONAUX, GROUPE_AGENTS_REGIONAUX

COMMUNES = [
    ("candidatures", "view_candidature"),
    ("candidatures", "change_candidature"),
    ("candidatures", "view_profilporteur"),
    ("candidatures", "change_profilporteur"),
    ("candidatures", "view_collectivite"),
    ("candidatures", "view_appelaprojets"),
    ("candidatures", "view_critere"),
    ("candidatures", "view_evenementcandidature"),
    ("candidatures", "view_piecejointe"),
    ("candidatures", "view_evaluationcritere"),
    ("candidatures", "add_evaluationcritere"),
    ("candidatures", "change_evaluationcritere"),
    ("candidatures", "view_noteagent"),
    ("candidatures", "add_noteagent"),
    ("candidatures", "view_messagecandidature"),
    ("candidatures", "add_messagecandidature"),
    ("candidatures", "view_journalinstruction"),
    ("cites", "view_suggestion"),
    ("cites", "change_suggestion"),
    # The life of a cité after its label (issue 13): money per year and people read; the deadlines
    # of their cités followed (dates editable, marked done) with the reminders sent.
    ("cites", "view_financementannuel"),
    ("cites", "view_personnecite"),
    ("cites", "view_echeance"),
    ("cites", "change_echeance"),
    ("cites", "view_rappelenvoi"),
    # The revues de projet of their région, and the questionnaire they answer.
    ("revues", "view_revue"),
    ("revues", "view_questionnaire"),
    ("revues", "view_section"),
]

NATIONALES = [
    *[("candidatures", f"{verbe}_appelaprojets") for verbe in ("add", "change", "delete")],
    *[("candidatures", f"{verbe}_critere") for verbe in ("add", "change", "delete")],
    *[
        ("cites", f"view_{modele}")
        for modele in (
            "region",
            "departement",
            "commune",
            "communerattachee",
            "epci",
            "qpv",
            "etablissement",
            "etablissementqpv",
        )
    ],
    *[("cites", f"{verbe}_citeeducative") for verbe in ("view", "add", "change")],
    *[("cites", f"{verbe}_evenementlabel") for verbe in ("view", "add", "change")],
    *[
        ("cites", f"{verbe}_{modele}")
        for verbe in ("view", "add", "change")
        for modele in ("conventioncadre", "revueprojet")
    ],
    # National agents enter each cité's partners, their links and its fiches action.
    *[
        ("partenaires", f"{verbe}_{modele}")
        for verbe in ("view", "add", "change", "delete")
        for modele in ("partenaire", "lienpartenaire", "action")
    ],
    # Money per cité and per year, and the people of each cité (issue 13).
    *[
        ("cites", f"{verbe}_{modele}")
        for verbe in ("view", "add", "change", "delete")
        for modele in ("financementannuel", "personnecite")
    ],
    # The questionnaire of the revue de projet, changed with no deploy (issue 13).
    *[
        ("revues", f"{verbe}_{modele}")
        for verbe in ("view", "add", "change", "delete")
        for modele in ("questionnaire", "section", "question")
    ],
    # « Tâches en arrière-plan »: what failed after its retries, and « Relancer » (portal.admin).
    ("portal", "view_tache"),
]

# Regional agents see the cités of their région (the admin scopes them) to record their
# prolongations, renewals, conventions and revues (candidatures.permissions.can_follow_cite).
SUIVI_REGIONAL = [("cites", "view_citeeducative")]

PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    GROUPE_AGENTS_REGIONAUX: COMMUNES + SUIVI_REGIONAL,
    GROUPE_AGENTS_NATIONAUX: COMMUNES + NATIONALES,
}


def roles_permissions_synchroniser(*, appliquer: bool) -> list[str]:
    """Compare each declared group's permissions with the database; with `appliquer`, create the
    missing groups and give or take away what differs. Returns the differences, in French."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if appliquer:  # `migrate` creates them too; a data migration may have run before it did
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
    differences = []
    with transaction.atomic():
        for nom, declarees in PERMISSIONS.items():
            voulues = set()
            for app_label, codename in declarees:
                permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                if permission is None:
                    raise LookupError(f"Permission inconnue dans candidatures/roles.py : {app_label}.{codename}")
                voulues.add(permission)
            groupe = Group.objects.filter(name=nom).first()
            if groupe is None:
                differences.append(f"groupe « {nom} » absent")
                if not appliquer:
                    continue
                groupe = Group.objects.create(name=nom)
            actuelles = set(groupe.permissions.select_related("content_type"))
            for permission in sorted(voulues - actuelles, key=str):
                differences.append(f"« {nom} » : manque {permission.content_type.app_label}.{permission.codename}")
            for permission in sorted(actuelles - voulues, key=str):
                differences.append(f"« {nom} » : en trop {permission.content_type.app_label}.{permission.codename}")
            if appliquer:
                groupe.permissions.set(voulues)
    return differences
