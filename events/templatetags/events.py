from django import template

from events.models import Meeting

register = template.Library()


@register.simple_tag
def meetings_for(discussion) -> list[Meeting]:
    """A discussion's live sessions, in order, in one query."""
    return list(Meeting.objects.filter(discussion=discussion).order_by("starts_at", "pk"))
