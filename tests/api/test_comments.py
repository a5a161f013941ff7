"""
A discussion's comments through the API: in the order of the discussion's page, with the
page's tombstones and a reader's own comments awaiting review, page after page for the
same few queries whatever the size of the discussion.
"""

import datetime
import random

import pytest
from django.utils import timezone

from discussions.models import Comment
from discussions.threads import Sort, first_page_threads
from moderation.models import ModerationAction
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

from .conftest import conforms, is_problem, read, results, token_for

PATH = "/api/v1/discussions/{slug}/comments/"
T0 = timezone.now() - datetime.timedelta(days=7)


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def every_page(client, url: str, token: str | None = None) -> list[dict]:
    """Every comment, following ``next`` from ``url`` to the last page."""
    found = []
    while url:
        response = read(client, url, token)
        conforms(response, PATH)
        found += results(response)
        url = response.json()["next"]
    return found


def site_order(discussion, reader) -> list[int]:
    """The comments the discussion's page shows this reader, in the page's order."""
    threads = first_page_threads(discussion, sort=Sort.OLDEST, reader=reader)
    order = []
    for question in discussion.questions.order_by("number", "id"):
        order += [entry.comment.pk for entry in threads.get(question.pk, [])]
    return order


class Conversation:
    """
    Two questions' threads with every kind of comment: replies of replies answered out of
    order, a deleted answer and a hidden reply (tombstones, their replies kept), a comment
    awaiting review with a reply to it, and a question without comments.
    """

    def __init__(self):
        self.discussion = DiscussionFactory(slug="conversation")
        q1, q2, _q3 = self.discussion.questions.order_by("number")
        self.writer, self.other = UserFactory(), UserFactory()
        self.newcomer = UserFactory()

        def post(question=None, parent=None, minute=0, **fields):
            return CommentFactory(
                question=question or parent.question,
                parent=parent,
                created_at=at(minute),
                **fields,
            )

        self.a1 = post(q1, minute=1, author=self.writer)
        self.a2 = post(q1, minute=2, author=self.other)
        self.r1 = post(parent=self.a1, minute=3)
        self.r2 = post(parent=self.r1, minute=4)
        self.r3 = post(parent=self.a1, minute=5)
        self.deleted = post(q1, minute=6, deleted_at=at(30), body="", body_html="")
        self.under_deleted = post(parent=self.deleted, minute=7)
        self.hidden = post(
            parent=self.a2, minute=8, status=Comment.Status.HIDDEN, moderation_note="Off topic."
        )
        self.under_hidden = post(parent=self.hidden, minute=9)
        self.pending = post(q1, minute=10, author=self.newcomer, status=Comment.Status.PENDING)
        self.under_pending = post(parent=self.pending, minute=11, author=self.newcomer)
        self.b1 = post(q2, minute=0)
        self.b2 = post(parent=self.b1, minute=12)


@pytest.fixture
def conversation(db):
    return Conversation()


@pytest.mark.parametrize("reader", ["visitor", "writer", "newcomer"])
@pytest.mark.parametrize("size", [1, 2, 3, 50])
def test_comments_come_in_the_order_of_the_discussions_page(client, conversation, reader, size):
    """Whatever the page size, the pages put together are the page's threads, in order."""
    c = conversation
    user = getattr(c, reader, None)
    token = token_for(user) if user else None
    from django.contrib.auth.models import AnonymousUser

    expected = site_order(c.discussion, user or AnonymousUser())
    got = every_page(client, f"/api/v1/discussions/conversation/comments/?page_size={size}", token)
    assert [comment["id"] for comment in got] == expected


def test_the_order_and_depths_spelled_out(client, conversation):
    c = conversation
    got = every_page(client, "/api/v1/discussions/conversation/comments/")
    assert [
        (item["id"], item["depth"], item["parent_id"], item["question_number"]) for item in got
    ] == [
        (c.a1.pk, 0, None, 1),
        (c.r1.pk, 1, c.a1.pk, 1),
        (c.r2.pk, 2, c.r1.pk, 1),
        (c.r3.pk, 1, c.a1.pk, 1),
        (c.a2.pk, 0, None, 1),
        (c.hidden.pk, 1, c.a2.pk, 1),
        (c.under_hidden.pk, 2, c.hidden.pk, 1),
        (c.deleted.pk, 0, None, 1),
        (c.under_deleted.pk, 1, c.deleted.pk, 1),
        (c.b1.pk, 0, None, 2),
        (c.b2.pk, 1, c.b1.pk, 2),
    ]


