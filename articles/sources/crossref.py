"""
Crossref's REST API: fetch a work by DOI and read its JSON "message" into a record.

``GET https://api.crossref.org/works/{doi}`` answers ``{"status": "ok", "message-type":
"work", "message": {...}}``; the fields read here are those of Crossref's documented work
format (title, author with given/family/name, ORCID and affiliation, container-title,
publisher, issn-type, volume, issue, page, article-number, issued date-parts, license,
resource, subject, language, abstract in JATS).
"""

import json
from typing import Any
from urllib.parse import quote

import httpx
from django.utils.translation import gettext as _

from ..records import (
    ArticleRecord,
    AuthorRecord,
    ParsedEntry,
    assign_issns,
    clean_doi,
    clean_issn,
    clean_orcid,
    clean_text,
    is_open_licence,
    language_code,
    licence_name,
    make_date,
    normalize_pages,
)
from . import http
from .jats import jats_to_sections, jats_to_text

API_URL = "https://api.crossref.org/works/"
SERVICE = "Crossref"


def fetch_work(doi: str, *, transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """The "message" of Crossref's answer for a normalised DOI (cached for a day)."""
    body = http.get_json(
        API_URL + quote(doi, safe="/"),
        service=SERVICE,
        cache_key=f"crossref:{doi}",
        params={"mailto": http.contact_email()},
        transport=transport,
    )
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, dict):
        raise http.unreadable_answer(SERVICE)
    return message


def parse_work(message: dict[str, Any]) -> ArticleRecord:
    """A record from a Crossref work (the "message" object)."""
    title = jats_to_text(_first(message.get("title")))
    subtitle = jats_to_text(_first(message.get("subtitle")))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    published_on, precision = _date(message)
    issn_print, issn_electronic = _issns(message)
    licence_url = _licence_url(message.get("license") or [])
    url = (message.get("resource") or {}).get("primary", {}).get("URL", "")
    return ArticleRecord(
        title=title,
        authors=[a for a in map(_author, message.get("author") or []) if a.family],
        journal_title=jats_to_text(_first(message.get("container-title"))),
        publisher=clean_text(message.get("publisher")),
        issn_print=issn_print,
        issn_electronic=issn_electronic,
        volume=clean_text(message.get("volume")),
        issue=clean_text(message.get("issue")),
        article_number=clean_text(message.get("article-number")),
        pages=normalize_pages(message.get("page") or ""),
        published_on=published_on,
        published_precision=precision,
        doi=clean_doi(message.get("DOI") or ""),
        url="" if "doi.org/" in url else url,
        language=language_code(message.get("language") or ""),
        licence=licence_name(licence_url) if licence_url else "",
        licence_url=licence_url,
        is_open_access=is_open_licence(licence_url),
        subjects=[clean_text(s) for s in message.get("subject") or [] if clean_text(s)],
        abstract_sections=jats_to_sections(message.get("abstract") or ""),
    )


def parse_json(text: str) -> list[ParsedEntry]:
    """A saved Crossref answer (or its "message") as one entry."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [ParsedEntry(label="Crossref JSON", error=_("This is not valid JSON: %s") % error)]
    message = data.get("message", data) if isinstance(data, dict) else None
    if not isinstance(message, dict):
        return [ParsedEntry(label="Crossref JSON", error=_("This is not a Crossref work."))]
    record = parse_work(message)
    record.label = _("Crossref work %(doi)s") % {"doi": record.doi}
    return [ParsedEntry(label=record.label, record=record)]


def _first(values: Any) -> str:
    if isinstance(values, list):
        return str(values[0]) if values else ""
    return str(values or "")


def _author(data: dict[str, Any]) -> AuthorRecord:
    family = clean_text(data.get("family")) or clean_text(data.get("name"))
    return AuthorRecord(
        family=family,
        given=clean_text(data.get("given")) if data.get("family") else "",
        orcid=clean_orcid(data.get("ORCID") or ""),
        affiliations=[
            clean_text(a.get("name"))
            for a in data.get("affiliation") or []
            if isinstance(a, dict) and clean_text(a.get("name"))
        ],
    )


def _date(message: dict[str, Any]):
    """The date of first publication ("issued" is the earliest of print and online)."""
    for key in ("issued", "published-online", "published-print", "published", "created"):
        parts = ((message.get(key) or {}).get("date-parts") or [[None]])[0]
        if parts and parts[0]:
            return make_date(*parts[:3])
    return None, "day"


def _issns(message: dict[str, Any]) -> tuple[str, str]:
    typed = {
        item.get("type"): clean_issn(item.get("value", ""))
        for item in message.get("issn-type") or []
    }
    if typed:
        return typed.get("print", ""), typed.get("electronic", "")
    return assign_issns([clean_issn(issn) for issn in message.get("ISSN") or []])


def _licence_url(licences: list[dict[str, Any]]) -> str:
    """The licence of the version of record, else the first one given."""
    chosen = next((lic for lic in licences if lic.get("content-version") == "vor"), None)
    chosen = chosen or (licences[0] if licences else {})
    return clean_text(chosen.get("URL"))
