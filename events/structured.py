"""
A live session as schema.org describes an event (``Event``), for the JSON-LD of the list
of sessions (``core.structured`` explains ``base``). Built from what ``for_calendar``
read: the session with its discussion, paper and club.
"""

from articles.structured import article_reference
from clubs.structured import organization
from core.structured import compact, iso

SCHEMA = "https://schema.org/"


def attendance_mode(meeting) -> str | None:
    """Online (a video link), in a room (a place), or both; None when neither is known."""
    if meeting.video_url and meeting.place:
        return SCHEMA + "MixedEventAttendanceMode"
    if meeting.video_url:
        return SCHEMA + "OnlineEventAttendanceMode"
    if meeting.place:
        return SCHEMA + "OfflineEventAttendanceMode"
    return None


def location(meeting) -> list[dict]:
    """The video call (``VirtualLocation``) and the room (``Place``), those that are known."""
    places = []
    if meeting.video_url:
        places.append({"@type": "VirtualLocation", "url": meeting.video_url})
    if meeting.place:
        places.append({"@type": "Place", "name": meeting.place, "address": meeting.place})
    return places


def event(meeting, *, base: str) -> dict:
    """
    The session: its name, start and end (ISO 8601 with the offset of the reader's time
    zone), how to attend, where, the club organising it, the paper it is about and its
    place on the discussion's page.
    """
    discussion = meeting.discussion
    where = location(meeting)
    return compact(
        {
            "@type": "Event",
            "name": meeting.title or discussion.article.title,
            "startDate": iso(meeting.starts_at),
            "endDate": iso(meeting.ends_at),
            "eventStatus": SCHEMA + "EventScheduled",
            "eventAttendanceMode": attendance_mode(meeting),
            "location": where[0] if len(where) == 1 else where,
            "organizer": organization(discussion.club, base=base),
            "about": article_reference(discussion.article, base=base),
            "url": base + meeting.get_absolute_url(),
        }
    )
