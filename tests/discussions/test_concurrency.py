"""Replies racing the deletion of their parent, on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection, connections

from discussions import services
from discussions.models import Comment
from discussions.threads import question_stats
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
