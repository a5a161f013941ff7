"""The clubs every page's navigation shows: read only when a template asks for them."""

import dataclasses

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from . import access
from .models import Club

MANY_CLUBS_KEY = "clubs:many"
MANY_CLUBS_TIMEOUT = 60 * 60


@dataclasses.dataclass(frozen=True, slots=True)
class ClubNav:
    mine: tuple[access.MemberClub, ...]  # the member's clubs, first in their navigation
    many: bool  # the site has more than one club (a one-club site shows no club menu)
    moderates: bool  # keeps a club's moderation queue


def site_has_many_clubs() -> bool:
    """More than one club on the site: one query an hour, or after a club is added."""
    many = cache.get(MANY_CLUBS_KEY)
    if many is None:
        many = Club.objects.count() > 1
        cache.set(MANY_CLUBS_KEY, many, MANY_CLUBS_TIMEOUT)
    return many


def clubs_changed() -> None:
    """A club was added or removed: the navigation counts them again."""
    cache.delete(MANY_CLUBS_KEY)


def nav_for(user) -> ClubNav:
    roles = access.roles(user)
    moderated = access.moderated_clubs(user)
    return ClubNav(
        mine=roles.clubs,
        many=bool(roles.clubs) or site_has_many_clubs(),
        moderates=moderated is None or bool(moderated),
    )


def clubs(request) -> dict:
    # Error pages may render before authentication ran: no user, no clubs of their own.
    return {"club_nav": SimpleLazyObject(lambda: nav_for(getattr(request, "user", None)))}
