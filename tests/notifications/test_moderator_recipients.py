"""
Who hears that a comment awaits review: the moderators and leads of its own club and the
site's moderators, never the moderators of other clubs.
"""

import pytest
from django.urls import reverse

from discussions import services as discussion_services
from moderation import services as moderation_services
from notifications.models import Notification
from notifications.services import moderators_of
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)


def in_club(club, role):
    return MembershipFactory(club=club, member=UserFactory(), role=role).member


@pytest.fixture
def people(db):
    """A private club with a member of each role, another club's staff, the site's moderator."""
    club = ClubFactory(name="Ward 7 staff", visibility="private", joining="request")
    other = ClubFactory(name="Public health")
    banned = in_club(club, "moderator")
    club.memberships.filter(member=banned).update(banned_at="2026-01-01T00:00Z")
    return {
        "club": club,
        "lead": in_club(club, "lead"),
        "moderator": in_club(club, "moderator"),
        "host": in_club(club, "host"),
        "member": in_club(club, "member"),
        "banned": banned,
        "other_lead": in_club(other, "lead"),
        "other_moderator": in_club(other, "moderator"),
        "site_moderator": UserFactory(roles=["Moderators"]),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "inactive_moderator": UserFactory(roles=["Moderators"], is_active=False),
    }


def told(comment):
    return set(
        Notification.objects.filter(kind=Notification.Kind.HELD, comment=comment).values_list(
            "recipient", flat=True
        )
    )


def test_moderators_of_a_club_are_its_leads_and_moderators_and_the_sites(people):
    expected = {people[key].pk for key in ("lead", "moderator", "site_moderator", "superuser")}
    assert set(moderators_of(club_id=people["club"].pk)) == expected


def test_a_first_post_awaiting_review_is_announced_in_its_club_only(
    people, settings, worker, mailoutbox
):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    question = DiscussionFactory(club=people["club"]).questions.first()
    newcomer = in_club(people["club"], "member")
    with worker():
        comment = discussion_services.comment_post(
            question=question, author=newcomer, body="Private first thoughts"
        )
    assert comment.status == "pending"
    expected = {"lead", "moderator", "site_moderator", "superuser"}
    assert told(comment) == {people[key].pk for key in expected}
    assert sorted(email.to[0] for email in mailoutbox) == sorted(
        people[key].email for key in expected
    )
    assert all("Private first thoughts" not in email.body for email in mailoutbox)


def test_a_comment_held_after_flags_is_announced_to_its_clubs_moderators(people, settings, worker):
    """Not to the comment's author, though they lead the club."""
    settings.JOURNAL_CLUB_FLAGS_TO_HIDE = 1
    question = DiscussionFactory(club=people["club"]).questions.first()
    comment = CommentFactory(question=question, author=people["lead"])
    with worker():
        moderation_services.flag_create(
            comment=comment, flagger=people["member"], reason="disrespectful"
        )
    assert told(comment) == {people[key].pk for key in ("moderator", "site_moderator", "superuser")}
    assert not told(comment) & {people["other_lead"].pk, people["other_moderator"].pk}


def test_a_public_clubs_held_comment_is_not_announced_to_other_clubs(people, settings, worker):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    public = ClubFactory()
    own_moderator = in_club(public, "moderator")
    question = DiscussionFactory(club=public).questions.first()
    with worker():
        comment = discussion_services.comment_post(
            question=question, author=UserFactory(), body="First"
        )
    assert told(comment) == {
        own_moderator.pk,
        people["site_moderator"].pk,
        people["superuser"].pk,
    }


def test_club_moderators_choose_how_to_hear_of_held_comments(people, client):
    settings_url = reverse("notifications:settings")
    for key, shown in (
        ("lead", True),
        ("moderator", True),
        ("host", False),
        ("member", False),
        ("banned", False),
    ):
        client.force_login(people[key])
        page = client.get(settings_url).content.decode().lower()
        assert ("awaiting review" in page) is shown, key
