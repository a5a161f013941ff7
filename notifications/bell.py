"""The bell in every page's header: the signed-in member's unread count, once per request."""

from django.http import HttpRequest

from .models import Notification


def unread_count(request: HttpRequest) -> int:
    """How many of the signed-in member's notifications are unread (one COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = Notification.objects.for_recipient(user).unread().count()  # type: ignore[attr-defined]
    return request._unread_notifications  # type: ignore[attr-defined]
