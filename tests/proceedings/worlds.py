"""
A discussion whose proceedings show every case: answers and replies three deep, a comment
hidden by a moderator (with a reply of its own), one deleted, one awaiting review, one
under a pseudonym, comments with and without the licence, and a synthesis.
"""

import dataclasses
import datetime

from django.utils import timezone

from discussions import caching
from discussions.models import Comment, Discussion, Pseudonym
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

CC_BY = "CC-BY-4.0"


@dataclasses.dataclass
class World:
    discussion: Discussion
    host: object
    alice: object
    bob: object
    hidden_member: object  # the member behind the pseudonym
    comments: dict  # name -> Comment


def at(minutes: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(minutes=minutes)


def make_world(**discussion_fields) -> World:
    host = UserFactory(
        display_name="Maren Host", affiliation="Harbour Health Network", username="maren-host"
    )
    discussion = DiscussionFactory(
        host=host,
        commentary="The host's **commentary** on the paper.",
        closes_at=timezone.now() + datetime.timedelta(days=30),
        **discussion_fields,
    )
    first, second, third = discussion.questions.order_by("number")
    first.synthesis = "What we agreed: **titles** matter."
    first.save()
    alice = UserFactory(
        display_name="Alice Answerer", affiliation="Uni of Alpha", username="alice-a"
    )
    bob = UserFactory(display_name="Bob Replier", affiliation="Beta Institute", username="bob-b")
    hidden_member = UserFactory(
        display_name="Secret Person", affiliation="Secret Affiliation Ltd", username="secret-handle"
    )
    pseudonym = Pseudonym.objects.create(
        discussion=discussion, member=hidden_member, name="Blue Heron"
    )
    c = {}
    c["answer"] = CommentFactory(
        question=first, author=alice, body="First *answer* text.", created_at=at(1), licence=CC_BY
    )
    c["reply"] = CommentFactory(
        parent=c["answer"],
        author=bob,
        body="A reply to the answer.",
        created_at=at(2),
        licence=CC_BY,
    )
    c["deep"] = CommentFactory(
        parent=c["reply"], author=alice, body="A reply to the reply.", created_at=at(3)
    )
    c["second"] = CommentFactory(
        question=first, author=bob, body="Second answer, older licence.", created_at=at(4)
    )
    c["hidden"] = CommentFactory(
        question=first,
        author=bob,
        body="Hidden words nobody reads.",
        created_at=at(5),
        status=Comment.Status.HIDDEN,
        licence=CC_BY,
    )
    c["orphan"] = CommentFactory(
        parent=c["hidden"],
        author=alice,
        body="Reply under the hidden one.",
        created_at=at(6),
        licence=CC_BY,
    )
    c["deleted"] = CommentFactory(
        question=first,
        author=alice,
        body="Deleted words nobody reads.",
        created_at=at(7),
        deleted_at=at(8),
    )
    c["pending"] = CommentFactory(
        question=second,
        author=bob,
        body="Pending words nobody reads.",
        created_at=at(9),
        status=Comment.Status.PENDING,
    )
    c["pseudonymous"] = CommentFactory(
        question=second,
        author=hidden_member,
        pseudonym=pseudonym,
        body="Words under a pseudonym.",
        created_at=at(10),
        licence=CC_BY,
    )
    c["third"] = CommentFactory(
        question=third, author=alice, body="An answer to the third question.", created_at=at(11)
    )
    caching.discussions_changed([discussion.pk])
    discussion.refresh_from_db()
    return World(discussion, host, alice, bob, hidden_member, c)
