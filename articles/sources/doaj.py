"""
DOAJ, the Directory of Open Access Journals: its article API and its catalogue records.

Three inputs, one record shape:

* the public search API, ``GET https://doaj.org/api/search/articles/doi:"<doi>"``, which
  answers ``{"total": n, "results": [{"id", "bibjson": {...}}]}`` (used when Crossref has
  no abstract);
* DOAJ JSON as a file: one article object, a list of them, or a saved search answer;
* the catalogue record in text form (what a library catalogue built on DOAJ's data shows
  and lets one copy, like ``doaj-record.txt``): a display part with labelled lines
  ("Main Authors:", "Language:", "Published:", "Series:") followed by index fields, one
  per line ("title …", "author …", "publisher …", "issn …", "publishDate …",
  "description …", "topic …", "url …"), multi-valued fields continuing on the lines below.

Everything in DOAJ is open access, so records from it are marked open access.
"""

import json
import re
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
    language_code,
    licence_fields,
    make_date,
    normalize_pages,
    parse_date,
    short_title,
    split_name,
)
from . import http
from .abstracts import split_abstract

API_URL = "https://doaj.org/api/search/articles/"
SERVICE = "DOAJ"


# --- The article API ------------------------------------------------------------------------


def fetch_article(doi: str, *, transport: httpx.BaseTransport | None = None) -> dict | None:
    """DOAJ's article object for a normalised DOI, or None when DOAJ does not list it."""
    body = http.get_json(
        API_URL + quote(f'doi:"{doi}"', safe=""),
        service=SERVICE,
        cache_key=f"doaj:{doi}",
        transport=transport,
    )
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise http.unreadable_answer(SERVICE)
    for article in body["results"]:
        record_doi = _identifier(article.get("bibjson") or {}, "doi")
        if clean_doi(record_doi) == doi:
            return article
    return None


def parse_article(article: dict[str, Any]) -> ArticleRecord:
    """A record from a DOAJ article object (its "bibjson")."""
    bibjson = article.get("bibjson") or {}
    journal = bibjson.get("journal") or {}
    start = clean_text(journal.get("start_page") or bibjson.get("start_page"))
    end = clean_text(journal.get("end_page") or bibjson.get("end_page"))
    published_on, precision = make_date(bibjson.get("year"), bibjson.get("month"))
    licences = journal.get("license") or []
    licence, licence_url = (
        licence_fields(licences[0].get("url") or licences[0].get("type") or "")
        if licences
        else ("", "")
    )
    if licences and not licence:
        licence = clean_text(licences[0].get("type") or licences[0].get("title"))
    issns = [clean_issn(i) for i in journal.get("issns") or []]
    issn_print = clean_issn(_identifier(bibjson, "pissn"))
    issn_electronic = clean_issn(_identifier(bibjson, "eissn"))
    if not (issn_print or issn_electronic) and issns:
        issn_print, issn_electronic = assign_issns(issns)
    fulltext = next(
        (link.get("url") for link in bibjson.get("link") or [] if link.get("type") == "fulltext"),
        "",
    )
    return ArticleRecord(
        title=clean_text(bibjson.get("title")),
        authors=[_author(a) for a in bibjson.get("author") or [] if clean_text(a.get("name"))],
        journal_title=clean_text(journal.get("title")),
        publisher=clean_text(journal.get("publisher")),
        issn_print=issn_print,
        issn_electronic=issn_electronic,
        volume=clean_text(journal.get("volume")),
        issue=clean_text(journal.get("number")),
        pages=normalize_pages(f"{start}–{end}" if start and end else start),
        published_on=published_on,
        published_precision=precision,
        doi=clean_doi(_identifier(bibjson, "doi")),
        url=clean_text(fulltext),
        language=language_code(_first(journal.get("language"))),
        licence=licence,
        licence_url=licence_url,
        is_open_access=True,  # DOAJ lists open access journals only
        subjects=_keywords(bibjson),
        abstract_sections=split_abstract(bibjson.get("abstract") or ""),
    )


