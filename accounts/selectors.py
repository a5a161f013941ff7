"""Reads about a member's standing that several apps ask on one request, asked once."""

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
