from django import template

from events.models import Meeting

register = template.Library()


@register.simple_tag
def meetings_for(discussion) -> list[Meeting]:
    """A discussion's live sessions, in order, in one query."""
    return list(Meeting.objects.filter(discussion=discussion).order_by("starts_at", "pk"))


UPCOMING_ON_HOME = 3


@register.inclusion_tag("events/_upcoming.html", takes_context=True)
def upcoming_sessions(context, limit: int = UPCOMING_ON_HOME, club=None) -> dict:
    """
    The next live sessions of published discussions, soonest first, as a side panel (the
    home page's; with ``club``, a club's page's, where its members see its sessions even
    when the club is private): one query. A tag, so that the pages of ``discussions``
    show them without importing this app, which sits above it.
    """
    if club is None:
        meetings = Meeting.objects.published()
    else:
        meetings = Meeting.objects.visible_to(context["user"]).in_club(club)
    meetings = meetings.upcoming().for_calendar()[:limit]
    return {"meetings": list(meetings), "club": club}
