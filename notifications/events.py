"""
What the rest of the site calls when something happens that someone may want to hear about.

Each function only schedules the work: when the surrounding transaction commits, a
background task is enqueued (one row with the database backend), and the worker does the
fan-out and the sending. Nothing is enqueued for a transaction that rolls back, and a
failure to enqueue is logged rather than turning a saved comment into an error page.
"""

from django.db import transaction


def comment_posted(comment) -> None:
    _enqueue_on_commit("comment_posted", comment_id=comment.pk)


def comment_edited(comment) -> None:
    _enqueue_on_commit("comment_edited", comment_id=comment.pk)


def comment_held(comment, *, event: str) -> None:
    _enqueue_on_commit("comment_held", comment_id=comment.pk, event=event)


def comment_marked_helpful(comment, member) -> None:
    _enqueue_on_commit("comment_marked_helpful", comment_id=comment.pk, member_id=member.pk)


def discussion_opened(discussion) -> None:
    _enqueue_on_commit("discussion_opened", discussion_id=discussion.pk)


def _enqueue_on_commit(task_name: str, **kwargs) -> None:
    def enqueue():
        # Imported here: discussions.services imports this module, and the tasks import
        # services that import discussions.
        from . import tasks

        getattr(tasks, task_name).enqueue(**kwargs)

    transaction.on_commit(enqueue, robust=True)
