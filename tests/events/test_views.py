import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions.models import Discussion
from tests.events.factories import MeetingFactory
from tests.factories import DiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db


def sessions_html(client, discussion) -> str:
    html = client.get(discussion.get_absolute_url()).content.decode()
    match = re.search(r'<section class="meetings".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_the_discussion_page_lists_its_sessions(client, discussion):
    meeting = MeetingFactory(
        discussion=discussion,
        title="Live session 1",
        video_url="https://video.example.org/jc",
        notes="We agreed on **three** things.",
    )
    html = sessions_html(client, discussion)
    assert "Live session 1" in html
    assert f'id="session-{meeting.pk}"' in html
    assert "Room 2.14, Science Library" in html
    assert 'href="https://video.example.org/jc"' in html
    assert "<strong>three</strong>" in html
    assert f'href="/events/{meeting.pk}.ics"' in html
    assert 'href="/events/calendar.ics"' in html


def test_a_discussion_without_sessions_shows_none(client, discussion):
    assert sessions_html(client, discussion) == ""


def test_times_are_shown_in_the_site_zone_to_visitors(client, discussion):
    MeetingFactory(discussion=discussion)
    html = sessions_html(client, discussion)
    assert "Tuesday 1 December 2026, 17:00</time>–<time" in html
    assert "18:00" in html
    assert "(UTC)" in html
    assert '<time datetime="2026-12-01T17:00:00+00:00">' in html


def test_times_are_shown_in_the_members_own_zone(client, discussion):
    member = UserFactory(time_zone="America/Toronto")
    client.force_login(member)
    MeetingFactory(discussion=discussion)
    html = sessions_html(client, discussion)
    assert "Tuesday 1 December 2026, 12:00" in html  # UTC-5 in December
    assert "13:00" in html
    assert "(America/Toronto)" in html
    # The machine-readable time stays in UTC.
    assert '<time datetime="2026-12-01T17:00:00+00:00">' in html


def test_a_zone_across_the_date_line(client, discussion):
    client.force_login(UserFactory(time_zone="Pacific/Auckland"))
    MeetingFactory(discussion=discussion)
    assert "Wednesday 2 December 2026, 06:00" in sessions_html(client, discussion)


def test_the_zone_does_not_leak_to_the_next_request(discussion):
    member_client = Client()
    member_client.force_login(UserFactory(time_zone="Asia/Tokyo"))
    MeetingFactory(discussion=discussion)
    assert "(Asia/Tokyo)" in sessions_html(member_client, discussion)
    assert "(UTC)" in sessions_html(Client(), discussion)
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.usefixtures("clubs_counted")
def test_the_sessions_cost_one_query_on_the_discussion_page(client, discussion):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(discussion.get_absolute_url())
        return len(captured)

    MeetingFactory(discussion=discussion)
    one = queries()
    MeetingFactory.create_batch(5, discussion=discussion)
    assert queries() == one


def test_the_upcoming_sessions_page(client):
    now = timezone.now()
    soon = MeetingFactory(starts_at=now + datetime.timedelta(days=2), title="Soon")
    under_way = MeetingFactory(starts_at=now - datetime.timedelta(minutes=30), title="Under way")
    MeetingFactory(starts_at=now - datetime.timedelta(days=2), title="Over")
    MeetingFactory(
        starts_at=now - datetime.timedelta(minutes=10), duration=None, title="Started, no end"
    )
    MeetingFactory(
        starts_at=now + datetime.timedelta(days=1),
        title="Draft",
        discussion=DiscussionFactory(status=Discussion.Status.DRAFT),
    )
    html = client.get("/events/").content.decode()
    assert html.index(under_way.title) < html.index(soon.title)
    for hidden in ("Over", "Draft", "Started, no end"):
        assert f">{hidden}<" not in html
    assert 'href="/events/calendar.ics"' in html


@pytest.mark.usefixtures("clubs_counted")
def test_the_upcoming_sessions_page_runs_the_same_queries_for_few_or_many(client):
    later = timezone.now() + datetime.timedelta(days=3)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/events/", {"page": "last"}).status_code == 200
        return len(captured)

    MeetingFactory(starts_at=later)
    few = queries()
    MeetingFactory.create_batch(25, starts_at=later)
    assert queries() == few == 2  # count, page (with discussion and paper joined)


def test_the_calendar_feed_runs_one_query(client):
    MeetingFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        client.get("/events/calendar.ics")
    assert len(captured) == 1


@pytest.fixture
def private_session():
    """A session of a private club's discussion, three days from now."""
    from tests.factories import ClubFactory

    club = ClubFactory(visibility="private", joining="invitation")
    return MeetingFactory(
        discussion=DiscussionFactory(club=club),
        title="Ward session",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )


def test_a_private_clubs_sessions_are_listed_for_its_members_only(client, private_session):
    from tests.factories import MembershipFactory

    member, outsider = UserFactory(), UserFactory()
    MembershipFactory(club=private_session.discussion.club, member=member)
    assert "Ward session" not in client.get("/events/").content.decode()
    assert "Ward session" not in client.get("/").content.decode()
    client.force_login(outsider)
    assert "Ward session" not in client.get("/events/").content.decode()
    client.force_login(member)
    assert "Ward session" in client.get("/events/").content.decode()


def test_the_sites_calendar_never_carries_a_private_session(client, private_session):
    from tests.factories import MembershipFactory

    member = UserFactory()
    MembershipFactory(club=private_session.discussion.club, member=member)
    client.force_login(member)  # calendar programs sign in as nobody: the same for all
    assert b"Ward session" not in client.get("/events/calendar.ics").content


def test_a_clubs_calendar_carries_its_own_sessions(client, private_session):
    from tests.factories import ClubFactory

    club = ClubFactory(name="Brokers")
    MeetingFactory(discussion=DiscussionFactory(club=club), title="Brokers session")
    MeetingFactory(title="Elsewhere session")
    MeetingFactory(
        discussion=DiscussionFactory(club=club, status=Discussion.Status.DRAFT),
        title="Draft session",
    )
    response = client.get(f"/events/clubs/{club.slug}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'inline; filename="journal-club-{club.slug}.ics"'
    content = response.content.decode()
    assert "X-WR-CALNAME:Brokers" in content
    assert "Brokers session" in content
    assert "Elsewhere session" not in content
    assert "Draft session" not in content


def test_a_private_club_has_no_calendar(client, private_session):
    from tests.factories import MembershipFactory

    slug = private_session.discussion.club.slug
    assert client.get(f"/events/clubs/{slug}.ics").status_code == 404
    member = UserFactory()
    MembershipFactory(club=private_session.discussion.club, member=member)
    client.force_login(member)
    assert client.get(f"/events/clubs/{slug}.ics").status_code == 404
    assert client.get("/events/clubs/no-such-club.ics").status_code == 404
