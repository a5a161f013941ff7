"""
Text a moderator hid, text that awaits review and text its author deleted reach nobody who
may not see it, through any URL that shows a comment.

Four comments, one per status, each with a marker word in its current text and another in
an earlier version (kept as a revision). Every reader walks every surface that shows a
comment (the discussion and question pages, the permalink with and without htmx, the edit
history, the reply form with a quotation, feeds, search, the author's profile, the
notifications page, emails) and the test fails on any marker found where the reader may
not read it.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from discussions import services
from discussions.models import Comment
from moderation import services as moderation
from tests.factories import DiscussionFactory, UserFactory

STATUSES = ["published", "pending", "hidden", "deleted"]
READERS = ["anonymous", "member", "author", "moderator", "staff"]


@pytest.fixture
def world(db, settings):
    settings.JOURNAL_CLUB_EDIT_GRACE_SECONDS = 0  # every edit keeps a revision
    settings.JOURNAL_CLUB_FLAGS_TO_HIDE = 1
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    author = UserFactory(username="writer")
    readers = {
        "member": UserFactory(username="reader"),
        "author": author,
        "moderator": UserFactory(roles=["Moderators"]),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    flagger = UserFactory()
    comments = {}
    for status in STATUSES:
        comment = services.comment_post(
            question=question,
            author=author,
            body=f"Earlier{status}marker words, for @reader",
        )
        comment = services.comment_edit(
            comment=comment, editor=author, body=f"Current{status}marker words, for @reader"
        )
        comments[status] = comment
    moderation.flag_create(comment=comments["pending"], flagger=flagger, reason="spam")
    moderation.comment_hide(
        comment=comments["hidden"], moderator=readers["moderator"], reason="Off topic"
    )
    services.comment_delete(comment=comments["deleted"], actor=author)
    for status, comment in comments.items():
        comment.refresh_from_db()
        expected = {"deleted": "published"}.get(status, status)
        assert comment.status == expected
    return discussion, question, comments, readers


def markers(status: str) -> list[str]:
    return [f"Earlier{status}marker", f"Current{status}marker"]


def may_read(status: str, reader: str) -> bool:
    """Who may read a comment's text on the site's public surfaces."""
    if status == "published":
        return True
    return status == "pending" and reader == "author"


def surfaces(discussion, question, comment, author) -> dict[str, tuple[str, dict]]:
    """Every URL that shows a comment, with the headers to send."""
    htmx = {"HTTP_HX_REQUEST": "true"}
    permalink = reverse("discussions:comment", args=[comment.pk])
    reply = reverse("discussions:comment-reply", args=[comment.pk])
    return {
        "discussion page": (discussion.get_absolute_url(), {}),
        "discussion page, sorted": (discussion.get_absolute_url() + "?sort=newest", {}),
        "question page": (
            reverse("discussions:question", args=[discussion.slug, question.number]),
            {},
        ),
        "permalink": (permalink, {}),
        "permalink fragment": (permalink, htmx),
        "revisions": (reverse("discussions:comment-revisions", args=[comment.pk]), {}),
        "quote": (reply + "?quote=1", {}),
        "quote fragment": (reply + "?quote=1", htmx),
        "discussion feed": (
            reverse("discovery:feed-discussion-comments", args=[discussion.slug]),
            {},
        ),
        "member feed": (reverse("discovery:feed-member-comments", args=[author.username]), {}),
        "profile": (author.get_absolute_url(), {}),
        "search": (reverse("discovery:search") + "?q=marker", {}),
        "search, comments": (reverse("discovery:search") + "?q=marker&kind=comment", {}),
        "notifications": (reverse("notifications:list"), {}),
    }


@pytest.mark.parametrize("reader", READERS)
def test_no_surface_shows_text_to_a_reader_who_may_not_read_it(world, reader):
    discussion, question, comments, readers = world
    client = Client()
    if reader != "anonymous":
        client.force_login(readers[reader])
    author = readers["author"]
    leaks, seen = [], set()
    for comment in comments.values():
        for name, (url, headers) in surfaces(discussion, question, comment, author).items():
            response = client.get(url, follow=True, **headers)
            assert response.status_code < 500, (name, url)
            content = response.content.decode()
            for other in STATUSES:
                for word in markers(other):
                    if word in content:
                        seen.add(other)
                        if not may_read(other, reader):
                            leaks.append((name, url, word))
    assert leaks == []
    # The walk reads what it may: published text everywhere, pending text by its author.
    assert "published" in seen
    assert ("pending" in seen) == (reader == "author")


def test_no_email_carries_text_nobody_may_read(world):
    _discussion, _question, _comments, _readers = world
    sent = "\n".join(
        message.body + "".join(part for part, _type in getattr(message, "alternatives", []))
        for message in mail.outbox
    )
    for status in ("pending", "hidden", "deleted"):
        for word in markers(status):
            assert word not in sent


@pytest.mark.parametrize("status", ["pending", "hidden", "deleted"])
@pytest.mark.parametrize("reader", ["anonymous", "member"])
def test_the_revisions_and_quote_of_an_unreadable_comment_are_not_found(world, status, reader):
    _discussion, _question, comments, readers = world
    client = Client()
    if reader != "anonymous":
        client.force_login(readers[reader])
    comment = comments[status]
    revisions = client.get(reverse("discussions:comment-revisions", args=[comment.pk]))
    assert revisions.status_code == 404
    quote = client.get(reverse("discussions:comment-reply", args=[comment.pk]) + "?quote=1")
    assert quote.status_code == (302 if reader == "anonymous" else 404)


def test_a_pending_comment_fragment_is_not_found_for_others_and_shown_to_its_author(world):
    _discussion, _question, comments, readers = world
    url = reverse("discussions:comment", args=[comments["pending"].pk])
    client = Client()
    client.force_login(readers["member"])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    client.force_login(readers["author"])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Currentpendingmarker" in response.content.decode()


def test_the_rule_is_the_one_the_thread_pages_apply(world):
    """``visible_to`` is the thread rule in readable discussions; ``readable_by`` drops
    tombstones."""
    _discussion, _question, comments, readers = world
    for reader in ("member", "author"):
        user = readers[reader]
        visible = set(Comment.objects.visible_to(user).values_list("pk", flat=True))
        threads = set(Comment.objects.in_threads_for(user).values_list("pk", flat=True))
        assert visible == threads
        readable = set(Comment.objects.readable_by(user).values_list("pk", flat=True))
        expected = {comments["published"].pk}
        if reader == "author":
            expected.add(comments["pending"].pk)
        assert readable == expected
