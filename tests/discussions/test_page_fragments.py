"""
The discussion page is put together from cached parts (``selectors.PageData`` under the
discussion's version, each comment's article under its own version, ``fragments``): with
the caches cold or warm it must be, byte for byte, the page rendered with every cache off,
whoever reads it and whatever they did on it; and nothing of one reader reaches another.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions import caching, services
from discussions.models import Comment, Discussion, DiscussionVisit
from discussions.services import follow_toggle
from moderation import services as moderation
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db

EARLIER = timezone.now() - datetime.timedelta(days=3)
VISITED = timezone.now() - datetime.timedelta(days=2)
LATER = timezone.now() - datetime.timedelta(days=1)


def at(comment: Comment, moment: datetime.datetime) -> Comment:
    Comment.objects.filter(pk=comment.pk).update(created_at=moment)
    return comment


@pytest.fixture
def scene():
    """A discussion with everything a member can have done on its page."""
    discussion = DiscussionFactory()
    q1, q2, q3 = discussion.questions.order_by("number")
    me, other, third = UserFactory(), UserFactory(), UserFactory()
    moderator = UserFactory(roles=["Moderators"])

    theirs = at(CommentFactory(question=q1, author=other), EARLIER)
    mine = at(CommentFactory(question=q1, author=me), EARLIER)
    at(CommentFactory(parent=theirs, author=me), EARLIER)  # my reply
    at(CommentFactory(parent=mine, author=other), LATER)  # new to me: a reply to me
    chain = theirs
    for depth in range(8):  # deeper than the nesting limit
        chain = at(CommentFactory(parent=chain, author=(other, third)[depth % 2]), LATER)
    newer = at(CommentFactory(question=q2, author=third), LATER)
    at(CommentFactory(question=q2, author=me), LATER)  # mine, and later than my visit
    services.comment_delete(comment=at(CommentFactory(question=q2, author=me), EARLIER), actor=me)
    hidden = at(CommentFactory(question=q2, author=other), LATER)
    moderation.comment_hide(comment=hidden, moderator=moderator, reason="Off topic.")
    in_locked = at(CommentFactory(question=q3, author=other), EARLIER)
    at(CommentFactory(question=q3, author=me), EARLIER)

    for comment in (theirs, newer, in_locked):
        services.comment_mark_helpful(comment=comment, member=me)
    follow_toggle(member=me, discussion=discussion, follow=True)
    follow_toggle(member=me, question=q2, follow=True)
    follow_toggle(member=me, thread=theirs, follow=True)
    moderation.question_lock(question=q3, moderator=moderator, note="Settled.")
    return {"discussion": Discussion.objects.get(pk=discussion.pk), "me": me, "other": other}


def page(client, discussion, member, *, seen, shared: bool, settings, **params) -> str:
    """The page as ``member`` gets it, their previous visit at ``seen`` (None: never)."""
    settings.DISCUSSION_PAGE_CACHE = shared
    DiscussionVisit.objects.filter(discussion=discussion, member=member).delete()
    if seen is not None:
        DiscussionVisit.objects.create(discussion=discussion, member=member, last_seen_at=seen)
    client.force_login(member)
    response = client.get(discussion.get_absolute_url(), params)
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF-TOKEN", html)  # each token is masked apart


def assert_same_page(client, discussion, member, settings, *, seen=VISITED, **params):
    full = page(client, discussion, member, seen=seen, shared=False, settings=settings, **params)
    for _ in range(2):  # the caches filled, then read
        assembled = page(
            client, discussion, member, seen=seen, shared=True, settings=settings, **params
        )
        assert assembled == full


def test_a_member_with_everything_on_the_page(client, scene, settings):
    html = page(
        client, scene["discussion"], scene["me"], seen=VISITED, shared=True, settings=settings
    )
    # the case covers what it claims to
    for bit in (
        "comment--own",
        "thread__item--new",
        'aria-pressed="true"',
        "Unfollow thread",
        "Unfollow this discussion",
        "Unfollow this question",
        "Jump to the first new comment",
        "in reply to",
    ):
        assert bit in html
    assert_same_page(client, scene["discussion"], scene["me"], settings)


@pytest.mark.parametrize("seen", [None, EARLIER - datetime.timedelta(days=1), LATER])
def test_whatever_the_last_visit(client, scene, settings, seen):
    assert_same_page(client, scene["discussion"], scene["me"], settings, seen=seen)


@pytest.mark.parametrize("sort", ["newest", "helpful"])
def test_each_sort(client, scene, settings, sort):
    assert_same_page(client, scene["discussion"], scene["me"], settings, sort=sort)


def test_a_member_who_did_nothing_here(client, scene, settings):
    assert_same_page(client, scene["discussion"], UserFactory(), settings)


def test_another_member_after_the_first(client, scene, settings):
    """The second member reads the articles cached for the first, with their own bits."""
    assert_same_page(client, scene["discussion"], scene["me"], settings)
    assert_same_page(client, scene["discussion"], scene["other"], settings)


@pytest.mark.parametrize("role", ["Moderators", "Hosts", "Staff"])
def test_members_with_a_role(client, scene, settings, role):
    scene["me"].groups.add(Group.objects.get(name=role))
    assert_same_page(client, scene["discussion"], scene["me"], settings)


def test_the_host(client, scene, settings):
    assert_same_page(client, scene["discussion"], scene["discussion"].host, settings)


def test_staff_with_the_admin_link(client, scene, settings):
    assert_same_page(client, scene["discussion"], UserFactory(is_staff=True), settings)


def test_an_unconfirmed_member(client, scene, settings):
    assert_same_page(client, scene["discussion"], UserFactory(verified=False), settings)


def test_a_member_with_a_time_zone(client, scene, settings):
    scene["me"].time_zone = "Pacific/Auckland"
    scene["me"].save(update_fields=["time_zone"])
    assert_same_page(client, scene["discussion"], scene["me"], settings)


def test_a_closed_discussion(client, scene, settings):
    services.discussion_close(discussion=scene["discussion"])
    assert_same_page(client, scene["discussion"], scene["me"], settings)


def test_a_suspended_member_gets_a_full_page(client, scene, settings):
    moderator = UserFactory(roles=["Moderators"])
    moderation.member_suspend(member=scene["me"], moderator=moderator, reason="Cooling off.")
    assert_same_page(client, scene["discussion"], scene["me"], settings)
    html = page(
        client, scene["discussion"], scene["me"], seen=VISITED, shared=True, settings=settings
    )
    assert "Cooling off." in html


def test_a_comment_awaiting_review_shows_to_its_author_only(client, scene, settings):
    newcomer = UserFactory()
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    question = scene["discussion"].questions.get(number=1)
    services.comment_post(question=question, author=newcomer, body="My first words here.")
    assert_same_page(client, scene["discussion"], newcomer, settings)
    assert "My first words here." in page(
        client, scene["discussion"], newcomer, seen=None, shared=True, settings=settings
    )
    assert "My first words here." not in page(
        client, scene["discussion"], scene["me"], seen=None, shared=True, settings=settings
    )


def test_a_change_reaches_the_next_page(client, scene, settings):
    discussion, me = scene["discussion"], scene["me"]
    page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
    question = discussion.questions.get(number=1)
    services.comment_post(question=question, author=scene["other"], body="Fresh thoughts.")
    assert "Fresh thoughts." in page(
        client, discussion, me, seen=VISITED, shared=True, settings=settings
    )
    assert_same_page(client, discussion, me, settings)


def test_a_members_own_change_reaches_their_page(client, scene, settings):
    discussion, me = scene["discussion"], scene["me"]
    page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
    follow_toggle(member=me, discussion=discussion, follow=False)  # no version change
    html = page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
    assert "Follow this discussion" in html
    assert_same_page(client, discussion, me, settings)


def test_the_caches_carry_nothing_of_one_member_to_another(client, scene, settings):
    discussion, me = scene["discussion"], scene["me"]
    mine = page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
    html = page(client, discussion, UserFactory(), seen=None, shared=True, settings=settings)
    for bit in ("comment--own", "thread__item--new", 'aria-pressed="true"', "Unfollow", "/edit/"):
        assert bit not in html
    assert me.name in mine.split("<main", 1)[0]  # their name in their own header
    assert me.name not in html.split("<main", 1)[0]


def test_an_assembled_page_costs_few_queries_whatever_the_thread(client, scene, settings):
    discussion, me = scene["discussion"], scene["me"]

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
        return len(captured)

    page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
    few = count()
    CommentFactory.create_batch(30, question=discussion.questions.get(number=2))
    caching.discussions_changed([discussion.pk])
    page(client, discussion, me, seen=VISITED, shared=True, settings=settings)  # caches filled
    assert count() == few
    # the test's own visit reset (2) and sign-in (1) included
    settings.DISCUSSION_PAGE_CACHE = False
    with CaptureQueriesContext(connection) as full:
        page(client, discussion, me, seen=VISITED, shared=False, settings=settings)
    assert few < len(full)