def test_tombstones_keep_their_place_but_show_no_author_and_no_text(client, conversation):
    c = conversation
    got = {item["id"]: item for item in every_page(client, PATH.format(slug="conversation"))}
    deleted, hidden, live = got[c.deleted.pk], got[c.hidden.pk], got[c.a1.pk]
    for tombstone in (deleted, hidden):
        assert tombstone["removed"] is True
        assert tombstone["author"] is None
        assert tombstone["body_markdown"] is None
        assert tombstone["body_html"] is None
        assert tombstone["label"] is None
        assert tombstone["language"] is None
        assert tombstone["edited_at"] is None
    assert deleted["removed_because"] == "deleted"
    assert deleted["moderation_note"] is None
    # As the site's tombstone: "Hidden by a moderator: Off topic."
    assert hidden["removed_because"] == "hidden"
    assert hidden["moderation_note"] == "Off topic."
    assert c.hidden.body not in str(got)
    assert c.hidden.author.username not in str(hidden)
    assert live["removed"] is False
    assert live["author"]["username"] == c.writer.username
    assert live["body_markdown"] == c.a1.body
    assert live["body_html"] == c.a1.body_html  # as stored: what the page shows
    assert live["url"] == f"http://127.0.0.1:8000/comments/{c.a1.pk}/"
    assert live["api_url"] == f"http://127.0.0.1:8000/api/v1/comments/{c.a1.pk}/"


def test_a_comment_awaiting_review_is_given_to_its_author_alone(client, conversation):
    c = conversation
    newcomer = {
        item["id"]: item
        for item in every_page(client, PATH.format(slug="conversation"), token_for(c.newcomer))
    }
    assert newcomer[c.pending.pk]["awaiting_review"] is True
    assert newcomer[c.under_pending.pk]["parent_id"] == c.pending.pk
    for reader in (None, token_for(c.writer)):
        ids = [item["id"] for item in every_page(client, PATH.format(slug="conversation"), reader)]
        # Nor the reply to it: the page leaves out a reply whose parent it does not show.
        assert c.pending.pk not in ids
        assert c.under_pending.pk not in ids


def test_one_comment_with_its_place(client, conversation):
    c = conversation
    response = read(client, f"/api/v1/comments/{c.r2.pk}/")
    conforms(response, "/api/v1/comments/{id}/")
    data = response.json()
    assert (data["id"], data["depth"], data["parent_id"], data["question_number"]) == (
        c.r2.pk,
        2,
        c.r1.pk,
        1,
    )
    assert read(client, f"/api/v1/comments/{c.hidden.pk}/").json()["author"] is None
    is_problem(read(client, f"/api/v1/comments/{c.pending.pk}/"), 404)
    assert (
        read(client, f"/api/v1/comments/{c.pending.pk}/", token_for(c.newcomer)).status_code == 200
    )


def test_one_question_at_a_time(client, conversation):
    c = conversation
    got = every_page(client, "/api/v1/discussions/conversation/comments/?question=2&page_size=1")
    assert [item["id"] for item in got] == [c.b1.pk, c.b2.pk]
    assert every_page(client, "/api/v1/discussions/conversation/comments/?question=3") == []


def test_comments_changed_since_keep_their_place_parent_and_depth(client, conversation):
    c = conversation
    since = at(100)
    Comment.objects.filter(pk=c.r2.pk).update(edited_at=at(101))
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.HIDE, comment=c.b2, created_at=at(102), target="b2"
    )
    later = CommentFactory(parent=c.a2, created_at=at(103))
    moment = since.isoformat().replace("+", "%2B")
    url = f"{PATH.format(slug='conversation')}?updated_since={moment}&page_size=1"
    got = every_page(client, url)
    assert [(item["id"], item["depth"]) for item in got] == [
        (c.r2.pk, 2),
        (later.pk, 1),
        (c.b2.pk, 1),
    ]


def test_a_page_ends_where_the_next_begins_even_as_replies_arrive(client, conversation):
    c = conversation
    first = read(client, f"{PATH.format(slug='conversation')}?page_size=2")
    assert [item["id"] for item in results(first)] == [c.a1.pk, c.r1.pk]
    # Meanwhile: a reply inside the page being read, and one before it.
    inside = CommentFactory(parent=c.r2, created_at=at(50))
    CommentFactory(parent=c.a1, created_at=at(0))  # sorts before r1: already passed
    rest = every_page(client, first.json()["next"])
    assert [item["id"] for item in rest][:3] == [c.r2.pk, inside.pk, c.r3.pk]


