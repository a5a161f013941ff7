"""
Per-page facts about the signed-in member, each computed once per request: the bell's
unread count (one COUNT on a partial index), and what they follow on a discussion page
(one query for the discussion, its questions and its threads together).
"""

from django import template

from notifications.emails import plain_text_excerpt
from notifications.models import Notification

register = template.Library()


@register.filter
def excerpt(body_html: str, words: int = 40) -> str:
    """A comment's stored HTML as a short plain-text excerpt (autoescaped when shown)."""
    return plain_text_excerpt(body_html or "", words)


@register.simple_tag(takes_context=True)
def unread_notifications_count(context) -> int:
    """How many of the signed-in member's notifications are unread."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = Notification.objects.for_recipient(user).unread().count()
    return request._unread_notifications
