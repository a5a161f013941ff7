"""How long something took or has been, as listings say it: "2 hours", "2 hours ago"."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def since(value: datetime.datetime | None) -> str:
    """The time since ``value`` in its largest unit alone: "2 hours", not "2 hours, 5 min"."""
    return timesince(value, depth=1) if value else ""


@register.filter
def ago(value: datetime.datetime | None) -> str:
    """The same, as a moment past: "2 hours ago", or "just now" within the minute."""
    if not value:
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": since(value)}
