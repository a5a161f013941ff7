"""
The signed tokens of the one-click unsubscribe links in every email: each turns off one kind
of email, or one digest, for one member, without signing in.
"""

import datetime

from django.core import signing

from accounts.models import User

from .models import Delivery, Notification

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=60)
DIGEST_PERIODS = (Delivery.DAILY, Delivery.WEEKLY)
# What a one-click unsubscribe may turn off: one kind of email, or one digest.
UNSUBSCRIBE_SCOPES = {*Notification.Kind.values, *DIGEST_PERIODS}


def unsubscribe_token(*, member: User, scope: str) -> str:
    """A signed, expiring token that turns off one kind of email (or one digest)."""
    if scope not in UNSUBSCRIBE_SCOPES:
        raise ValueError(scope)
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign_object(
        {"m": member.pk, "s": scope}, compress=False
    )


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """
    The member and scope a token names. Raises ``signing.BadSignature`` (or its
    ``SignatureExpired``) for a token that was altered, is too old, or names no member.
    """
    data = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign_object(
        token, max_age=UNSUBSCRIBE_MAX_AGE
    )
    if not isinstance(data, dict) or data.get("s") not in UNSUBSCRIBE_SCOPES:
        raise signing.BadSignature("Unknown unsubscribe scope.")
    member = User.objects.filter(pk=data.get("m"), is_active=True).first()
    if member is None:
        raise signing.BadSignature("No such member.")
    return member, data["s"]
