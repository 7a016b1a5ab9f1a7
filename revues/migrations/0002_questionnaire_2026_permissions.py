"""The 2026 questionnaire of the revue de projet, on the themes of the ANCT's yearly revue
(governance, deployment of the actions, relations between cités, communication, financial
management, evaluation) — national agents change it in the admin; and the agents' permissions."""

from django.db import migrations

SECTIONS = [
    ("Gouvernance", [
        ("Le comité de pilotage (troïka) s'est-il réuni cette année ?", "choix", ["oui", "non"]),
        ("Nombre de réunions du comité de pilotage", "nombre", []),
        ("Comment la gouvernance a-t-elle fonctionné ?", "texte", []),
    ]),
    ("Déploiement des actions", [
        ("Nombre d'actions menées", "nombre", []),
        ("Nombre de jeunes touchés (estimation)", "nombre", []),
        ("Actions phares et difficultés rencontrées", "texte", []),
    ]),
    ("Relations entre cités", [
        ("La cité a-t-elle échangé avec d'autres cités éducatives ?", "choix", ["oui", "non"]),
    ]),
    ("Communication", [
        ("Principaux supports de communication", "texte", []),
    ]),
    ("Gestion financière", [
        ("Dotation de l'État reçue", "montant", []),
        ("Cofinancement de la collectivité", "montant", []),
        ("Montant dépensé", "montant", []),
        ("Le fonds de la cité (30 000 €) a-t-il été engagé ?", "choix", ["entièrement", "en partie", "non"]),
    ]),
    ("Évaluation", [
        ("Démarche d'évaluation et premiers résultats", "texte", []),
        ("Rapport d'évaluation ou bilan (PDF)", "fichier", []),
    ]),
]

REGIONAUX = "Agents régionaux"
NATIONAUX = "Agents nationaux (ANCT)"


def creer(apps, schema_editor):
    Questionnaire = apps.get_model("revues", "Questionnaire")
    Section = apps.get_model("revues", "Section")
    Question = apps.get_model("revues", "Question")
    questionnaire, cree = Questionnaire.objects.get_or_create(
        annee=2026,
        defaults={
            "titre": "Revue de projet 2026",
            "introduction": "La revue de projet annuelle de la cité, à remplir par ses référents, puis validée par la "
            "troïka avant la revue de la région et de l'ANCT.",
        },
    )
    if cree:
        for ordre, (titre, questions) in enumerate(SECTIONS, start=1):
            section = Section.objects.create(questionnaire=questionnaire, ordre=ordre, titre=titre)
            for numero, (libelle, type_, choix) in enumerate(questions, start=1):
                Question.objects.create(
                    section=section, ordre=numero, libelle=libelle, type=type_, choix=choix, obligatoire=type_ != "fichier"
                )
    accorder(apps, schema_editor)


def accorder(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias if schema_editor is not None else "default"
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = {
        REGIONAUX: ["view_revue", "view_questionnaire", "view_section"],
        NATIONAUX: [
            "view_revue",
            *[f"{verbe}_{modele}" for verbe in ("view", "add", "change", "delete") for modele in ("questionnaire", "section", "question")],
        ],
    }
    for nom, codenames in permissions.items():
        groupe, _ = Group.objects.using(using).get_or_create(name=nom)
        groupe.permissions.add(*Permission.objects.using(using).filter(content_type__app_label="revues", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("revues", "0001_initial"), ("candidatures", "0016_permissions_suivi_des_cites")]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
