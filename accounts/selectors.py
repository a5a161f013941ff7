"""
Reads about a member that several apps ask: their standing (asked once per request), the
language to write to them in, and the ORCID account connected to them.
"""

from allauth.socialaccount.models import SocialAccount
from django.conf import settings

from core.languages import offered

from .models import Suspension, User


def member_suspension(user: User) -> Suspension | None:
    """
    The suspension in force for this member, if any: one query, remembered on this user
    object (a request's own; a view's check, a service's and a club's rule share it).
    """
    if not user.is_authenticated:
        return None
    if "_suspension_in_force" not in user.__dict__:
        user.__dict__["_suspension_in_force"] = (
            Suspension.objects.in_force().filter(member=user).order_by("until").last()
        )
    return user.__dict__["_suspension_in_force"]


def forget_suspension(user: User) -> None:
    """Make ``member_suspension`` look again (after suspending or lifting)."""
    user.__dict__.pop("_suspension_in_force", None)


def member_language(member: User) -> str:
    """
    The language to write to this member in (every email the site sends them): their own
    setting, else the site's. Never the language of whoever or whatever caused the email.
    """
    return offered(member.language) or settings.LANGUAGE_CODE


def address_language(email: str) -> str | None:
    """
    The language of the active account that confirmed this address (``member_language``),
    or None when none has. An unconfirmed address may be someone else's: it decides nothing.
    """
    member = (
        User.objects.filter(
            is_active=True, emailaddress__email__iexact=email, emailaddress__verified=True
        )
        .only("language")
        .first()
    )
    return member_language(member) if member is not None else None


def member_connected_orcid(member: User) -> str:
    """
    The iD of the ORCID account connected to this member (signing in with ORCID proved it
    theirs), or an empty string.
    """
    uid = (
        SocialAccount.objects.filter(user_id=member.pk, provider="orcid")
        .order_by("pk")
        .values_list("uid", flat=True)
        .first()
    )
    return uid or ""


def member_orcid_is_connected(member: User) -> bool:
    """Whether the member's iD is that of their connected ORCID account: what verifies it."""
    return bool(member.orcid) and member.orcid == member_connected_orcid(member)


def member_orcid_taken(*, orcid: str, member: User | None) -> bool:
    """Whether a member other than ``member`` (anyone, if None) has ``orcid`` verified."""
    others = User.objects.filter(orcid=orcid, orcid_verified=True)
    return (others.exclude(pk=member.pk) if member is not None else others).exists()
