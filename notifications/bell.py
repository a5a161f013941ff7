"""The bell in every page's header: the signed-in member's unread count, once per request."""

from django.http import HttpRequest

from .models import Notification


def unread_count(request: HttpRequest) -> int:
    """
    How many of the signed-in member's notifications are unread (one COUNT), leaving out
    those of private clubs they have left or been removed from.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = (  # type: ignore[attr-defined]
            Notification.objects.for_recipient(user).unread().readable().count()
        )
    return request._unread_notifications  # type: ignore[attr-defined]
