"""The amounts of the 2026 questionnaire's « Gestion financière » feed the cité's money per year
(cites.FinancementAnnuel) once the ANCT accepts a revue; national agents change the links in the
admin. Questions renamed or removed since 0002 are left as they are."""

from django.db import migrations

LIENS = {
    "Dotation de l'État reçue": "dotation_etat",
    "Cofinancement de la collectivité": "cofinancement",
    "Montant dépensé": "depenses",
}


def lier(apps, schema_editor):
    Question = apps.get_model("revues", "Question")
    for libelle, champ in LIENS.items():
        Question.objects.filter(
            section__questionnaire__annee=2026, libelle=libelle, type="montant", financement=""
        ).update(financement=champ)


def delier(apps, schema_editor):
    Question = apps.get_model("revues", "Question")
    Question.objects.filter(section__questionnaire__annee=2026, libelle__in=list(LIENS)).update(financement="")


class Migration(migrations.Migration):
    dependencies = [("revues", "0003_question_financement")]

    operations = [migrations.RunPython(lier, delier)]
