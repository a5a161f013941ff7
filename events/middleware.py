"""Show times in the member's own time zone."""

import zoneinfo

from django.utils import timezone


class MemberTimeZoneMiddleware:
    """
    Activate the signed-in member's time zone (``User.time_zone``) for the request; everyone
    else, and members who chose none, get the site's zone (``TIME_ZONE``). Times are stored
    in UTC; templates convert them to the active zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "time_zone", ""):
            try:
                zone = zoneinfo.ZoneInfo(user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None  # a zone that disappeared from the database: use the site's
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
