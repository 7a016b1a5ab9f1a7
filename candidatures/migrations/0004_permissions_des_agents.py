"""The model permissions of the agents' groups, so that the admin shows each role what it may use.

Regional agents: the candidatures, accounts and suggestions of their région (the scope by région
is applied by the admin through candidatures.selectors). National agents (ANCT): everything of
the instruction, the calls for projects and the labelled cités, and the reference data read-only.
Superusers have every permission anyway.
"""

from django.db import migrations

REGIONAUX = "Agents régionaux"
NATIONAUX = "Agents nationaux (ANCT)"

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
]

PERMISSIONS = {REGIONAUX: COMMUNES, NATIONAUX: COMMUNES + NATIONALES}


def accorder(apps, schema_editor):
    """Create the permissions now (they are otherwise created after the last migration) and give
    them to the groups. Callable again after a flush (tests)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias if schema_editor is not None else "default"
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for nom, codenames in PERMISSIONS.items():
        groupe, _ = Group.objects.using(using).get_or_create(name=nom)
        for app_label, codename in codenames:
            permission = (
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            )
            if permission is not None:
                groupe.permissions.add(permission)


def retirer(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for groupe in Group.objects.filter(name__in=PERMISSIONS):
        groupe.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0003_instruction_agents_notes_messages"),
        ("cites", "0004_suivi_label"),
        ("partenaires", "0002_action"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(accorder, retirer)]
