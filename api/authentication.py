"""
Personal tokens as the API's one way in: ``Authorization: Bearer <token>``.

No session authentication: a browser's cookies grant nothing here, so another site's page
cannot read a member's private clubs through their signed-in browser. A request without the
header reads as a visitor; a request with a header that is not a working token (malformed,
unknown, revoked, of a closed account) is refused with 401, never read as a visitor's,
so that a script notices a token that stopped working.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import services
from .models import TOKEN_LENGTH, TOKEN_PREFIX, ApiToken, token_digest

REALM = "Journal Club API"
WELL_FORMED = re.compile(
    rf"{re.escape(TOKEN_PREFIX)}[A-Za-z0-9_-]{{{TOKEN_LENGTH - len(TOKEN_PREFIX)}}}"
)
OFFERED = "_api_token_offered"  # on the request: a token came, so a 401 says it is invalid


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A member's personal token (``api.ApiToken``): the request reads as that member."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None
        setattr(request, OFFERED, True)
        scheme, _space, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not WELL_FORMED.fullmatch(token):
            raise exceptions.AuthenticationFailed(
                _("Send a personal token as “Authorization: Bearer <token>”.")
            )
        found = (
            ApiToken.objects.active()
            .select_related("member")
            .filter(digest=token_digest(token))
            .first()
        )
        if found is None or not found.member.is_active:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: it may have been revoked.")
            )
        services.token_used(token=found)
        return found.member, found

    def authenticate_header(self, request) -> str:
        """The challenge of a 401 (RFC 6750), naming the fault when a token was sent."""
        challenge = f'Bearer realm="{REALM}"'
        if getattr(request, OFFERED, False) or request.META.get("HTTP_AUTHORIZATION"):
            challenge += ', error="invalid_token"'
        return challenge


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the tokens."""

    target_class = BearerTokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A personal token, made on your account settings page (“API tokens”). "
                    "Without one, you read what a visitor reads."
                )
            ),
        }
