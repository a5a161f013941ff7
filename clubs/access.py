"""
Who may do what in which club: read once per request, asked many times.

``roles(user)`` reads every membership of the member in one query and remembers it on the
user object (the request's own), so every check on a page (the discussion, its comments,
the navigation's list of clubs) shares that one query, whatever the number of clubs.
Site-wide roles (the groups of ``moderation.roles``) keep their powers in every club.
"""

import dataclasses

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import MODERATING_ROLES, Club, Membership, Role, sees_every_club

CACHE_ATTRIBUTE = "_club_roles"


@dataclasses.dataclass(frozen=True, slots=True)
class MemberClub:
    """One of the member's clubs, as their navigation lists it."""

    pk: int
    name: str
    slug: str
    role: str
    is_private: bool

    def get_absolute_url(self) -> str:
        return reverse("discussions:club", kwargs={"slug": self.slug})

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclasses.dataclass(frozen=True, slots=True)
class ClubRoles:
    """A member's standing in every club: role by club id, and the clubs that banned them."""

    by_club: dict[int, str] = dataclasses.field(default_factory=dict)
    banned: frozenset[int] = frozenset()
    clubs: tuple[MemberClub, ...] = ()  # the member's clubs, by name

    def role(self, club_id: int) -> str | None:
        return self.by_club.get(club_id)

    def is_member(self, club_id: int) -> bool:
        return club_id in self.by_club

    @property
    def club_ids(self) -> frozenset[int]:
        return frozenset(self.by_club)


NO_ROLES = ClubRoles()


def roles(user) -> ClubRoles:
    """The member's roles in every club: one query per user object, then remembered."""
    if user is None or not user.is_authenticated:
        return NO_ROLES
    found = user.__dict__.get(CACHE_ATTRIBUTE)
    if found is None:
        by_club, banned, clubs = {}, set(), []
        rows = (
            Membership.objects.filter(member=user)
            .order_by("club__name")
            .values_list(
                "club_id", "role", "banned_at", "club__name", "club__slug", "club__visibility"
            )
        )
        for club_id, role, banned_at, name, slug, visibility in rows:
            if banned_at is None:
                by_club[club_id] = role
                private = visibility == Club.Visibility.PRIVATE
                clubs.append(MemberClub(club_id, name, slug, role, private))
            else:
                banned.add(club_id)
        found = ClubRoles(by_club=by_club, banned=frozenset(banned), clubs=tuple(clubs))
        user.__dict__[CACHE_ATTRIBUTE] = found
    return found


def forget(user) -> None:
    """Make ``roles`` read again (after joining, leaving, a new role or a ban)."""
    if user is not None:
        user.__dict__.pop(CACHE_ATTRIBUTE, None)


def _club_id(club) -> int:
    return club if isinstance(club, int) else club.pk


def can_read(user, club: Club) -> bool:
    """Public clubs are read by anyone; a private one by its members and site staff."""
    if not club.is_private:
        return True
    if user is None or not user.is_authenticated:
        return False
    return roles(user).is_member(club.pk) or sees_every_club(user)


def is_member(user, club) -> bool:
    return roles(user).is_member(_club_id(club))


def is_banned(user, club) -> bool:
    return _club_id(club) in roles(user).banned


def may_post(user, club: Club) -> bool:
    """
    Is this club open to the member's comments? A public club anyone may join at will takes
    every confirmed member's (as a one-club site always has); any other only its members'.
    Confirmation and suspensions are the discussions' own rules, checked besides this.
    """
    if user is None or not user.is_authenticated or is_banned(user, club):
        return False
    if not club.is_private and club.joining == Club.Joining.OPEN:
        return True
    return is_member(user, club)


def is_lead(user, club) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return roles(user).role(_club_id(club)) == Role.LEAD


def can_manage(user, club) -> bool:
    """Settings, members, invitations, hosts: the club's leads, and staff who curate clubs."""
    if user is None or not user.is_authenticated:
        return False
    return is_lead(user, club) or user.has_perm("clubs.change_club")


def can_host(user, club) -> bool:
    """Opens discussions and writes their commentary and syntheses: leads and hosts."""
    if user is None or not user.is_authenticated:
        return False
    return roles(user).role(_club_id(club)) in (Role.LEAD, Role.HOST)


def moderates(user, club) -> bool:
    """Keeps this club's queue by a role in the club: its leads and moderators."""
    if user is None or not user.is_authenticated:
        return False
    return roles(user).role(_club_id(club)) in MODERATING_ROLES


def can_moderate(user, club) -> bool:
    """The club's leads and moderators, and the site's moderators everywhere."""
    if user is None or not user.is_authenticated:
        return False
    return moderates(user, club) or user.has_perm("moderation.moderate_comments")


def moderated_clubs(user) -> frozenset[int] | None:
    """
    The clubs whose queue this member keeps: None for every club (a site moderator), else
    the ids of the clubs where they lead or moderate (empty for most members).
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.has_perm("moderation.moderate_comments"):
        return None
    return frozenset(
        club_id for club_id, role in roles(user).by_club.items() if role in MODERATING_ROLES
    )


def club_or_404(user, slug: str) -> Club:
    """
    The club with this slug, if this reader may know of it: a private club is a 404 to
    outsiders, as a club that does not exist is (views of every app take clubs this way).
    """
    club = get_object_or_404(Club, slug=slug)
    if not can_read(user, club):
        raise Http404
    return club
