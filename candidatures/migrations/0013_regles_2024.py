"""The rules of the calls since 2024 (open all year): at least one QPV and a collège chef de file
for the schools of the perimeter block a deposit; REP/REP+ becomes a priority and the IPS of the
schools is weighed — both shown as indicators. The 2019, 2021 and 2022 calls keep their rules
(QPV and REP/REP+ blocking). A criterion an agent already changed is left alone."""

from django.db import migrations

CHEF_DE_FILE = "Un collège chef de file pour les écoles du périmètre"
REP_INDICATEUR = "Des écoles en éducation prioritaire (REP ou REP+) : une priorité, plus une condition"
IPS_INDICATEUR = "L'indice de position sociale (IPS) des écoles, face à la moyenne du département"


def regles_2024(apps, schema_editor):
    AppelAProjets = apps.get_model("candidatures", "AppelAProjets")
    Critere = apps.get_model("candidatures", "Critere")
    for appel in AppelAProjets.objects.filter(annee__gte=2024):
        modifies = Critere.objects.filter(appel=appel, numero=2, verification="rep").update(
            libelle=CHEF_DE_FILE, verification="chef_de_file", mode="bloquant"
        )
        if not modifies:
            continue
        Critere.objects.get_or_create(
            appel=appel,
            numero=10,
            defaults={"libelle": REP_INDICATEUR, "verification": "rep", "mode": "indicateur", "champs_requis": []},
        )
        Critere.objects.get_or_create(
            appel=appel,
            numero=11,
            defaults={"libelle": IPS_INDICATEUR, "verification": "ips", "mode": "indicateur", "champs_requis": []},
        )


def regles_anciennes(apps, schema_editor):
    AppelAProjets = apps.get_model("candidatures", "AppelAProjets")
    Critere = apps.get_model("candidatures", "Critere")
    for appel in AppelAProjets.objects.filter(annee__gte=2024):
        Critere.objects.filter(appel=appel, numero__in=[10, 11], mode="indicateur").delete()
        Critere.objects.filter(appel=appel, numero=2, verification="chef_de_file").update(
            libelle="Au moins une école ou un collège en REP ou REP+", verification="rep", mode="bloquant"
        )


class Migration(migrations.Migration):
    dependencies = [("candidatures", "0012_criteres_mode_chef_de_file_ips")]

    operations = [migrations.RunPython(regles_2024, regles_anciennes)]
