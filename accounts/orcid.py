"""
Signing in with ORCID: whether it is on, how the site talks to ORCID, what it reads there.

allauth's ORCID provider (``allauth.socialaccount.providers.orcid``, ORCID's public API)
runs the OAuth exchange: the member signs in at ORCID, which sends them back with a code;
allauth trades the code for a token (whose answer names the member's iD) and reads their
public record. It asks ORCID through the session prepared here, so every call has a
timeout (``SOCIALACCOUNT_REQUESTS_TIMEOUT``) and a User-Agent naming the site's contact,
and an answer that is not what ORCID documents fails as a network error does: allauth
then shows its error page (templates/socialaccount/authentication_error.html) and nothing
is changed.
"""

from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from core.identifiers import normalize_orcid

PROVIDER = "orcid"
USER_AGENT = "JournalClub/0.1 (journal club web app; mailto:{contact})"


class UnexpectedAnswer(requests.RequestException):
    """ORCID answered, but not with what its documentation promises."""


def is_configured() -> bool:
    """Whether ORCID sign-in is on: an ORCID client is set (``ORCID_CLIENT_ID``)."""
    provider = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get(PROVIDER, {})
    return any(app.get("client_id") for app in provider.get("APPS") or [])


def is_orcid(value: Any) -> bool:
    """Whether ``value`` is an ORCID iD in its canonical form (0000-0002-1825-0097)."""
    if not isinstance(value, str):
        return False
    try:
        return normalize_orcid(value) == value
    except ValidationError:
        return False


def prepare_session(session: requests.Session) -> requests.Session:
    """Name the site to ORCID, and refuse any answer of ORCID's that is not as documented."""
    session.headers["User-Agent"] = USER_AGENT.format(contact=settings.JOURNAL_CLUB_CONTACT_EMAIL)
    session.headers["Accept"] = "application/json"
    session.hooks["response"].append(check_answer)
    return session


def check_answer(response: requests.Response, *args, **kwargs) -> None:
    """
    A response hook: an error status, an answer that is not a JSON object, a token answer
    without an access token and a well-formed iD, or a record of another iD than the one
    asked for raises a ``requests.RequestException``, which allauth reports as a failed
    sign-in (without it, some of these would be a server error).
    """
    response.raise_for_status()
    try:
        data = response.json()
    except ValueError:
        raise UnexpectedAnswer("ORCID's answer is not JSON.", response=response) from None
    if not isinstance(data, dict):
        raise UnexpectedAnswer("ORCID's answer is not a JSON object.", response=response)
    path = urlsplit(response.url).path.rstrip("/")
    if path.endswith("/oauth/token"):
        if not isinstance(data.get("access_token"), str) or not is_orcid(data.get("orcid")):
            raise UnexpectedAnswer(
                "ORCID's token answer has no access token or no ORCID iD.", response=response
            )
    elif path.endswith("/record"):
        asked = path.split("/")[-2]
        identifier = data.get("orcid-identifier")
        if not isinstance(identifier, dict) or identifier.get("path") != asked:
            raise UnexpectedAnswer(
                f"ORCID's answer is not the record of {asked}.", response=response
            )


def record_name(record: dict) -> str:
    """
    The name a person shows on their ORCID record: their published name ("credit name"),
    else their given and family names; empty when they keep it private.
    """
    name = (record.get("person") or {}).get("name") or {}

    def value(key: str) -> str:
        part = name.get(key) or {}
        return str(part.get("value") or "").strip() if isinstance(part, dict) else ""

    full = value("credit-name") or " ".join(
        part for part in (value("given-names"), value("family-name")) if part
    )
    return full[:80]  # User.display_name's length
