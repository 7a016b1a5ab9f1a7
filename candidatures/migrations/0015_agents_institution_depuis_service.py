"""Fill the agents' institution from the free text of their service, where it says it; national
agents (no région) are the ANCT's. What the text does not say is left for an agent to choose."""

from django.db import migrations


def deduire(service: str, region_id) -> str:
    texte = service.lower()
    if "drajes" in texte:
        return "drajes"
    if "préf" in texte or "pref" in texte or "délégué du préfet" in texte:
        return "prefecture"
    if "rectorat" in texte or "dsden" in texte or "dasen" in texte or "académ" in texte:
        return "rectorat"
    if "anct" in texte or region_id is None:
        return "anct"
    return ""


def remplir(apps, schema_editor):
    ProfilAgent = apps.get_model("candidatures", "ProfilAgent")
    for profil in ProfilAgent.objects.filter(institution=""):
        institution = deduire(profil.service, profil.region_id)
        if institution:
            ProfilAgent.objects.filter(pk=profil.pk).update(institution=institution)


class Migration(migrations.Migration):
    dependencies = [("candidatures", "0014_agents_institution")]

    operations = [migrations.RunPython(remplir, migrations.RunPython.noop)]
