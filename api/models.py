"""
Personal API tokens: how a member's scripts read, through the API, what the member reads.

A token is shown once, when it is made; the database keeps only its SHA-256 digest (and
its first characters, so that the member can tell their tokens apart), so that a leaked
table opens nothing. Tokens are revoked, not deleted, so that the settings page and the
audit of "who used what, when" stay true.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Every token starts with this: secret scanners (and people) can recognise one in a leak.
TOKEN_PREFIX = "jc_"  # noqa: S105 - a marker, not a secret
# What the settings page shows of a token: enough to tell one from another.
SHOWN_LENGTH = 8
# 32 random bytes, URL-safe: "jc_" and 43 characters.
TOKEN_BYTES = 32
TOKEN_LENGTH = len(TOKEN_PREFIX) + 43


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps of a token (a fast hash suffices: tokens are random)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def of_member(self, member):
        """A member's tokens in use, newest first: what their settings page lists."""
        return self.active().filter(member=member).order_by("-created_at", "-pk")


class ApiToken(models.Model):
    """A member's personal token for the API: it reads what the member may read."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("member"),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Our club's website”."),
    )
    prefix = models.CharField(_("starts with"), max_length=SHOWN_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # A second click on "Create" finds the first token's name taken.
            models.UniqueConstraint(
                fields=["member", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_once_per_member",
                violation_error_message=_("You already have a token with this name."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
