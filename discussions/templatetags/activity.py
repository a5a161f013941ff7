"""How long ago something happened, as a listing says it: "2 hours ago", "just now"."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(value: datetime.datetime | None) -> str:
    """The time since ``value`` in its largest unit alone: "2 hours ago", not "2 hours, 5 min"."""
    if not value:
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, depth=1)}
