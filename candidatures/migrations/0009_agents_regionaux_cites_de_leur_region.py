"""Regional agents see the cités (those of their région: the admin scopes them through
candidatures.selectors.cite_scope_for_agent) to record their prolongations, renewals,
conventions and revues (candidatures.permissions.can_follow_cite)."""

from django.db import migrations

REGIONAUX = "Agents régionaux"
PERMISSIONS = [("cites", "view_citeeducative")]


def accorder(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias if schema_editor is not None else "default"
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groupe, _ = Group.objects.using(using).get_or_create(name=REGIONAUX)
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            groupe.permissions.add(permission)


def retirer(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for groupe in Group.objects.filter(name=REGIONAUX):
        for app_label, codename in PERMISSIONS:
            groupe.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [("candidatures", "0008_delai_echeance_rappels_instruction")]

    operations = [migrations.RunPython(accorder, retirer)]
