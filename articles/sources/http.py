"""
Outgoing HTTP for the metadata sources: timeouts, a descriptive User-Agent, a cache.

Crossref and DOAJ are asked when a curator asks for a DOI; Unpaywall (open copies) and
Crossref (retractions, corrections, newer versions) by the background task and the
scheduled checks (``articles.openaccess``, ``articles.updates``). Every request has a
timeout, identifies the app with a contact address (Crossref's "polite pool" and Unpaywall
ask for one), and a successful lookup of a record is cached for a day under the
normalised DOI, so that looking at a DOI again (review, then confirm; a retried batch)
asks nobody twice. The checks ask for the current answer (``cache_seconds=0``).

Failures are mapped onto errors the admin and the commands can show as they are:
``RecordNotFound`` (the service does not know the DOI) and ``ServiceUnavailable``
(timeout, network error, 5xx, an answer that is not JSON), of which ``Throttled`` is the
429 that asks us to slow down. Tests replace the transport (``httpx.MockTransport``)
through the ``transport`` argument or ``set_default_transport``; no test reaches the network.
"""

import hashlib
import json
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10.0
CACHE_SECONDS = 24 * 60 * 60
USER_AGENT = "JournalClub/0.1 (journal club web app; mailto:{contact})"

# None: httpx's real network transport. Tests install a MockTransport here.
_default_transport: httpx.BaseTransport | None = None


class SourceError(Exception):
    """A metadata source could not give a record; the message is meant for the curator."""


class RecordNotFound(SourceError):
    pass


class ServiceUnavailable(SourceError):
    pass


class Throttled(ServiceUnavailable):
    """The service answered 429: a batch should stop asking it until its next run."""


def set_default_transport(transport: httpx.BaseTransport | None) -> None:
    """Route every request through ``transport`` (tests); None restores the network."""
    global _default_transport
    _default_transport = transport


def user_agent() -> str:
    return USER_AGENT.format(contact=settings.JOURNAL_CLUB_CONTACT_EMAIL)


def contact_email() -> str:
    return settings.JOURNAL_CLUB_CONTACT_EMAIL


def get_json(
    url: str,
    *,
    service: str,
    cache_key: str,
    params: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    cache_seconds: int = CACHE_SECONDS,
) -> Any:
    """
    GET ``url`` and return its JSON body, from the cache when it was fetched before.

    ``service`` names the source in error messages ("Crossref"); ``cache_key`` identifies
    the answer (e.g. "crossref:10.1186/..."), kept ``cache_seconds`` (0: neither read nor
    kept). Raises RecordNotFound for a 404, Throttled for a 429 and ServiceUnavailable for
    anything else that is not a JSON 200.
    """
    key = "journal-club:source:" + hashlib.sha256(cache_key.encode()).hexdigest()
    cached = cache.get(key) if cache_seconds else None
    if cached is not None:
        return cached
    unavailable = _("%(service)s could not be reached just now. Please try again in a minute.")
    try:
        with httpx.Client(
            transport=transport or _default_transport,
            timeout=TIMEOUT_SECONDS,
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            follow_redirects=True,
        ) as client:
            response = client.get(url, params=params)
    except httpx.HTTPError as error:
        raise ServiceUnavailable(unavailable % {"service": service}) from error
    if response.status_code == 404:
        raise RecordNotFound(_("%(service)s has no record of this DOI.") % {"service": service})
    if response.status_code == 429:
        raise Throttled(
            _("%(service)s asked us to slow down. Please try again later.") % {"service": service}
        )
    if response.status_code != 200:
        raise ServiceUnavailable(unavailable % {"service": service})
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise unreadable_answer(service) from error
    if cache_seconds:
        cache.set(key, body, cache_seconds)
    return body


def unreadable_answer(service: str) -> ServiceUnavailable:
    """The error for an answer that is not what the service documents."""
    return ServiceUnavailable(
        _("%(service)s sent an answer that could not be read. Please try again later.")
        % {"service": service}
    )
