"""The scheduled jobs (cron.json → `manage.py taches_planifiees quotidien|hebdomadaire`).

Each job is a management command, run by the task worker (`portal.tasks.commande_planifiee`), so
that a failure is retried and then listed among the failed tasks, never lost. A command that this
version of the portal does not have is skipped and said so; an option it does not know is left out.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import get_commands, load_command_class


@dataclass(frozen=True)
class Tache:
    commande: str
    arguments: list[str] = field(default_factory=list)
    pourquoi: str = ""


PLANNING: dict[str, list[Tache]] = {
    "quotidien": [
        Tache("rappels_instruction", pourquoi="rappels des délais d'instruction aux agents"),
        Tache("rappels_cites", pourquoi="rappels des échéances des cités (convention, revue, fin de financement)"),
        Tache("purger_exports", pourquoi="suppression des exports expirés"),
        Tache("envoyer_alertes", pourquoi="alertes des nouvelles cités, demandes jamais confirmées effacées"),
        Tache(
            "prune_db_task_results",
            ["--min-age-days=30", "--failed-min-age-days=90"],
            pourquoi="résultats des tâches de plus de 30 jours (90 pour celles en échec) effacés",
        ),
    ],
    "hebdomadaire": [
        Tache("import_referentiels", ["--strict"], pourquoi="données de référence depuis leurs adresses officielles"),
    ],
}


def _options_connues(commande: str, application: str) -> set[str]:
    parser = load_command_class(application, commande).create_parser("manage.py", commande)
    return {option for action in parser._actions for option in action.option_strings}


def planning_resoudre(*, frequence: str) -> tuple[list[Tache], list[str]]:
    """The jobs of this frequency that this installation can run, and what was left out (in French).
    Options are written `--name` or `--name=value`."""
    commandes = get_commands()
    retenues, ecartees = [], []
    for tache in PLANNING[frequence]:
        application = commandes.get(tache.commande)
        if application is None:
            ecartees.append(f"{tache.commande} : commande absente de cette version, ignorée")
            continue
        if tache.commande == "prune_db_task_results" and "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
            ecartees.append(f"{tache.commande} : pas de file de tâches en base (TASKS_BACKEND), ignorée")
            continue
        connues = _options_connues(tache.commande, application)
        arguments = [option for option in tache.arguments if option.split("=")[0] in connues]
        for option in sorted(set(tache.arguments) - set(arguments)):
            ecartees.append(f"{tache.commande} : option {option} inconnue de cette version, laissée de côté")
        retenues.append(Tache(tache.commande, arguments, tache.pourquoi))
    return retenues, ecartees
