"""
Live sessions: the list of upcoming ones, an .ics per session, the site's calendar and each
public club's.

Calendars are subscribed to by calendar programs that sign in as nobody: they carry what
anyone may read, never a private club's sessions, which its members find on the list of
sessions and on each discussion's page.
"""

import datetime
from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clubs.models import Club
from discussions.models import Discussion

from . import calendars
from .models import Meeting

MEETINGS_PER_PAGE = 20
# The club calendar carries a year of past sessions, so that subscribers keep recent history.
CALENDAR_HISTORY = datetime.timedelta(days=365)
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
def meeting_list(request):
    """Upcoming live sessions the reader may see (their private clubs' too), soonest first."""
    meetings = Meeting.objects.visible_to(request.user).upcoming().for_calendar()
    page = Paginator(meetings, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/meeting_list.html",
        {"page": page, "meta_title": _("Live sessions")},
    )


@require_safe
def meeting_ics(request, pk):
    """One session as an .ics file to add to a calendar."""
    meeting = get_object_or_404(
        Meeting.objects.filter(
            discussion__in=Discussion.objects.visible_to(request.user)
        ).select_related("discussion__article"),
        pk=pk,
    )
    content = calendars.calendar([meeting], **_calendar_place(request))
    response = HttpResponse(content, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="journal-club-session-{pk}.ics"'
    return response


@require_safe
def calendar_ics(request):
    """The site's calendar: every session of a published discussion, to subscribe to."""
    meetings = Meeting.objects.published()
    return _subscription(request, meetings, name=_("Journal Club"), stem="journal-club")


@require_safe
def club_calendar_ics(request, slug):
    """A public club's calendar, to subscribe to; a private club has none (404)."""
    club = get_object_or_404(Club.objects.public(), slug=slug)
    meetings = Meeting.objects.published().in_club(club)
    return _subscription(request, meetings, name=club.name, stem=f"journal-club-{club.slug}")


def _subscription(request, meetings, *, name: str, stem: str) -> HttpResponse:
    """A calendar to subscribe to: the sessions of the past year and all those to come."""
    since = timezone.now() - CALENDAR_HISTORY
    meetings = meetings.filter(starts_at__gte=since).for_calendar()
    content = calendars.calendar(meetings, name=name, **_calendar_place(request))
    response = HttpResponse(content, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{stem}.ics"'
    return response


def _calendar_place(request) -> dict:
    """Where this site is: the domain for stable UIDs, the origin for absolute links."""
    host = request.get_host()
    return {
        "domain": urlsplit(f"//{host}").hostname or host,
        "base_url": f"{request.scheme}://{host}",
    }
