import datetime

from django import template
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe

from core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(source: str, heading_level: int = 3) -> str:
    """Render Markdown to sanitised HTML, for one-off texts such as a host's commentary."""
    return mark_safe(render_markdown(source or "", heading_level=heading_level))  # noqa: S308 - sanitised by nh3


@register.filter
def shown_in(versions, language: str):
    """
    A host's text (``selectors.Versions``) for a reader of ``language``: a ``Shown`` with
    ``language``, ``text`` and the ``other`` version, or None where there is no text.
    """
    return versions.shown(language) if versions is not None else None


# A thread page shows thousands of times: these two give what ``date:"c"`` and
# ``date:"j M Y, H:i"`` give (in the reader's time zone), formatted directly.


@register.filter(expects_localtime=True)
def iso_datetime(value: datetime.datetime | None) -> str:
    """The moment for machines (``<time datetime>``): ISO 8601 with its offset."""
    return value.isoformat() if value else ""


@register.filter(expects_localtime=True)
def day_and_time(value: datetime.datetime | None) -> str:
    """The moment for people: "4 Nov 2026, 11:33" (the month in the reader's language)."""
    if not value:
        return ""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year}, {value:%H:%M}"
