"""
Rate limits of the API: per client address for visitors, per token for members' scripts.

The rates live in settings (``JOURNAL_CLUB_API_RATES``: scope -> "count/period"), read on
each request so that tests and deployments change them without a restart of anything; a
scope without a rate is not limited. The counts live in the shared cache (Redis in
production), as the site's other limits do. A request over its limit is answered 429 with
``Retry-After`` (``problems.exception_handler``).
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.JOURNAL_CLUB_API_RATES.get(self.scope)


class AddressThrottle(_SettingsRateThrottle):
    """Requests without a token, per client address (behind our proxies: ``NUM_PROXIES``)."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenThrottle(_SettingsRateThrottle):
    """Requests with a token, per token: one member's scripts share nothing with another's."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
