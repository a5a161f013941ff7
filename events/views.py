"""Live sessions: the list of upcoming ones, an .ics per session, the club calendar."""

import datetime
from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from discussions.models import Discussion

from . import calendars
from .models import Meeting

MEETINGS_PER_PAGE = 20
# The club calendar carries a year of past sessions, so that subscribers keep recent history.
CALENDAR_HISTORY = datetime.timedelta(days=365)
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
def meeting_list(request):
    """Upcoming live sessions of published discussions, soonest first."""
    meetings = Meeting.objects.published().upcoming().for_calendar()
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
    """The club calendar: every session of a published discussion, to subscribe to."""
    since = timezone.now() - CALENDAR_HISTORY
    meetings = Meeting.objects.published().filter(starts_at__gte=since).for_calendar()
    content = calendars.calendar(meetings, name=_("Journal Club"), **_calendar_place(request))
    response = HttpResponse(content, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="journal-club.ics"'
    return response


def _calendar_place(request) -> dict:
    """Where this site is: the domain for stable UIDs, the origin for absolute links."""
    host = request.get_host()
    return {
        "domain": urlsplit(f"//{host}").hostname or host,
        "base_url": f"{request.scheme}://{host}",
    }
