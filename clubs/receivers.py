"""
What clubs does when allauth announces a member's address: members join the clubs of their
email domain, and an invitation opened before signing up is accepted.
"""

import logging

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .services import INVITATION_CLUB_SESSION_KEY, INVITATION_SESSION_KEY

logger = logging.getLogger(__name__)


def on_email_confirmed(sender, *, request, email_address, **kwargs) -> None:
    """A confirmed address: the clubs of its domain, and the invitation kept in the session."""
    member = email_address.user
    services.forget_confirmation(member)
    services.club_join_by_domain(member=member, email=email_address.email)
    _accept_kept_invitation(request, member)


def on_user_signed_up(sender, *, request, user, **kwargs) -> None:
    """
    Signing up with the address an invitation kept in the session was sent to: the link
    came to that mailbox, so the address is confirmed now, the way a confirmation link
    would (the account becomes a member, ``AccountAdapter.confirm_email``), and
    ``email_confirmed`` follows and accepts the invitation. Any other address waits for its
    confirmation email as usual: a forwarded link vouches for no one else's address.
    """
    session = getattr(request, "session", None)
    invitation = (
        services.invitation_for_token(session.get(INVITATION_SESSION_KEY, "")) if session else None
    )
    if invitation is None or not invitation.email:
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=invitation.email).first()
    if address is not None and not address.verified:
        get_adapter(request).confirm_email(request, address)


def _accept_kept_invitation(request, member) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(INVITATION_CLUB_SESSION_KEY, None)
    token = session.pop(INVITATION_SESSION_KEY, None)
    if not token:
        return
    try:
        services.invitation_accept(token=token, member=member)
    except (ValidationError, PermissionDenied) as refusal:
        # The invitation's page says why when they open it again.
        logger.info("Invitation kept in the session not accepted: %s", refusal)


def connect() -> None:
    email_confirmed.connect(on_email_confirmed, dispatch_uid="clubs-email-confirmed")
    user_signed_up.connect(on_user_signed_up, dispatch_uid="clubs-user-signed-up")
