"""`manage.py taches_planifiees quotidien|hebdomadaire` (cron.json): each job queued for the worker,
commands this version lacks skipped and said so; the Procfile names the three processes."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from portal import planification

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def lancer(frequence: str) -> str:
    sortie = io.StringIO()
    call_command("taches_planifiees", frequence, stdout=sortie)
    return sortie.getvalue()


@pytest.mark.django_db
def test_the_weekly_job_queues_the_reference_import_for_the_worker():
    with override_settings(TASKS=DB_TASKS):
        sortie = lancer("hebdomadaire")
    tache = DBTaskResult.objects.get()
    assert tache.task_path == "portal.tasks.commande_planifiee"
    assert tache.args_kwargs["kwargs"]["commande"] == "import_referentiels"
    assert tache.status == "READY"
    assert "données de référence depuis leurs adresses officielles : en file" in sortie
    assert "1 tâche(s) hebdomadaire(s) confiée(s) au worker." in sortie


@pytest.mark.django_db
def test_the_daily_jobs_skip_a_command_this_version_lacks(monkeypatch):
    monkeypatch.setitem(
        planification.PLANNING,
        "quotidien",
        [
            planification.Tache("rappels_inexistants", pourquoi="une commande d'une autre version"),
            planification.Tache("envoyer_alertes", ["--option-inconnue"], pourquoi="alertes"),
        ],
    )
    with override_settings(TASKS=DB_TASKS):
        sortie = lancer("quotidien")
    assert "rappels_inexistants : commande absente de cette version, ignorée" in sortie
    assert "envoyer_alertes : option --option-inconnue inconnue de cette version, laissée de côté" in sortie
    taches = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert taches == [{"args": [], "kwargs": {"commande": "envoyer_alertes", "arguments": []}}]


def test_the_daily_jobs_send_the_reminders_of_the_cites_deadlines():
    retenues, ecartees = planification.planning_resoudre(frequence="quotidien")
    assert "rappels_cites" in [tache.commande for tache in retenues]
    assert not [e for e in ecartees if e.startswith("rappels_cites")]


@pytest.mark.django_db
def test_in_development_a_job_runs_at_once_and_says_so():
    sortie = lancer("quotidien")
    assert "envoyer_alertes — alertes des nouvelles cités, demandes jamais confirmées effacées : faite" in sortie


def test_the_procfile_declares_web_worker_and_release():
    lignes = dict(ligne.split(": ", 1) for ligne in (ROOT / "Procfile").read_text().splitlines() if ligne.strip())
    assert lignes == {
        "web": "gunicorn -c gunicorn.conf.py portal.wsgi:application",
        "worker": "python manage.py db_worker --queue-name '*' --interval 1",
        "release": "python manage.py migrate --noinput && python manage.py createcachetable"
        " && python manage.py synchroniser_permissions",
    }
