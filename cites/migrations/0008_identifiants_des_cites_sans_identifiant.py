"""Cités labelled on the portal before the numbering (or entered without one) get the next ANCT
identifiants, oldest first (the same rule as cites.services.cite_identifiant_suivant)."""

import re

from django.db import migrations


def attribuer(apps, schema_editor):
    CiteEducative = apps.get_model("cites", "CiteEducative")
    motif = re.compile(r"^cite-(\d+)$")
    plus_grand = 0
    for identifiant in CiteEducative.objects.filter(identifiant__startswith="cite-").values_list(
        "identifiant", flat=True
    ):
        match = motif.match(identifiant)
        if match:
            plus_grand = max(plus_grand, int(match.group(1)))
    for cite in CiteEducative.objects.filter(identifiant__isnull=True).order_by("pk"):
        plus_grand += 1
        cite.identifiant = f"cite-{plus_grand:03d}"
        cite.save(update_fields=["identifiant"])


class Migration(migrations.Migration):
    dependencies = [("cites", "0007_nom_recherche")]

    operations = [migrations.RunPython(attribuer, migrations.RunPython.noop)]
