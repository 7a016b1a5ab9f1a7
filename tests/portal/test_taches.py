"""The task worker (django-tasks-db): a failing task is retried with a doubling delay, then shown
as failed to an agent who can relaunch it; a task left running by a dead worker is taken again."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from candidatures.tasks import email_send
from portal.management.commands.db_worker import Worker
from portal.taches import tache_delai_avant_essai

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def port_ferme() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_injoignable():
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port_ferme(),
        EMAIL_TIMEOUT=2,
    )


def travailler() -> None:
    """The worker of the Procfile, in this process, until no task is ready."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-test",
    ).run()


def test_the_delay_doubles_from_one_attempt_to_the_next():
    with override_settings(TASKS_RETRY_DELAY=30):
        assert [tache_delai_avant_essai(essais=n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]


@pytest.mark.django_db
def test_tasks_run_at_once_in_development_and_tests():
    mail.outbox.clear()
    result = email_send.enqueue(subject="Bonjour", body="Texte", to=["porteur@example.org"])
    assert result.status == "SUCCESSFUL"
    assert [m.subject for m in mail.outbox] == ["Bonjour"]
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, TASKS_RETRY_DELAY=30, TASKS_MAX_ATTEMPTS=4)
def test_a_failed_task_waits_before_its_next_attempt():
    email_send.enqueue(subject="Accusé", body="Texte", to=["porteur@example.org"])
    with smtp_injoignable():
        travailler()
    tache = DBTaskResult.objects.get()
    assert tache.status == "READY"
    assert len(tache.worker_ids) == 1
    assert tache.exception_class_path == "builtins.ConnectionRefusedError"
    attente = tache.run_after - tache.started_at
    assert timedelta(seconds=30) <= attente < timedelta(seconds=35)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, TASKS_RETRY_DELAY=0, TASKS_MAX_ATTEMPTS=3)
def test_a_task_that_keeps_failing_is_shown_to_an_agent_who_relaunches_it(admin_client):
    mail.outbox.clear()
    email_send.enqueue(subject="Accusé de réception", body="Texte", to=["porteur@example.org"])
    with smtp_injoignable():
        travailler()
    tache = DBTaskResult.objects.get()
    assert tache.status == "FAILED"
    assert len(tache.worker_ids) == 3
    assert mail.outbox == []

    liste = reverse("admin:portal_tache_changelist")
    page = admin_client.get(liste, {"etat": "FAILED"}).content.decode()
    assert "candidatures.tasks.email_send" in page
    assert "en échec" in page
    assert "ConnectionRefusedError" in page

    reponse = admin_client.post(
        liste, {"action": "relancer", "_selected_action": [str(tache.pk)], "index": "0"}, follow=True
    )
    assert "1 tâche(s) remise(s) en file" in reponse.content.decode()
    tache.refresh_from_db()
    assert (tache.status, tache.worker_ids) == ("READY", [])

    travailler()  # the SMTP server answers again (test e-mail backend)
    tache.refresh_from_db()
    assert tache.status == "SUCCESSFUL"
    assert [m.subject for m in mail.outbox] == ["Accusé de réception"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, TASKS_RUNNING_TIMEOUT=60)
def test_a_task_left_running_by_a_dead_worker_is_run_again():
    mail.outbox.clear()
    email_send.enqueue(subject="Accusé", body="Texte", to=["porteur@example.org"])
    # A worker claimed it two minutes ago and died (killed) before finishing it.
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(minutes=2), worker_ids=["mort"])
    recent = email_send.enqueue(subject="Autre", body="Texte", to=["porteur@example.org"])
    DBTaskResult.objects.filter(pk=recent.id).update(status="RUNNING", started_at=timezone.now(), worker_ids=["vivant"])
    travailler()
    assert [m.subject for m in mail.outbox] == ["Accusé"]
    assert DBTaskResult.objects.get(pk=recent.id).status == "RUNNING"  # still within its time: not taken
