"""
Writes with rules for API tokens: making one, revoking one, and noting when one is used.

Each is a keyword-only function that runs in one transaction and either does the whole job
or raises ``ValidationError`` (the settings form says why).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import SHOWN_LENGTH, ApiToken, new_token, token_digest

# Tokens a member may hold at once: enough for every script and site of theirs, and a bound
# on what one account can spread around.
MAX_TOKENS = 20
# ``last_used_at`` is written at most this often per token: a script reading page after
# page would otherwise write a row for every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def token_create(*, member: User, name: str) -> tuple[ApiToken, str]:
    """
    A new token for the member, and the token itself, which is shown to them once and
    kept nowhere: only its digest and its first characters are stored.
    """
    token = new_token()
    with transaction.atomic():
        # One member's tokens are made one at a time, so that the count below holds.
        User.objects.select_for_update(no_key=True).filter(pk=member.pk).first()
        if ApiToken.objects.active().filter(member=member).count() >= MAX_TOKENS:
            raise ValidationError(
                _("You have %(count)s tokens already: revoke one you no longer use first.")
                % {"count": MAX_TOKENS},
                code="too_many",
            )
        name = name.strip()
        if ApiToken.objects.active().filter(member=member, name=name).exists():
            raise ValidationError({"name": _("You already have a token with this name.")})
        api_token = ApiToken(
            member=member, name=name, prefix=token[:SHOWN_LENGTH], digest=token_digest(token)
        )
        # The name's uniqueness is checked above (and by the database below); the digest
        # of a new random token needs no query to be unique.
        api_token.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                api_token.save()
        except IntegrityError as error:  # the same name, created meanwhile by a second click
            raise ValidationError(
                {"name": _("You already have a token with this name.")}, code="unique"
            ) from error
    return api_token, token


def token_revoke(*, member: User, token: ApiToken) -> ApiToken:
    """Revoke one of the member's tokens: it stops working at once. Revoking twice is harmless."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk, member=member)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_used(*, token: ApiToken, at: datetime.datetime | None = None) -> None:
    """
    Note that the token was used: at most once a minute, and by one request only when
    several arrive at once (the update is conditional), so most requests write nothing.
    """
    at = at or timezone.now()
    if token.last_used_at is not None and at - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=at - LAST_USED_EVERY).update(
        last_used_at=at
    )
    token.last_used_at = at


def member_export(*, member: User) -> dict:
    """The member's tokens for their data download: names and dates, never a token."""
    return {
        "api_tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created": token.created_at.isoformat(),
                "last_used": token.last_used_at.isoformat() if token.last_used_at else None,
                "revoked": token.revoked_at.isoformat() if token.revoked_at else None,
            }
            for token in ApiToken.objects.filter(member=member).order_by("created_at", "pk")
        ]
    }


def member_forget(*, member: User) -> None:
    """A deleted account's tokens go with it (they would stop working anyway)."""
    ApiToken.objects.filter(member=member).delete()
