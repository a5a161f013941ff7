"""
CSL-JSON items to records: what Zotero, Mendeley and citeproc exchange, and what the
paper pages export.

Reads the standard CSL variables (type, title, author, container-title, publisher, ISSN,
volume, issue, page, number, issued, DOI, URL, language, license, keyword, abstract) plus
the per-author "ORCID" and "affiliation" keys that Crossref adds to its CSL-JSON, which
citeproc ignores and which keep a round trip through this format lossless.
"""

import json
from typing import Any

from django.utils.translation import gettext as _

from ..records import (
    ArticleRecord,
    AuthorRecord,
    ParsedEntry,
    assign_issns,
    clean_doi,
    clean_orcid,
    clean_text,
    find_issns,
    is_open_licence,
    language_code,
    licence_fields,
    make_date,
    normalize_pages,
    parse_date,
)
from .abstracts import split_abstract
from .jats import jats_to_sections

# CSL 1.0.2 item types.
ITEM_TYPES = {
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
    # Crossref's own types, which its CSL-JSON sometimes carries through.
    "journal-article",
    "posted-content",
    "proceedings-article",
    "book-chapter",
}


def looks_like_csl(data: Any) -> bool:
    items = data if isinstance(data, list) else [data]
    return bool(items) and all(
        isinstance(item, dict) and "type" in item and "title" in item for item in items
    )


def parse_json(text: str) -> list[ParsedEntry]:
    """CSL-JSON: a list of items or a single item."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [ParsedEntry(label="CSL-JSON", error=_("This is not valid JSON: %s") % error)]
    return parse_items(data if isinstance(data, list) else [data])


def parse_items(items: list[Any]) -> list[ParsedEntry]:
    entries = []
    for number, item in enumerate(items, start=1):
        label = _("CSL-JSON item %(number)s") % {"number": number}
        if not isinstance(item, dict):
            entries.append(ParsedEntry(label=label, error=_("This is not a CSL-JSON item.")))
            continue
        if item.get("id"):
            label = _("CSL-JSON item %(id)s") % {"id": item["id"]}
        if item.get("type") not in ITEM_TYPES:
            entries.append(
                ParsedEntry(
                    label=label,
                    error=_("Unknown item type “%(type)s” (article-journal is a journal article).")
                    % {"type": item.get("type")},
                )
            )
            continue
        record = parse_item(item)
        record.label = label
        entries.append(ParsedEntry(label=label, record=record))
    return entries


def parse_item(item: dict[str, Any]) -> ArticleRecord:
    published_on, precision = _date(item.get("issued"))
    licence, licence_url = licence_fields(_text(item.get("license")))
    print_issn, electronic_issn = assign_issns(find_issns(_text(item.get("ISSN"))))
    abstract = str(item.get("abstract") or "")
    return ArticleRecord(
        title=_text(item.get("title")),
        authors=[a for a in map(_author, item.get("author") or []) if a.family],
        journal_title=_text(item.get("container-title")),
        publisher=_text(item.get("publisher")),
        issn_print=print_issn,
        issn_electronic=electronic_issn,
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        article_number=_text(item.get("number") or item.get("article-number")),
        pages=normalize_pages(_text(item.get("page"))),
        published_on=published_on,
        published_precision=precision,
        doi=clean_doi(_text(item.get("DOI"))),
        url=_text(item.get("URL")),
        language=language_code(_text(item.get("language"))),
        licence=licence,
        licence_url=licence_url,
        is_open_access=is_open_licence(licence_url, licence),
        subjects=list(
            dict.fromkeys(k.strip() for k in _text(item.get("keyword")).split(",") if k.strip())
        ),
        abstract_sections=(
            jats_to_sections(abstract) if "<jats:" in abstract else split_abstract(abstract)
        ),
    )


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return clean_text(value)


def _author(data: Any) -> AuthorRecord:
    if not isinstance(data, dict):
        return AuthorRecord(family="")
    family = _text(data.get("family")) or _text(data.get("literal"))
    if _text(data.get("non-dropping-particle")):
        family = f"{_text(data['non-dropping-particle'])} {family}"
    affiliations = []
    for affiliation in data.get("affiliation") or []:
        name = _text(affiliation.get("name") if isinstance(affiliation, dict) else affiliation)
        if name:
            affiliations.append(name)
    return AuthorRecord(
        family=family,
        given=_text(data.get("given")) if data.get("family") else "",
        orcid=clean_orcid(_text(data.get("ORCID"))),
        affiliations=affiliations,
    )


def _date(value: Any):
    if not isinstance(value, dict):
        return None, "day"
    parts = (value.get("date-parts") or [[]])[0]
    if parts:
        return make_date(*parts[:3])
    return parse_date(_text(value.get("raw") or value.get("literal")))
