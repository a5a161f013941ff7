"""
The background worker: django-tasks-db's ``db_worker``, made to outlive the database.

django-tasks-db's own worker exits at the first lost connection (a PostgreSQL restart, a
fail-over), and a task it was running then stays ``RUNNING`` for ever, so the notifications
of that comment are never created. This worker (``manage.py run_worker``):

- waits out a lost database: it closes its connection, waits (1 s, doubling up to 30 s)
  and carries on;
- puts a task the database interrupted back in the queue instead of recording it as failed
  (it was not the task's fault);
- puts back in the queue any task left ``RUNNING`` for longer than the lease
  (``JOURNAL_CLUB_TASK_LEASE``), which is what a worker killed mid-task leaves behind,
  whichever worker looks next; after ``MAX_ATTEMPTS`` tries a task is recorded as failed,
  so one task that keeps killing its worker cannot hold up the queue.

Running a task again is safe: every task is idempotent (a notification's key is unique per
recipient and event; emails are leased, sent, then marked), so "at least once" never means
"notified twice".
"""

import datetime
import logging
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

# Errors that say the database went away or refused for a moment (a restart, a dropped
# connection, a deadlock), rather than that the task is wrong.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# How many times a task is started before it is given up as failed.
MAX_ATTEMPTS = 5
# How often a worker looks for abandoned tasks, in seconds.
SWEEP_EVERY = 60
LONGEST_WAIT = 30


class TaskAbandoned(Exception):
    """Recorded on a task given up after ``MAX_ATTEMPTS`` starts that never finished."""


def requeue_abandoned(*, lease: datetime.timedelta) -> tuple[int, int]:
    """
    Put tasks ``RUNNING`` for longer than ``lease`` back in the queue, or record them as
    failed once they were started ``MAX_ATTEMPTS`` times. Returns (requeued, failed).
    """
    stale = DBTaskResult.objects.running().filter(started_at__lt=timezone.now() - lease)
    requeued = failed = 0
    with exclusive_transaction(stale.db):
        for task_result in stale.select_for_update(skip_locked=True):
            if _give_up(task_result):
                failed += 1
            else:
                requeued += 1
    if requeued or failed:
        logger.warning("Abandoned tasks: %d back in the queue, %d failed", requeued, failed)
    return requeued, failed


def _give_up(task_result: DBTaskResult) -> bool:
    """Back in the queue (False), or failed if it was started too often (True)."""
    if len(task_result.worker_ids) >= MAX_ATTEMPTS:
        task_result.set_failed(
            TaskAbandoned(f"Started {len(task_result.worker_ids)} times, never finished.")
        )
        return True
    task_result.status = TaskResultStatus.READY
    task_result.save(update_fields=["status"])
    return False


class Worker(DatabaseWorker):
    """
    django-tasks-db's worker with its loop and its task runner replaced: the signal
    handling, the options and the claim of a task (a row lock, ``SKIP LOCKED``) are its own.
    """

    def __init__(self, *, lease: datetime.timedelta, **options):
        super().__init__(**options)
        self.lease = lease
        self.next_sweep = 0.0
        self.interrupted: list[DBTaskResult] = []  # tasks the database cut short

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s", self.worker_id)
        failures = 0
        while self.running:
            try:
                worked = self.step()
            except DATABASE_UNAVAILABLE:
                failures += 1
                wait = min(2 ** (failures - 1), LONGEST_WAIT)
                logger.warning("Database unavailable; trying again in %s s", wait, exc_info=True)
                connections.close_all()
                self.pause(wait)
                continue
            failures = 0
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.batch and not worked:
                return
            if not worked:
                self.pause(self.interval)

    def pause(self, seconds: float) -> None:
        """Sleep, unless asked to stop (tests stop a worker by clearing ``running``)."""
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.1, seconds))

    def step(self) -> bool:
        """Requeue what the database interrupted, sweep when due, run one ready task."""
        close_old_connections()
        while self.interrupted:
            task_result = self.interrupted[-1]
            if not _give_up(task_result):
                logger.info("Task id=%s back in the queue after a database error", task_result.pk)
            self.interrupted.pop()
        if time.monotonic() >= self.next_sweep:
            requeue_abandoned(lease=self.lease)
            self.next_sweep = time.monotonic() + SWEEP_EVERY
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self.run_task(task_result)
        return True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """
        Run one claimed task and record how it ended; an error of the database leaves it
        for ``step`` to put back in the queue once the database answers again.
        """
        self.running_task = True
        backend = None
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend = type(task.get_backend())
            task_started.send(sender=backend, task_result=task_result)
            if task.takes_context:
                arguments = (TaskContext(task_result=task_result), *task_result.args)
            else:
                arguments = tuple(task_result.args)
            return_value = task.call(*arguments, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend, task_result=db_task_result.task_result)
        except DATABASE_UNAVAILABLE:
            self.interrupted.append(db_task_result)
            raise
        except Exception as error:
            logger.exception("Task id=%s failed", db_task_result.pk)
            db_task_result.set_failed(error)
            if backend is not None:
                task_finished.send(sender=backend, task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1
