"""
The notifications' template tags: a comment's excerpt, and the bell's unread count (one
COUNT on a partial index, once per request: ``notifications.bell``).
"""

from django import template

from notifications.bell import unread_count
from notifications.emails import plain_text_excerpt

register = template.Library()


@register.filter
def excerpt(body_html: str, words: int = 40) -> str:
    """A comment's stored HTML as a short plain-text excerpt (autoescaped when shown)."""
    return plain_text_excerpt(body_html or "", words)


@register.simple_tag(takes_context=True)
def unread_notifications_count(context) -> int:
    """How many of the signed-in member's notifications are unread."""
    request = context.get("request")
    return unread_count(request) if request is not None else 0
