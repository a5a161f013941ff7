"""
What Crossref knows was published about a work after it: retractions, corrections and
other updates, and newer versions of it.

Three places say so, and all three are read for each paper:

* the works that declare they update it, ``GET /works?filter=updates:{doi}``: a
  "work-list" whose items each carry ``update-to`` entries, ``{"DOI": <the work updated>,
  "type": "retraction", "label": "Retraction", "updated": {"date-parts": [[2022, 3, 1]]}}``;
  an entry naming our DOI is a notice, whose DOI is the item's own;
* the work's own ``updated-by`` list (``GET /works/{doi}``), the same entries seen from
  the other side ("DOI" being the notice's), in which Crossref also gives the
  retractions recorded by Retraction Watch;
* the work's ``relation``: ``is-preprint-of`` names the published version of a preprint
  (a newer version), ``has-version`` and ``is-version-of`` other versions of the work,
  each as ``{"id-type": "doi", "id": "10.…", "asserted-by": "subject"}``.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from django.core.exceptions import ValidationError

from core.identifiers import normalize_doi

from ..models import PaperNotice
from ..records import clean_text, make_date
from . import http

API_URL = "https://api.crossref.org/works"
SERVICE = "Crossref"
# More works updating one paper than this would be a first; they would be read next time.
ROWS = 100

Kind = PaperNotice.Kind

# Crossref's update types (the "type" of an update-to or updated-by entry).
_KINDS = {
    "retraction": Kind.RETRACTION,
    "partial_retraction": Kind.PARTIAL_RETRACTION,
    "withdrawal": Kind.WITHDRAWAL,
    "removal": Kind.REMOVAL,
    "expression_of_concern": Kind.EXPRESSION_OF_CONCERN,
    "correction": Kind.CORRECTION,
    "erratum": Kind.ERRATUM,
    "corrigendum": Kind.CORRIGENDUM,
    "addendum": Kind.ADDENDUM,
    "clarification": Kind.CLARIFICATION,
    "new_version": Kind.NEW_VERSION,
    "new_edition": Kind.NEW_EDITION,
}
# Relations that name another version of the work; "has-preprint" names an older one.
_RELATIONS = {
    "is-preprint-of": Kind.NEW_VERSION,
    "has-version": Kind.OTHER_VERSION,
    "is-version-of": Kind.OTHER_VERSION,
}


@dataclass(frozen=True)
class NoticeRecord:
    """One notice as Crossref gives it, before it is kept (a PaperNotice)."""

    kind: str
    doi: str
    date: datetime.date | None = None
    label: str = ""


def fetch_notices(doi: str, *, transport: httpx.BaseTransport | None = None) -> list[NoticeRecord]:
    """
    Every notice Crossref has now about a normalised DOI. Raises RecordNotFound when
    Crossref does not know the DOI and ServiceUnavailable (Throttled for a 429) when
    either question gets no readable answer: then nothing is known, not "no notices".
    """
    work = _get_message(
        f"{API_URL}/{quote(doi, safe='/')}", cache_key=f"crossref-work:{doi}", transport=transport
    )
    listing = _get_message(
        API_URL,
        cache_key=f"crossref-updates:{doi}",
        params={"filter": f"updates:{doi}", "rows": str(ROWS), "select": "DOI,update-to"},
        transport=transport,
    )
    items = listing.get("items")
    if not isinstance(items, list):
        raise http.unreadable_answer(SERVICE)
    return notices_from(doi, work=work, updating=items)


def notices_from(doi: str, *, work: dict[str, Any], updating: list[Any]) -> list[NoticeRecord]:
    """The notices in a work and the works updating it, once per kind and DOI."""
    found: dict[tuple[str, str], NoticeRecord] = {}

    def add(notice: NoticeRecord | None) -> None:
        if notice is None:
            return
        key = (notice.kind, notice.doi)
        known = found.get(key)
        # The same notice seen twice (both sides of an update): keep what either says.
        found[key] = (
            NoticeRecord(
                kind=notice.kind,
                doi=notice.doi,
                date=known.date or notice.date,
                label=known.label or notice.label,
            )
            if known
            else notice
        )

    for item in updating:
        if not isinstance(item, dict):
            continue
        for entry in _dicts(item.get("update-to")):
            if _doi(entry.get("DOI")) == doi:
                add(_update(entry, notice_doi=_doi(item.get("DOI"))))
    for entry in _dicts(work.get("updated-by")):
        add(_update(entry, notice_doi=_doi(entry.get("DOI"))))
    relation = work.get("relation")
    if isinstance(relation, dict):
        for name, kind in _RELATIONS.items():
            for related in _dicts(relation.get(name)):
                other = _doi(related.get("id")) if related.get("id-type") == "doi" else ""
                if other and other != doi:
                    add(NoticeRecord(kind=kind, doi=other))
    return list(found.values())


def _get_message(
    url: str,
    *,
    cache_key: str,
    params: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None,
) -> dict[str, Any]:
    body = http.get_json(
        url,
        service=SERVICE,
        cache_key=cache_key,
        params={**(params or {}), "mailto": http.contact_email()},
        transport=transport,
        cache_seconds=0,  # a check asks what Crossref knows now
    )
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, dict):
        raise http.unreadable_answer(SERVICE)
    return message


def _update(entry: dict[str, Any], *, notice_doi: str) -> NoticeRecord | None:
    if not notice_doi:
        return None
    kind = str(entry.get("type") or "").strip().lower().replace("-", "_").replace(" ", "_")
    return NoticeRecord(
        kind=_KINDS.get(kind, Kind.UPDATE),
        doi=notice_doi,
        date=_date(entry.get("updated")),
        label=clean_text(entry.get("label"))[:200],
    )


def _date(value: Any) -> datetime.date | None:
    parts = value.get("date-parts") if isinstance(value, dict) else None
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
        return None
    return make_date(*parts[0][:3])[0] if parts[0] else None


def _doi(value: Any) -> str:
    """A DOI in canonical form, or "" for anything that is not one."""
    if not isinstance(value, str):
        return ""
    try:
        return normalize_doi(value)
    except ValidationError:
        return ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
