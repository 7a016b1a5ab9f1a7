"""Permissions of the agents' groups on the life of a cité after its label (issue 13): national
agents enter the money per year and the people of each cité; regional agents read them, and both
follow the deadlines of their cités (dates editable, marked done)."""

from django.db import migrations

REGIONAUX = "Agents régionaux"
NATIONAUX = "Agents nationaux (ANCT)"

ECHEANCES = [("cites", "view_echeance"), ("cites", "change_echeance"), ("cites", "view_rappelenvoi")]
PERMISSIONS = {
    REGIONAUX: [("cites", "view_financementannuel"), ("cites", "view_personnecite"), *ECHEANCES],
    NATIONAUX: [
        *[("cites", f"{verbe}_financementannuel") for verbe in ("view", "add", "change", "delete")],
        *[("cites", f"{verbe}_personnecite") for verbe in ("view", "add", "change", "delete")],
        *ECHEANCES,
    ],
}


def accorder(apps, schema_editor):
    """Callable again after a flush (tests)."""
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


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0015_agents_institution_depuis_service"),
        ("cites", "0010_personnes_echeances_rappels"),
    ]

    operations = [migrations.RunPython(accorder, migrations.RunPython.noop)]
