"""
Where bibliographic records come from: metadata services and pasted or uploaded files.

* ``lookup_doi(doi)`` asks Crossref for a DOI and, when Crossref has no abstract, DOAJ;
* ``parse_records(text, format=…)`` reads BibTeX, RIS, CSL-JSON, Crossref JSON, DOAJ JSON
  or DOAJ catalogue text (detected when ``format`` is "auto") into ``ParsedEntry`` items,
  one per record, each a record or the reason it could not be read.
"""

import json

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..records import ArticleRecord, ParsedEntry
from . import bibtex, crossref, csl, doaj, ris
from .http import RecordNotFound, ServiceUnavailable, SourceError

__all__ = [
    "FORMAT_CHOICES",
    "RecordNotFound",
    "ServiceUnavailable",
    "SourceError",
    "detect_format",
    "lookup_doi",
    "parse_records",
]

FORMAT_CHOICES = [
    ("auto", gettext_lazy("Detect automatically")),
    ("bibtex", gettext_lazy("BibTeX / BibLaTeX")),
    ("ris", gettext_lazy("RIS")),
    ("csl-json", gettext_lazy("CSL-JSON")),
    ("crossref-json", gettext_lazy("Crossref JSON")),
    ("doaj-json", gettext_lazy("DOAJ JSON")),
    ("doaj-text", gettext_lazy("DOAJ catalogue record (text)")),
]
_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris"}


def lookup_doi(doi: str, *, transport: httpx.BaseTransport | None = None) -> ArticleRecord:
    """
    The record of a normalised DOI from Crossref, with DOAJ's abstract (and keywords) if
    Crossref has none.

    Raises RecordNotFound or ServiceUnavailable (from Crossref). DOAJ is only a supplement:
    if it cannot be reached the Crossref record is returned with a note saying so.
    """
    record = crossref.parse_work(crossref.fetch_work(doi, transport=transport))
    if not record.abstract_sections:
        try:
            article = doaj.fetch_article(doi, transport=transport)
        except SourceError as error:
            record.notes.append(
                _("Crossref has no abstract for this paper, and DOAJ could not be asked: %s")
                % error
            )
        else:
            from_doaj = doaj.parse_article(article) if article else None
            if from_doaj and from_doaj.abstract_sections:
                record.abstract_sections = from_doaj.abstract_sections
                record.notes.append(_("The abstract comes from DOAJ (Crossref has none)."))
            else:
                record.notes.append(_("Neither Crossref nor DOAJ has an abstract for this paper."))
            if from_doaj and from_doaj.subjects and not record.subjects:
                record.subjects = from_doaj.subjects
                record.notes.append(_("The keywords come from DOAJ (Crossref has none)."))
    record.label = record.doi
    return record


def detect_format(text: str, filename: str = "") -> str:
    """The format of an input, from the file name's extension or else from its content."""
    extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return "csl-json"  # reported as invalid JSON by the parser
        return _json_format(data)
    if ris.looks_like_ris(text):
        return "ris"
    if doaj.looks_like_catalogue_text(text):
        return "doaj-text"
    if stripped.startswith("@") or "\n@" in stripped:
        return "bibtex"
    return ""


def _json_format(data) -> str:
    if isinstance(data, dict) and data.get("message-type") == "work":
        return "crossref-json"
    items = data.get("results", [data]) if isinstance(data, dict) else data
    if (
        isinstance(items, list)
        and items
        and all(isinstance(i, dict) and "bibjson" in i for i in items)
    ):
        return "doaj-json"
    return "csl-json"


_PARSERS = {
    "bibtex": bibtex.parse,
    "ris": ris.parse,
    "csl-json": csl.parse_json,
    "crossref-json": crossref.parse_json,
    "doaj-json": doaj.parse_json,
    "doaj-text": doaj.parse_catalogue_text,
}


def parse_records(text: str, *, fmt: str = "auto", filename: str = "") -> list[ParsedEntry]:
    """Read every record in ``text``; ``fmt`` is one of FORMAT_CHOICES' keys."""
    if fmt == "auto":
        fmt = detect_format(text, filename)
    if fmt in _PARSERS:
        return _PARSERS[fmt](text)
    return [
        ParsedEntry(
            label=filename or _("The input"),
            error=_(
                "Could not tell the format. Paste BibTeX, RIS, CSL-JSON, DOAJ JSON or a "
                "DOAJ catalogue record, or choose the format."
            ),
        )
    ]