def test_a_thread_is_given_again_when_its_last_comment_left_the_readers_view(client, conversation):
    """Held for review after flags: the page resumes at its thread's start, losing nothing."""
    c = conversation
    first = read(client, f"{PATH.format(slug='conversation')}?page_size=2")
    assert [item["id"] for item in results(first)] == [c.a1.pk, c.r1.pk]
    Comment.objects.filter(pk=c.r1.pk).update(status=Comment.Status.PENDING)
    rest = [item["id"] for item in every_page(client, first.json()["next"])]
    assert rest[:2] == [c.a1.pk, c.r3.pk]  # r1 and its reply r2 are no longer shown


# --- The same few queries per page, whatever the discussion's size -------------------------


def grow(discussion, count: int, *, seed: int = 19) -> None:
    """``count`` comments over the discussion's questions: answers, replies, replies of replies."""
    chance = random.Random(seed)
    questions = list(discussion.questions.all())
    authors = [UserFactory() for _ in range(5)]
    threads: dict[int, list[Comment]] = {question.pk: [] for question in questions}
    for number in range(count):
        question = chance.choice(questions)
        earlier = threads[question.pk]
        parent = chance.choice(earlier) if earlier and chance.random() < 0.7 else None
        comment = Comment.objects.create(
            question=question,
            parent=parent,
            root=(parent.root or parent) if parent else None,
            author=chance.choice(authors),
            body=f"Comment {number}",
            body_html=f"<p>Comment {number}</p>",
            created_at=at(number),
            status=Comment.Status.HIDDEN if number % 17 == 0 else Comment.Status.PUBLISHED,
        )
        earlier.append(comment)


@pytest.mark.parametrize(("count", "size"), [(50, 20), (1000, 200)])
def test_every_page_costs_the_same_queries_whatever_the_discussions_size(
    client, db, count, size, django_assert_num_queries
):
    """
    Four queries per page for a visitor, on the first page as on the last, for 50 comments
    as for 1,000: the discussion, its answers from the cursor on (with their reply counts),
    the replies of the answers that fill the page (ids only), the page's comments.
    """
    discussion = DiscussionFactory(slug="long")
    grow(discussion, count)
    url, seen = f"/api/v1/discussions/long/comments/?page_size={size}", []
    while url:
        with django_assert_num_queries(4):
            response = read(client, url)
        page = results(response)
        assert len(page) <= size
        seen += [item["id"] for item in page]
        url = response.json()["next"]
    assert len(seen) == count
    assert seen == site_order_all(discussion)


def site_order_all(discussion) -> list[int]:
    """The thread order of every comment: the page's (``flatten``), every answer at once."""
    from discussions.threads import flatten

    order = []
    for question in discussion.questions.order_by("number", "id"):
        comments = list(question.comments.order_by("created_at", "id").rows())
        roots = [comment for comment in comments if comment.parent_id is None]
        order += [
            entry.comment.pk for entry in flatten(roots, [c for c in comments if c.parent_id])
        ]
    return order


def test_a_member_reads_every_page_for_one_query_more(client, db, django_assert_num_queries):
    """Their token, looked up once per request (its last use is written once a minute)."""
    discussion = DiscussionFactory(slug="long")
    grow(discussion, 120)
    token = token_for(UserFactory())
    read(client, "/api/v1/", token)  # the token's first use is written down
    url = "/api/v1/discussions/long/comments/?page_size=50"
    while url:
        with django_assert_num_queries(5):
            response = read(client, url, token)
        url = response.json()["next"]


# --- Cursors that were not given --------------------------------------------------------------


def test_a_cursor_altered_made_up_or_of_another_list_is_refused(client, conversation):
    other = DiscussionFactory(slug="other")
    CommentFactory(question=other.questions.first())
    first = read(client, f"{PATH.format(slug='conversation')}?page_size=1").json()["next"]
    cursor = first.split("cursor=")[1]
    for bad in (cursor[:-2] + "xx", "abc", "e30:1tX:zz", "a" * 600):
        is_problem(
            read(client, f"{PATH.format(slug='conversation')}?cursor={bad}"), 400, "invalid_cursor"
        )
    is_problem(read(client, f"{PATH.format(slug='other')}?cursor={cursor}"), 400, "invalid_cursor")
    is_problem(read(client, f"/api/v1/clubs/?cursor={cursor}"), 400, "invalid_cursor")
