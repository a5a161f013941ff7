from django import template

from events.models import Meeting

register = template.Library()


@register.simple_tag
def meetings_for(discussion) -> list[Meeting]:
    """A discussion's live sessions, in order, in one query."""
    return list(Meeting.objects.filter(discussion=discussion).order_by("starts_at", "pk"))


UPCOMING_ON_HOME = 3


@register.inclusion_tag("events/_upcoming.html")
def upcoming_sessions(limit: int = UPCOMING_ON_HOME) -> dict:
    """
    The next live sessions of published discussions, soonest first, as a side panel (the
    home page's): one query. A tag, so that the pages of ``discussions`` show them
    without importing this app, which sits above it.
    """
    meetings = Meeting.objects.published().upcoming().for_calendar()[:limit]
    return {"meetings": list(meetings)}
