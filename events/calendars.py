"""
iCalendar (RFC 5545) for live sessions, written with the ``icalendar`` package, which
escapes text (commas, semicolons, backslashes, newlines) and folds lines at 75 octets.

Times go out in UTC (``DTSTART:20261201T170000Z``), so no VTIMEZONE is needed and every
calendar shows them in its owner's zone. ``UID`` is stable per session, so re-importing a
file or refreshing the club calendar updates an event instead of duplicating it.
"""

import datetime

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Meeting

PRODID = "-//Journal Club//Live sessions//EN"


def meeting_uid(meeting: Meeting, *, domain: str) -> str:
    return f"meeting-{meeting.pk}@{domain}"


def meeting_event(
    meeting: Meeting, *, domain: str, base_url: str, stamp: datetime.datetime
) -> icalendar.Event:
    """One session as a VEVENT; ``base_url`` makes its links absolute."""
    article = meeting.discussion.article
    page = base_url + meeting.get_absolute_url()
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting, domain=domain))
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    if meeting.duration:
        event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title or _("Journal Club: %(title)s") % {"title": article.title})
    lines = [
        _("Journal club session about “%(title)s”.") % {"title": article.title},
        _("Discussion: %(url)s") % {"url": page},
    ]
    if meeting.video_url:
        lines.append(_("Video link: %(url)s") % {"url": meeting.video_url})
    if meeting.notes:
        lines += ["", meeting.notes]
    event.add("description", "\n".join(lines))
    if meeting.place or meeting.video_url:
        event.add("location", meeting.place or meeting.video_url)
    event.add("url", page)
    event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    event.add("created", meeting.created_at.astimezone(datetime.UTC))
    return event


def calendar(
    meetings, *, domain: str, base_url: str, name: str = "", method: str = "PUBLISH"
) -> bytes:
    """A VCALENDAR of the given sessions, as the bytes of an .ics file."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, domain=domain, base_url=base_url, stamp=stamp))
    if not cal.subcomponents:
        # RFC 5545 wants at least one component in a calendar: a club calendar with no
        # session yet carries the definition of UTC, which every time in it uses.
        cal.add_component(_utc_timezone())
    return cal.to_ical()


def _utc_timezone() -> icalendar.Timezone:
    zone = icalendar.Timezone()
    zone.add("tzid", "UTC")
    standard = icalendar.TimezoneStandard()
    standard.add("dtstart", datetime.datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", datetime.timedelta(0))
    standard.add("tzoffsetto", datetime.timedelta(0))
    standard.add("tzname", "UTC")
    zone.add_component(standard)
    return zone