def parse_json(text: str) -> list[ParsedEntry]:
    """DOAJ JSON: a search answer, a list of article objects, or one article object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [ParsedEntry(label=_("DOAJ JSON"), error=_("This is not valid JSON: %s") % error)]
    if isinstance(data, dict):
        data = data["results"] if isinstance(data.get("results"), list) else [data]
    if not isinstance(data, list):
        return [ParsedEntry(label=_("DOAJ JSON"), error=_("No DOAJ article found in this JSON."))]
    entries = []
    for number, item in enumerate(data, start=1):
        label = _("DOAJ article %(number)s") % {"number": number}
        if not isinstance(item, dict) or not isinstance(item.get("bibjson"), dict):
            entries.append(ParsedEntry(label=label, error=_("This is not a DOAJ article.")))
            continue
        record = parse_article(item)
        record.label = f"{label} ({short_title(record.title)})" if record.title else label
        entries.append(ParsedEntry(label=record.label, record=record))
    return entries


def _identifier(bibjson: dict[str, Any], kind: str) -> str:
    for identifier in bibjson.get("identifier") or []:
        if str(identifier.get("type", "")).lower() == kind:
            return str(identifier.get("id") or "")
    return ""


def _author(data: dict[str, Any]) -> AuthorRecord:
    author = split_name(data.get("name") or "")
    author.orcid = clean_orcid(data.get("orcid_id") or "")
    affiliation = clean_text(data.get("affiliation"))
    author.affiliations = [affiliation] if affiliation else []
    return author


def _keywords(bibjson: dict[str, Any]) -> list[str]:
    keywords = [clean_text(k) for k in bibjson.get("keywords") or [] if clean_text(k)]
    return list(dict.fromkeys(keywords))


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


# --- The catalogue record in text form ----------------------------------------------------

# Index fields of the catalogue's DOAJ records (VuFind's Solr schema), one per line.
_FIELDS = {
    "id",
    "record_format",
    "spelling",
    "collection",
    "language",
    "format",
    "sources",
    "author",
    "author2",
    "spellingShingle",
    "author_facet",
    "author_sort",
    "title",
    "title_short",
    "title_full",
    "title_fullStr",
    "title_full_unstemmed",
    "title_sort",
    "title_sub",
    "publisher",
    "series",
    "issn",
    "publishDate",
    "description",
    "topic",
    "topic_facet",
    "url",
    "doi_str_mv",
    "work_keys_str_mv",
    "institution",
    "building",
    "container_title",
    "container_volume",
    "container_issue",
    "container_start_page",
    "_version_",
}
_FIELD_LINE = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?: (?P<value>.*))?$")
_LABEL_LINE = re.compile(r"^(?P<label>[A-Z][A-Za-z ]{1,30}):\s*(?P<value>.*)$")
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
# Where two affiliations were run together: "…CollaborativeUniversity of…".
_RUN_TOGETHER = re.compile(r"(?<=[a-z\)\]])(?=[A-Z])")


def looks_like_catalogue_text(text: str) -> bool:
    return bool(
        re.search(r"^Bibliographic Details\s*$", text, re.M)
        or re.search(r"^(?:record_format|publishDate|spelling) ", text, re.M)
    )


def parse_catalogue_text(text: str) -> list[ParsedEntry]:
    """Catalogue records in text form; several are separated by their "_version_" lines."""
    chunks, current = [], []
    for line in text.splitlines():
        current.append(line)
        if line.startswith("_version_"):
            chunks.append(current)
            current = []
    if any(line.strip() for line in current):
        chunks.append(current)
    entries = []
    for number, lines in enumerate(chunks, start=1):
        label = _("DOAJ record %(number)s") % {"number": number}
        record = _parse_catalogue_record(lines)
        if record is None:
            entries.append(ParsedEntry(label=label, error=_("No DOAJ catalogue record found.")))
            continue
        record.label = f"{label} ({short_title(record.title)})" if record.title else label
        entries.append(ParsedEntry(label=record.label, record=record))
    return entries


def _parse_catalogue_record(lines: list[str]) -> ArticleRecord | None:
    labels, fields = _read_catalogue_lines(lines)
    if not fields and not labels:
        return None
    first_line = next((line.strip() for line in lines if line.strip()), "")
    title = _one(fields, "title") or _one(fields, "title_full") or first_line
    authors = [split_name(name) for name in fields.get("author", []) if clean_text(name)]
    if not authors and labels.get("Main Authors"):
        authors = [split_name(n) for n in labels["Main Authors"].split(",") if clean_text(n)]
    description = _one(fields, "description")
    published = labels.get("Published", "")
    published_on, precision = parse_date(_one(fields, "publishDate") or published[-10:])
    url = _one(fields, "url") or labels.get("Online Access", "")
    spelling = _one(fields, "spelling")
    record = ArticleRecord(
        title=title,
        authors=authors,
        journal_title=_one(fields, "series") or labels.get("Series", ""),
        publisher=_one(fields, "publisher") or published[:-10].strip(),
        published_on=published_on,
        published_precision=precision,
        doi=_catalogue_doi(fields, spelling, title, url),
        url=url,
        language=language_code(_one(fields, "language") or labels.get("Language", "")),
        is_open_access=True,
        subjects=list(dict.fromkeys(clean_text(t) for t in fields.get("topic", []) if t.strip())),
        abstract_sections=split_abstract(description),
    )
    issns = [clean_issn(i) for i in fields.get("issn", []) if i.strip()]
    record.issn_print, record.issn_electronic = assign_issns(issns)
    assigned = _assign_affiliations(record.authors, spelling, description)
    if not assigned and spelling and record.authors:
        record.notes.append(_("The authors’ affiliations could not be told apart in this record."))
    return record


def _read_catalogue_lines(lines: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The display part's labelled lines, and the index fields (each a list of values)."""
    labels: dict[str, str] = {}
    fields: dict[str, list[str]] = {}
    key = None
    for raw in lines:
        line = raw.rstrip()
        match = _FIELD_LINE.match(line)
        if match and match.group("key") in _FIELDS:
            key = match.group("key")
            fields.setdefault(key, []).append(match.group("value") or "")
            continue
        if key is not None:
            if line.strip():
                fields[key].append(line.strip())
            continue
        label = _LABEL_LINE.match(line)
        if label:
            labels[label.group("label")] = clean_text(label.group("value"))
    return labels, fields


