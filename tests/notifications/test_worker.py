"""
The worker outlives the database: a lost connection is waited out, a task the database
interrupted goes back to the queue, and a task a dead worker left running is taken up
again after its lease, without notifying anyone twice.
"""

import datetime
import threading
import time

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from psycopg import sql

from discussions import services as discussion_services
from notifications import services, tasks
from notifications.models import Notification
from notifications.worker import MAX_ATTEMPTS, TaskAbandoned, Worker, requeue_abandoned
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

# The worker closes and reopens its database connections, as it must: each test commits.
pytestmark = pytest.mark.django_db(transaction=True)
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LEASE = datetime.timedelta(minutes=10)
calls: list[str] = []


@task()
def flaky(name: str) -> str:
    """Fails with a database error the first time it runs for a name, then succeeds."""
    calls.append(name)
    if calls.count(name) == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return name


def maintenance_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


def make_worker(**options) -> Worker:
    defaults = {
        "queue_names": ["default"],
        "interval": 0.05,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
        "lease": LEASE,
    }
    return Worker(**defaults | options)


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.TASKS = DATABASE_BACKEND
    calls.clear()


def abandoned(result, *, starts: int = 1) -> DBTaskResult:
    """Leave an enqueued task as a worker killed mid-task leaves it."""
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - 2 * LEASE,
        worker_ids=[f"dead-{n}" for n in range(starts)],
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_left_running_by_a_dead_worker_runs_again_and_notifies_once(mailoutbox):
    answer = CommentFactory()
    reply = CommentFactory(parent=answer)
    result = tasks.comment_posted.enqueue(comment_id=reply.pk)
    # The dead worker had done the fan-out and sent the email before it died.
    services.notify_comment_posted(comment_id=reply.pk)
    services.send_pending_immediate()
    notified = Notification.objects.count()
    assert notified
    assert len(mailoutbox) == 1
    abandoned(result)

    make_worker().run()

    task_row = DBTaskResult.objects.get(pk=result.id)
    assert task_row.status == TaskResultStatus.SUCCESSFUL
    assert task_row.worker_ids == ["dead-0", "test-worker"]
    assert Notification.objects.count() == notified
    assert len(mailoutbox) == 1


def test_a_task_running_within_its_lease_is_left_alone():
    result = tasks.send_immediate_emails.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["alive"]
    )
    assert requeue_abandoned(lease=LEASE) == (0, 0)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


def test_a_task_abandoned_too_often_is_recorded_as_failed():
    result = tasks.send_immediate_emails.enqueue()
    abandoned(result, starts=MAX_ATTEMPTS)
    assert requeue_abandoned(lease=LEASE) == (0, 1)
    task_row = DBTaskResult.objects.get(pk=result.id)
    assert task_row.status == TaskResultStatus.FAILED
    assert task_row.exception_class_path.endswith(TaskAbandoned.__qualname__)


def test_a_task_interrupted_by_the_database_goes_back_to_the_queue_and_runs():
    result = flaky.enqueue(name="first")

    make_worker().run()

    task_row = DBTaskResult.objects.get(pk=result.id)
    assert task_row.status == TaskResultStatus.SUCCESSFUL
    assert task_row.return_value == "first"
    assert calls == ["first", "first"]
    assert len(task_row.worker_ids) == 2


def test_a_task_that_fails_by_itself_is_recorded_as_failed():
    result = tasks.comment_posted.enqueue(comment_id="not a number")
    make_worker().run()
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED


def test_the_worker_reconnects_after_its_connection_is_killed_and_carries_on():
    """
    PostgreSQL restarts: the worker's connection is dropped and new ones are refused for two
    seconds. The worker waits, reconnects and runs what was enqueued meanwhile.
    django-tasks-db's own worker exits at the first refused connection.
    """
    if connection.vendor != "postgresql":
        pytest.skip("terminating another connection needs PostgreSQL")
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    author, replier = UserFactory(), UserFactory()
    answer = discussion_services.comment_post(question=question, author=author, body="Answer")
    DBTaskResult.objects.all().delete()
    worker = make_worker(batch=False)
    errors = []

    def run():
        try:
            worker.run()
        except BaseException as error:
            errors.append(error)
        finally:
            from django.db import connections

            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        time.sleep(0.5)  # the worker is connected and idle
        # As during a restart: the server drops the worker's connection and refuses new
        # ones for two seconds (said from the maintenance database, as one cannot close
        # the door of the database one is in).
        with maintenance_connection() as server:
            name = sql.Identifier(connection.settings_dict["NAME"])
            server.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
            server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [connection.settings_dict["NAME"], connection.connection.info.backend_pid],
            )
            time.sleep(2)
            server.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))
        discussion_services.comment_post(
            question=question, author=replier, body="Reply", parent=answer
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Notification.objects.filter(recipient=author).exists():
                break
            time.sleep(0.1)
        assert thread.is_alive(), errors
        assert Notification.objects.filter(recipient=author).exists()
    finally:
        worker.running = False
        thread.join(timeout=30)
    assert errors == []
