"""
What notifications does when discussions announces a change (``discussions.signals``).

Each receiver only schedules the work: when the surrounding transaction commits, a
background task is enqueued (one row with the database backend), and the worker does the
fan-out and the sending. Nothing is enqueued for a transaction that rolls back, and a
failure to enqueue is logged rather than turning a saved comment into an error page.
"""

from collections.abc import Callable

from django.db import transaction
from django.dispatch import Signal

from discussions import signals
from discussions.models import Comment

from . import services


def on_comment_posted(sender, *, comment, **kwargs) -> None:
    if comment.status == Comment.Status.PUBLISHED:  # a held one waits for its review
        _enqueue_on_commit("comment_posted", comment_id=comment.pk)


def on_comment_edited(sender, *, comment, **kwargs) -> None:
    _enqueue_on_commit("comment_edited", comment_id=comment.pk)


def on_comment_held(sender, *, comment, event, **kwargs) -> None:
    _enqueue_on_commit("comment_held", comment_id=comment.pk, event=event)


def on_comment_reviewed(sender, *, comment, published, **kwargs) -> None:
    """Reviewed: the moderators' notifications of it are read; published: as if posted now."""
    services.held_notifications_resolve(comment=comment)
    if published:
        _enqueue_on_commit("comment_posted", comment_id=comment.pk)


def on_comment_marked_helpful(sender, *, comment, member, **kwargs) -> None:
    _enqueue_on_commit("comment_marked_helpful", comment_id=comment.pk, member_id=member.pk)


def on_discussion_opened(sender, *, discussion, **kwargs) -> None:
    _enqueue_on_commit("discussion_opened", discussion_id=discussion.pk)


def _enqueue_on_commit(task_name: str, **kwargs) -> None:
    def enqueue():
        from . import tasks  # the tasks import the services, which the worker runs

        getattr(tasks, task_name).enqueue(**kwargs)

    transaction.on_commit(enqueue, robust=True)


def connect() -> None:
    receivers: dict[Signal, Callable[..., None]] = {
        signals.comment_posted: on_comment_posted,
        signals.comment_edited: on_comment_edited,
        signals.comment_held: on_comment_held,
        signals.comment_reviewed: on_comment_reviewed,
        signals.comment_marked_helpful: on_comment_marked_helpful,
        signals.discussion_opened: on_discussion_opened,
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver, dispatch_uid=f"notifications-{receiver.__name__}")
