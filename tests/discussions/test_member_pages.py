"""
Signed-in members get the discussion page from a shared rendering completed for each of
them (``discussions.member_pages``): it must be, byte for byte, the page a full rendering
gives them, whoever they are and whatever they did on it.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions import services
from discussions.member_pages import MemberFacts
from discussions.models import Comment, Discussion, DiscussionVisit, Reaction
from moderation import services as moderation
from notifications.services import follow_toggle
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
    for _ in range(2):  # the shell rendered, then reused
        completed = page(
            client, discussion, member, seen=seen, shared=True, settings=settings, **params
        )
        assert "<!--" not in completed.split("<main", 1)[1]  # no marker left
        assert completed == full


def test_a_member_with_everything_on_the_page(client, scene, settings):
    html = page(
        client, scene["discussion"], scene["me"], seen=VISITED, shared=True, settings=settings
    )
    # the case covers what it claims to
    for bit in (
        "comment--own",
        "comment--new",
        'aria-pressed="true"',
        "Unfollow this thread",
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
    """The second member of an audience gets the shell the first rendered, with their bits."""
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


def test_the_shell_does_not_carry_one_members_bits_to_another(client, scene, settings):
    discussion = scene["discussion"]
    page(client, discussion, scene["me"], seen=VISITED, shared=True, settings=settings)
    html = page(client, discussion, UserFactory(), seen=None, shared=True, settings=settings)
    for bit in ("comment--own", "comment--new", 'aria-pressed="true"', "Unfollow", "/edit/"):
        assert bit not in html


def test_a_completed_page_costs_few_queries_whatever_the_thread(client, scene, settings):
    discussion, me = scene["discussion"], scene["me"]

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
        return len(captured)

    page(client, discussion, me, seen=VISITED, shared=True, settings=settings)
    few = count()
    CommentFactory.create_batch(30, question=discussion.questions.get(number=2))
    page(client, discussion, me, seen=VISITED, shared=True, settings=settings)  # new shell
    assert count() == few
    # the test's own visit reset (2) and sign-in (1) included
    settings.DISCUSSION_PAGE_CACHE = False
    with CaptureQueriesContext(connection) as full:
        page(client, discussion, me, seen=VISITED, shared=False, settings=settings)
    assert few < len(full)


def facts_through_the_orm(member, discussion) -> dict:
    """What the rest of the code reads through the ORM, for MemberFacts to agree with."""
    from django.test import RequestFactory

    from moderation.models import Suspension
    from notifications.models import Notification
    from notifications.services import follows_on_page

    request = RequestFactory().get("/")
    request.user = member
    return {
        "helpful_ids": set(
            Reaction.objects.filter(
                member=member, comment__question__discussion=discussion
            ).values_list("comment_id", flat=True)
        ),
        "pending": Comment.objects.filter(
            author=member,
            status=Comment.Status.PENDING,
            question__discussion=discussion,
            deleted_at__isnull=True,
        ).exists(),
        "follows": follows_on_page(request, discussion.pk),
        "last_visit": DiscussionVisit.objects.filter(discussion=discussion, member=member)
        .values_list("last_seen_at", flat=True)
        .first(),
        "unread": Notification.objects.for_recipient(member).unread().count(),
        "suspended": Suspension.objects.in_force().filter(member=member).exists(),
        "permissions": {
            name: member.has_perm(name)
            for name in (
                "discussions.add_comment",
                "discussions.change_discussion",
                "discussions.host_discussion",
                "moderation.moderate_comments",
                "moderation.lock_threads",
            )
        },
    }


def facts_in_one_statement(member, discussion) -> dict:
    facts = MemberFacts.load(member, discussion.slug)
    discussion.refresh_from_db()
    assert facts.discussion == (
        discussion.pk,
        discussion.version,
        discussion.status,
        discussion.host_id,
    )
    return {
        "helpful_ids": set(facts.helpful_ids),
        "pending": facts.pending,
        "follows": set(facts.follows),
        "last_visit": facts.last_visit,
        "unread": facts.unread,
        "suspended": facts.suspended,
        "permissions": {
            name: facts.has_perm(member, name)
            for name in facts_through_the_orm(member, discussion)["permissions"]
        },
    }


@pytest.mark.parametrize(
    "who",
    [
        "me",
        "other",
        "host",
        "moderator",
        "staff",
        "superuser",
        "unconfirmed",
        "suspended",
        "lifted",
        "newcomer",
        "inactive",
    ],
)
def test_the_one_statement_agrees_with_the_orm(client, scene, settings, who):
    from django.contrib.auth.models import Permission

    from moderation.models import Suspension
    from notifications.models import Notification

    discussion, me = scene["discussion"], scene["me"]
    moderator = UserFactory(roles=["Moderators"])
    member = {
        "me": me,
        "other": scene["other"],
        "host": discussion.host,
        "moderator": moderator,
        "staff": UserFactory(roles=["Staff"]),
        "superuser": UserFactory(is_superuser=True),
        "unconfirmed": UserFactory(verified=False),
        "suspended": UserFactory(),
        "lifted": UserFactory(),
        "newcomer": UserFactory(),
        "inactive": UserFactory(is_active=False),
    }[who]
    member.user_permissions.add(Permission.objects.get(codename="lock_threads"))
    if who == "suspended":
        moderation.member_suspend(member=member, moderator=moderator, reason="Calm down.")
    if who == "lifted":
        Suspension.objects.create(
            member=member,
            reason="Over.",
            created_by=moderator,
            until=timezone.now() - datetime.timedelta(hours=1),
        )
    if who == "newcomer":
        settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
        services.comment_post(
            question=discussion.questions.first(), author=member, body="Awaiting review."
        )
    if who == "me":
        DiscussionVisit.objects.create(discussion=discussion, member=me, last_seen_at=VISITED)
        Notification.objects.filter(recipient=me).update(read_at=None)
    other_discussion = DiscussionFactory()  # nothing of it may leak in
    CommentFactory(question=other_discussion.questions.first(), author=member)
    follow_toggle(member=member, discussion=other_discussion, follow=True)

    member = type(member).objects.get(pk=member.pk)  # no permissions remembered from above
    expected = facts_through_the_orm(member, discussion)
    assert facts_in_one_statement(member, discussion) == expected
    if who == "me":
        assert expected["helpful_ids"]
        assert expected["follows"]
        assert expected["last_visit"]
    if who in ("suspended", "newcomer"):
        assert expected["suspended"] or expected["pending"]


def test_no_facts_for_a_missing_discussion(member):
    assert MemberFacts.load(member, "no-such-discussion").discussion is None
