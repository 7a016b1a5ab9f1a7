"""Roles, the calls for projects 2019–2025 with their nine criteria, an open all-year call,
and a case-insensitive unique index on user names (the e-mail addresses of porteurs)."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

PARIS = ZoneInfo("Europe/Paris")

GROUPES = ["Agents régionaux", "Agents nationaux (ANCT)"]

# The nine criteria of the 2019–2025 calls (DESIGN.md §3). Criteria 1 and 2 are checked
# automatically from the reference data; the keys of champs_requis are those of
# candidatures.selectors.ELEMENTS.
CRITERES = [
    (1, "Le territoire est un quartier prioritaire de la politique de la ville (QPV)", "qpv", ["communes", "qpvs"]),
    (2, "Au moins une école ou un collège en REP ou REP+", "rep", ["etablissements", "chef_de_file"]),
    (
        3,
        "Des indicateurs scolaires, sociaux et économiques fragiles appelant une action contre le décrochage scolaire",
        "",
        ["diagnostic", "indicateurs"],
    ),
    (4, "Des actions sur les différents temps éducatifs : avant, pendant et après la classe", "", ["fiches_action", "temps_educatifs"]),
    (5, "Le projet s'appuie sur des actions qui existent déjà sur le territoire", "", ["actions_existantes"]),
    (6, "Un pilotage opérationnel des acteurs, chacun avec son rôle", "", ["pilotage", "gouvernance"]),
    (7, "Les actions ressources existantes et les actions complémentaires sont détaillées", "", ["ressources"]),
    (8, "Un budget", "", ["budget"]),
    (9, "Un plan de communication et une démarche d'évaluation", "", ["communication", "evaluation"]),
]


def _date(annee, mois, jour, heure=0, minute=0):
    return datetime.datetime(annee, mois, jour, heure, minute, tzinfo=PARIS)


# Historical calls are closed; their dates are indicative (the published decisions give the
# waves: 80 cités in 2019, 46 in 2021, 74 in 2022, +40 in 2025).
APPELS = [
    (
        2019,
        "Appel à projets cités éducatives 2019",
        "Première vague : un grand quartier prioritaire avec un collège REP+. Appel clos, dates indicatives.",
        _date(2019, 2, 1),
        _date(2019, 5, 31, 23, 59),
    ),
    (
        2021,
        "Appel à projets cités éducatives 2021",
        "Deuxième vague : des QPV de plus de 4 000 habitants avec des écoles REP ou REP+. Appel clos, dates indicatives.",
        _date(2020, 9, 1),
        _date(2020, 12, 15, 23, 59),
    ),
    (
        2022,
        "Appel à projets cités éducatives 2022",
        "Troisième vague. Appel clos, dates indicatives.",
        _date(2021, 6, 1),
        _date(2021, 10, 31, 23, 59),
    ),
    (
        2024,
        "Appel à projets cités éducatives 2024",
        "Au moins un QPV et un collège chef de file pour les écoles du périmètre ; l'indice de position "
        "sociale (IPS) des écoles est pris en compte. Appel clos, dates indicatives.",
        _date(2024, 1, 1),
        _date(2024, 12, 31, 23, 59),
    ),
    (
        2025,
        "Appel à projets cités éducatives 2025",
        "Quarante nouveaux territoires. Appel clos, dates indicatives.",
        _date(2025, 1, 1),
        _date(2025, 12, 31, 23, 59),
    ),
]


def creer(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    AppelAProjets = apps.get_model("candidatures", "AppelAProjets")
    Critere = apps.get_model("candidatures", "Critere")
    for nom in GROUPES:
        Group.objects.get_or_create(name=nom)

    def ajouter_criteres(appel):
        for numero, libelle, verification, champs in CRITERES:
            Critere.objects.get_or_create(
                appel=appel,
                numero=numero,
                defaults={"libelle": libelle, "verification": verification, "champs_requis": champs},
            )

    for annee, titre, description, ouverture, cloture in APPELS:
        appel, _ = AppelAProjets.objects.get_or_create(
            annee=annee,
            titre=titre,
            defaults={"description": description, "date_ouverture": ouverture, "date_cloture": cloture},
        )
        ajouter_criteres(appel)
    permanent, _ = AppelAProjets.objects.get_or_create(
        annee=2026,
        titre="Appel à projets cités éducatives — dépôt au fil de l'eau",
        defaults={
            "description": "Ouvert toute l'année : les candidatures sont instruites dans l'ordre de leur dépôt.",
            "ouvert_toute_annee": True,
        },
    )
    ajouter_criteres(permanent)


def supprimer(apps, schema_editor):
    AppelAProjets = apps.get_model("candidatures", "AppelAProjets")
    AppelAProjets.objects.filter(candidatures__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(creer, supprimer),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS candidatures_user_username_ci ON auth_user (LOWER(username))",
            "DROP INDEX IF EXISTS candidatures_user_username_ci",
        ),
    ]
