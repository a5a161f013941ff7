"""Replies racing the deletion of their parent, on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection, connections

from discussions import services
from discussions.models import Comment
from discussions.threads import question_stats
from moderation import services as moderation
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
REPLIES = 50


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")


def test_fifty_replies_while_the_parent_is_deleted_are_all_kept():
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    author = UserFactory()
    parent = CommentFactory(question=question, author=author, body="About to go")
    repliers = UserFactory.create_batch(REPLIES)
    start = threading.Barrier(REPLIES + 1)
    errors = []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run,
            args=(
                lambda member=member, n=n: services.comment_post(
                    question=question, author=member, body=f"Reply {n}", parent=parent
                ),
            ),
        )
        for n, member in enumerate(repliers)
    ]
    threads.append(
        threading.Thread(
            target=run, args=(lambda: services.comment_delete(comment=parent, actor=author),)
        )
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    parent.refresh_from_db()
    assert parent.is_deleted
    replies = Comment.objects.filter(parent=parent)
    assert replies.count() == REPLIES
    assert set(replies.values_list("root_id", flat=True)) == {parent.pk}
    stats, participants = question_stats(discussion)
    assert stats[question.pk].comments == REPLIES  # the tombstone is not counted
    assert stats[question.pk].answers == 1
    assert participants == REPLIES


THREADS = 40
REPLIES_EACH = 5


def test_two_hundred_replies_from_forty_threads_into_one_thread_all_land_once():
    """
    Half the members reply to a thread's first comment while the other half reply under a
    reply in the same thread: every post is saved exactly once and none fails.
    """
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    first = CommentFactory(question=question, body="The thread's first comment")
    under = CommentFactory(question=question, parent=first, body="A reply to it")
    members = UserFactory.create_batch(THREADS)
    start = threading.Barrier(THREADS)
    errors = []

    def run(n, member):
        try:
            start.wait()
            parent = first if n % 2 else under
            for k in range(REPLIES_EACH):
                services.comment_post(
                    question=question, author=member, body=f"Reply {n}.{k}", parent=parent
                )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, m)) for n, m in enumerate(members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    bodies = list(
        Comment.objects.filter(root=first).exclude(pk=under.pk).values_list("body", flat=True)
    )
    assert len(bodies) == THREADS * REPLIES_EACH
    assert len(set(bodies)) == len(bodies)


def test_replies_marks_edits_and_moderation_at_once_in_one_thread_never_fail():
    """
    Every kind of write that touches a thread, at the same moment: replies, helpful marks,
    an edit and a deletion by their authors, and a moderator hiding and restoring. Each
    takes its locks in the same order (comment rows, then the member, then the
    discussion's version), so none waits on another in a cycle.
    """
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    first = CommentFactory(question=question, body="The thread's first comment")
    under = CommentFactory(question=question, parent=first, body="A reply to it")
    sibling = CommentFactory(question=question, parent=first, body="To be hidden and restored")
    members = UserFactory.create_batch(24)
    moderator = UserFactory(roles=["Moderators"])
    start = threading.Barrier(len(members) + 3)
    errors = []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    def reply_and_mark(n, member):
        parent = first if n % 2 else under
        for k in range(3):
            services.comment_post(
                question=question, author=member, body=f"Reply {n}.{k}", parent=parent
            )
            services.comment_mark_helpful(comment=under, member=member, helpful=k != 1)

    def moderate():
        for k in range(5):
            moderation.comment_hide(comment=sibling, moderator=moderator, reason=f"Round {k}")
            moderation.comment_restore(comment=sibling, moderator=moderator)

    def edit():
        for k in range(5):
            services.comment_edit(comment=under, editor=under.author, body=f"Edited {k}")

    def delete():
        services.comment_delete(comment=first, actor=first.author)

    works = [lambda n=n, m=m: reply_and_mark(n, m) for n, m in enumerate(members)]
    threads = [threading.Thread(target=run, args=(w,)) for w in [*works, moderate, edit, delete]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Comment.objects.filter(root=first).count() == 2 + len(members) * 3
    first.refresh_from_db()
    assert first.is_deleted
    sibling.refresh_from_db()
    assert sibling.status == Comment.Status.PUBLISHED
