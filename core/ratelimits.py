"""
Per-member rate limits for posting, editing, reacting and flagging, kept in the cache.

Services call ``consume`` as the last step of a write's transaction, once everything else
succeeded: a write refused by another rule, or lost to an error, is not counted, and one
over the limit raises ``RateLimited`` and rolls back. The limits live in settings
(``JOURNAL_CLUB_RATE_LIMITS``: action -> (count, seconds)); the cache must be shared by all
processes in production (Redis), as for allauth's own limits.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _


class RateLimited(Exception):
    """Too many actions of one kind in a short time; answered with HTTP 429."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def _limit(action: str) -> Limit | None:
    rule = settings.JOURNAL_CLUB_RATE_LIMITS.get(action)
    return Limit(*rule) if rule else None


def consume(action: str, member_id: int) -> None:
    """Count one ``action`` by the member, or raise RateLimited if over the limit."""
    limit = _limit(action)
    if limit is None:
        return
    now = int(timezone.now().timestamp())
    window = now // limit.seconds
    key = f"ratelimit:{action}:{member_id}:{window}"
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds + 1)
        used = 1
    if used > limit.count:
        retry_after = (window + 1) * limit.seconds - now
        raise RateLimited(
            _("You are doing that too often. Please wait %(seconds)s s and try again.")
            % {"seconds": max(retry_after, 1)},
            retry_after=max(retry_after, 1),
        )
