import datetime

import icalendar
import pytest
from django.test import Client

from discussions.models import Discussion
from tests.events.factories import MeetingFactory
from tests.factories import DiscussionFactory

pytestmark = pytest.mark.django_db


def download(client, url: str) -> tuple[bytes, icalendar.Calendar]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content, icalendar.Calendar.from_ical(response.content)


def test_a_session_as_an_ics_file(client):
    meeting = MeetingFactory(title="Live session 1", video_url="https://video.example.org/jc")
    raw, calendar = download(client, f"/events/{meeting.pk}.ics")
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Journal Club//Live sessions//EN"
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == f"meeting-{meeting.pk}@testserver"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTART") == datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
    assert event.decoded("DTEND") == datetime.datetime(2026, 12, 1, 18, 0, tzinfo=datetime.UTC)
    assert b"DTSTART:20261201T170000Z\r\n" in raw  # UTC, no VTIMEZONE needed
    assert event["SUMMARY"] == "Live session 1"
    assert event["LOCATION"] == "Room 2.14, Science Library"
    assert event["URL"] == f"http://testserver{meeting.get_absolute_url()}"
    assert "https://video.example.org/jc" in event["DESCRIPTION"]
    assert meeting.discussion.article.title in event["DESCRIPTION"]
    response = client.get(f"/events/{meeting.pk}.ics")
    assert response["Content-Disposition"] == (
        f'attachment; filename="journal-club-session-{meeting.pk}.ics"'
    )


def test_the_uid_is_stable():
    meeting = MeetingFactory()
    first = icalendar.Calendar.from_ical(Client().get(f"/events/{meeting.pk}.ics").content)
    second = icalendar.Calendar.from_ical(Client().get(f"/events/{meeting.pk}.ics").content)
    assert first.walk("VEVENT")[0]["UID"] == second.walk("VEVENT")[0]["UID"]


def test_a_session_without_a_duration_has_no_end(client):
    meeting = MeetingFactory(duration=None, place="")
    raw, calendar = download(client, f"/events/{meeting.pk}.ics")
    (event,) = calendar.walk("VEVENT")
    assert "DTEND" not in event
    assert "DURATION" not in event
    assert "LOCATION" not in event
    assert b"DTEND" not in raw
    assert event["SUMMARY"] == f"Journal Club: {meeting.discussion.article.title}"


def test_text_is_escaped_and_long_lines_folded(client):
    place = "Room 1, Building B; enter by the side door\nSecond floor, " + "very long " * 20
    notes = "We agreed: fidelity, adaptation; and more.\n\n" + "Notes " * 40
    meeting = MeetingFactory(place=place, notes=notes)
    raw, calendar = download(client, f"/events/{meeting.pk}.ics")
    unfolded = raw.replace(b"\r\n ", b"")
    assert b"LOCATION:Room 1\\, Building B\\; enter by the side door\\nSecond floor\\, " in unfolded
    assert b"We agreed: fidelity\\, adaptation\\; and more." in unfolded
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # every line ends with CRLF
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    (event,) = calendar.walk("VEVENT")
    assert event["LOCATION"] == place  # and it reads back exactly
    assert notes in event["DESCRIPTION"]


def test_folding_never_splits_a_character(client):
    meeting = MeetingFactory(place="Salle Éloïse-Ñandú, 日本語の部屋 " * 6)
    raw, calendar = download(client, f"/events/{meeting.pk}.ics")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # each folded line is whole UTF-8
    assert calendar.walk("VEVENT")[0]["LOCATION"] == meeting.place


def test_the_club_calendar_has_the_sessions_of_published_discussions(client):
    first = MeetingFactory()
    second = MeetingFactory(discussion=first.discussion, starts_at=first.starts_at.replace(day=8))
    closed = MeetingFactory(discussion=DiscussionFactory(status=Discussion.Status.CLOSED))
    MeetingFactory(discussion=DiscussionFactory(status=Discussion.Status.DRAFT))
    _raw, calendar = download(client, "/events/calendar.ics")
    assert calendar["X-WR-CALNAME"] == "Journal Club"
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert uids == {f"meeting-{m.pk}@testserver" for m in (first, second, closed)}


def test_a_club_calendar_without_sessions_is_still_a_valid_calendar(client):
    MeetingFactory(discussion=DiscussionFactory(status=Discussion.Status.DRAFT))
    raw, calendar = download(client, "/events/calendar.ics")
    assert calendar.walk("VEVENT") == []
    # RFC 5545: a calendar holds at least one component; this one defines UTC.
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "UTC"
    assert b"BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" in raw


def test_a_draft_discussions_session_is_404(staff_client):
    meeting = MeetingFactory(discussion=DiscussionFactory(status=Discussion.Status.DRAFT))
    assert Client().get(f"/events/{meeting.pk}.ics").status_code == 404
    assert staff_client.get(f"/events/{meeting.pk}.ics").status_code == 200  # preview


def test_an_unknown_session_is_404(client):
    assert client.get("/events/999999.ics").status_code == 404
