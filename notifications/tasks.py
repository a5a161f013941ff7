"""
Background tasks (Django's tasks API, via the django-tasks backport).

Production runs them with django-tasks-db's ``manage.py db_worker``; the test suite runs
them immediately. Every task is safe to run twice (see services.py), so a retried or
duplicated task never notifies or emails anyone twice. Arguments are ids, never objects:
the worker reads the current state of the database when it runs.
"""

from django.db import transaction
from django_tasks import task

from . import services


@task()
def comment_posted(comment_id: int) -> int:
    """Notify everyone concerned by a new comment, then send what is due immediately."""
    return _then_send(services.notify_comment_posted(comment_id=comment_id))


@task()
def comment_edited(comment_id: int) -> int:
    """Notify members newly @mentioned by an edit."""
    return _then_send(services.notify_comment_edited(comment_id=comment_id))


@task()
def comment_held(comment_id: int, event: str) -> int:
    """Tell the moderators that a comment awaits their review."""
    return _then_send(services.notify_comment_held(comment_id=comment_id, event=event))


@task()
def comment_marked_helpful(comment_id: int, member_id: int) -> int:
    return _then_send(services.notify_marked_helpful(comment_id=comment_id, member_id=member_id))


@task()
def discussion_opened(discussion_id: int) -> int:
    return _then_send(services.notify_discussion_opened(discussion_id=discussion_id))


@task()
def send_immediate_emails() -> dict:
    """
    Email every notification due immediately. Failures stay due and are retried by the
    next run (the next event's, or the scheduled ``send_notifications``).
    """
    return services.send_pending_immediate().as_dict()


@task()
def send_digest_emails(period: str) -> dict:
    return services.send_digest(period=period).as_dict()


def _then_send(immediate: int) -> int:
    if immediate:
        transaction.on_commit(send_immediate_emails.enqueue, robust=True)
    return immediate