def _one(fields: dict[str, list[str]], key: str) -> str:
    values = fields.get(key) or [""]
    return clean_text(values[0])


def _catalogue_doi(fields: dict[str, list[str]], spelling: str, title: str, url: str) -> str:
    """The DOI: its own field if present, else where the "spelling" line runs it into the title."""
    if _one(fields, "doi_str_mv"):
        return clean_doi(_one(fields, "doi_str_mv"))
    if spelling and title:
        match = re.search(r"(10\.\d{4,9}/\S+?)" + re.escape(title), spelling)
        if match:
            return clean_doi(match.group(1))
    match = _DOI_IN_TEXT.search(url)
    return clean_doi(match.group(0)) if match else ""


def _assign_affiliations(authors: list[AuthorRecord], spelling: str, description: str) -> bool:
    """
    Read the authors' affiliations from the "spelling" line, when that can be done safely.

    That line runs every field together; after the title come the authors, each followed
    by its index ("Bianca Albers0Allison Metz1Katie Burke2"), then each author's
    affiliation, also run together ("European Implementation CollaborativeUniversity of
    North Carolina at Chapel HillCentre for Effective Services"), then the abstract. The
    affiliations are split where a lower-case letter meets a capital; the split is used
    only when it yields exactly one affiliation per author, so a name such as "McMaster"
    (which would split wrongly) leaves all affiliations empty rather than wrong.
    """
    if not authors or not spelling:
        return False
    names = "".join(f"{author.full_name}{index}" for index, author in enumerate(authors))
    start = spelling.find(names)
    if start < 0:
        return False
    rest = spelling[start + len(names) :]
    end = rest.find(description[:40]) if description else -1
    if end < 0:
        return False
    blob = rest[:end].strip()
    if not blob:
        return True  # the record has no affiliations: nothing to tell apart
    parts = [clean_text(part) for part in _RUN_TOGETHER.split(blob)]
    if len(parts) != len(authors) or not all(parts):
        return False
    for author, affiliation in zip(authors, parts, strict=True):
        author.affiliations = [affiliation]
    return True
