"""
Unpaywall's REST API: where a paper can be read free, legally.

``GET https://api.unpaywall.org/v2/{doi}?email=…`` answers one DOI object of Unpaywall's
data format (version 2): ``doi``, ``is_oa``, ``oa_status`` and ``best_oa_location``, the
copy Unpaywall would send a reader to (a publisher's copy before a repository's, then the
most final version), followed by every copy in ``oa_locations``. A location has ``url``
(the PDF if there is one, else the landing page), ``url_for_pdf``,
``url_for_landing_page``, ``host_type`` ("publisher" or "repository"), ``version``
("submittedVersion", "acceptedVersion" or "publishedVersion") and ``license`` ("cc-by",
"implied-oa", … or null). A DOI Unpaywall does not know is a 404.
"""

from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from ..models import OpenAccessHost, OpenAccessVersion, OpenCopy
from ..records import clean_doi, clean_text
from . import http

API_URL = "https://api.unpaywall.org/v2/"
SERVICE = "Unpaywall"
# The longest link kept (Article.open_access_url); a longer one is no link we can store.
MAX_URL = 1000


def fetch(doi: str, *, transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Unpaywall's object for a normalised DOI, as it is now (never from the cache)."""
    body = http.get_json(
        API_URL + quote(doi, safe="/"),
        service=SERVICE,
        cache_key=f"unpaywall:{doi}",
        params={"email": http.contact_email()},
        transport=transport,
        cache_seconds=0,
    )
    if not isinstance(body, dict):
        raise http.unreadable_answer(SERVICE)
    return body


def parse(body: dict[str, Any], *, doi: str) -> OpenCopy | None:
    """
    The copy to send a reader to, or None when Unpaywall knows of no free copy.

    Raises ServiceUnavailable for an answer about another DOI or not in Unpaywall's format,
    so that what is on file is kept rather than replaced by a misreading.
    """
    answered = body.get("doi")
    if not isinstance(answered, str) or clean_doi(answered) != doi:
        raise http.unreadable_answer(SERVICE)
    is_oa = body.get("is_oa")
    if not isinstance(is_oa, bool):
        raise http.unreadable_answer(SERVICE)
    if not is_oa:
        return None
    others = body.get("oa_locations")
    locations = [body.get("best_oa_location"), *(others if isinstance(others, list) else [])]
    for location in locations:
        if not isinstance(location, dict):
            continue
        url = _link(location)
        if url:
            host = location.get("host_type")
            version = location.get("version")
            licence = location.get("license")
            return OpenCopy(
                url=url,
                host=host if host in OpenAccessHost.values else "",
                version=version if version in OpenAccessVersion.values else "",
                licence=clean_text(licence)[:100] if isinstance(licence, str) else "",
            )
    return None


def _link(location: dict[str, Any]) -> str:
    """The location's link (its PDF, else its landing page), if it is a web address."""
    for key in ("url", "url_for_pdf", "url_for_landing_page"):
        value = location.get(key)
        if not isinstance(value, str):
            continue
        url = value.strip()
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and len(url) <= MAX_URL:
            return url
    return ""
