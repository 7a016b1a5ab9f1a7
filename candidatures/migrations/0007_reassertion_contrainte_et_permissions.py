"""Bring a database migrated before the edits of 0001 and 0004 up to them.

0001_initial was edited after its first commit (e5abeeb): the check constraint
`candidature_deposee_a_une_reference` let a withdrawn draft have no reference. 0004 was edited
(a41385c) to widen the national agents' permissions (conventions, revues, partners, links,
actions). A database migrated before those commits kept the old constraint and grants: the
constraint is dropped and created again as the models declare it, and the grants of 0004 are
applied again (adding only what is missing). On an up-to-date database both are no-ops.
"""

import importlib

from django.db import migrations, models


def accorder(apps, schema_editor):
    importlib.import_module("candidatures.migrations.0004_permissions_des_agents").accorder(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0006_saisie_invalide_empreintes_pieces_messages_compteurs"),
        ("cites", "0004_suivi_label"),
        ("partenaires", "0002_action"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="candidature", name="candidature_deposee_a_une_reference"),
        migrations.AddConstraint(
            model_name="candidature",
            constraint=models.CheckConstraint(
                condition=models.Q(etat__in=["brouillon", "retiree"])
                | models.Q(reference__isnull=False, depose_le__isnull=False),
                name="candidature_deposee_a_une_reference",
            ),
        ),
        migrations.RunPython(accorder, migrations.RunPython.noop),
    ]
