"""
RIS records to records, with rispy.

rispy reads the tags but quietly drops what it cannot read, so the text is first cut into
records here ("TY  - " … "ER  - "), each cut checked (a record without its end, lines
outside any record, an unknown reference type) and reported by itself; each good record
then goes through rispy. Tags read: TY, TI/T1, AU/A1, T2/JF/JO/JA, PB, SN, VL, IS, SP/EP,
C7 (article number), PY/Y1/DA, DO, UR, LA, AB/N2, KW.
"""

import re

import rispy
from django.utils.translation import gettext as _

from ..records import (
    ArticleRecord,
    ParsedEntry,
    assign_issns,
    clean_doi,
    clean_text,
    find_issns,
    language_code,
    normalize_pages,
    parse_date,
    split_name,
)
from .abstracts import split_abstract

_TAG = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  ?- ?(?P<value>.*)$")
REFERENCE_TYPES = set(rispy.TYPE_OF_REFERENCE_MAPPING)


def looks_like_ris(text: str) -> bool:
    return bool(re.search(r"^TY  ?- ", text, re.M))


def parse(text: str) -> list[ParsedEntry]:
    """Every record in a RIS text, in order: a record, or the reason it could not be read."""
    entries: list[ParsedEntry] = []
    current: list[str] = []
    start = 0
    stray_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TAG.match(line.lstrip("\ufeff"))
        tag = match.group("tag") if match else None
        if tag == "TY":
            if current:
                entries.append(_unterminated(len(entries) + 1, start))
            current, start = [line.lstrip("\ufeff")], number
        elif current:
            current.append(line)
            if tag == "ER":
                entries.append(_record(len(entries) + 1, start, "\n".join(current)))
                current = []
        elif line.strip() and stray_line is None:
            stray_line = number
    if current:
        entries.append(_unterminated(len(entries) + 1, start))
    if stray_line is not None:
        entries.append(
            ParsedEntry(
                label=_("RIS text at line %(line)s") % {"line": stray_line},
                error=_("Lines outside any record: each record starts with “TY  - ”."),
            )
        )
    return entries


def _label(number: int, line: int) -> str:
    return _("RIS record %(number)s (line %(line)s)") % {"number": number, "line": line}


def _unterminated(number: int, line: int) -> ParsedEntry:
    return ParsedEntry(
        label=_label(number, line),
        error=_("This record does not end with an “ER  - ” line."),
    )


def _record(number: int, line: int, text: str) -> ParsedEntry:
    label = _label(number, line)
    try:
        (data,) = rispy.loads(text, enforce_list_tags=False)
    except (ValueError, TypeError) as error:
        return ParsedEntry(label=label, error=_("Broken RIS syntax: %s") % error)
    kind = _one(data.get("type_of_reference"))
    if kind not in REFERENCE_TYPES:
        return ParsedEntry(
            label=label,
            error=_("Unknown reference type “%(type)s” (JOUR is a journal article).")
            % {"type": kind},
        )
    published_on, precision = parse_date(_one(data.get("date")))
    year_date, year_precision = parse_date(
        _one(data.get("year")) or _one(data.get("publication_year"))
    )
    if published_on is None or (year_date and year_date.year != published_on.year):
        published_on, precision = year_date, year_precision
    first, last = _one(data.get("start_page")), _one(data.get("end_page"))
    issns = [issn for value in _many(data.get("issn")) for issn in find_issns(value)]
    print_issn, electronic_issn = assign_issns(issns)
    record = ArticleRecord(
        title=_one(data.get("title")) or _one(data.get("primary_title")),
        authors=[
            _author(name)
            for name in _many(data.get("authors")) + _many(data.get("first_authors"))
            if clean_text(name)
        ],
        journal_title=_one(data.get("secondary_title"))
        or _one(data.get("alternate_title3"))
        or _one(data.get("journal_name"))
        or _one(data.get("alternate_title2")),
        publisher=_one(data.get("publisher")),
        issn_print=print_issn,
        issn_electronic=electronic_issn,
        volume=_one(data.get("volume")),
        issue=_one(data.get("number")),
        article_number=_one(data.get("custom7")),
        pages=normalize_pages(f"{first}–{last}" if first and last else first),
        published_on=published_on,
        published_precision=precision,
        doi=clean_doi(_one(data.get("doi"))),
        url=_one(data.get("urls")),
        language=language_code(_one(data.get("language"))),
        subjects=list(dict.fromkeys(clean_text(k) for k in _many(data.get("keywords")) if k)),
        abstract_sections=split_abstract(
            _one(data.get("abstract")) or _one(data.get("notes_abstract"))
        ),
        label=label,
    )
    return ParsedEntry(label=label, record=record)


def _author(name: str):
    """RIS names are "Family, Given"; without a comma the whole name is the family name."""
    name = clean_text(name)
    return split_name(name) if "," in name else split_name(f"{name},")


def _many(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _one(value) -> str:
    values = _many(value)
    return clean_text(values[0]) if values else ""
