"""
BibTeX and BibLaTeX entries to records, with bibtexparser 2.

bibtexparser splits the input into blocks and keeps going past a broken entry (it becomes
a "failed block" with its line number), so one bad entry never hides the good ones.
Values are decoded from LaTeX to Unicode (``{\\"u}`` → ü, ``\\&`` → &, ``--`` → –) with
pylatexenc, except DOIs and URLs, whose ``~`` and ``%`` are literal. Author lists are
split on "and" outside braces before decoding, so "{World Health Organization}" stays
one author.
"""

import re
import unicodedata

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from django.utils.translation import gettext as _
from pylatexenc.latex2text import LatexNodes2Text

from ..records import (
    ArticleRecord,
    AuthorRecord,
    ParsedEntry,
    assign_issns,
    clean_doi,
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

# BibTeX's and BibLaTeX's standard entry types; anything else is reported, not guessed at.
ENTRY_TYPES = {
    "article",
    "book",
    "booklet",
    "collection",
    "conference",
    "dataset",
    "inbook",
    "incollection",
    "inproceedings",
    "manual",
    "mastersthesis",
    "misc",
    "online",
    "periodical",
    "phdthesis",
    "preprint",
    "proceedings",
    "report",
    "software",
    "techreport",
    "thesis",
    "unpublished",
    "electronic",
    "www",
}
_LATEX = LatexNodes2Text(math_mode="text", keep_comments=True, strict_latex_spaces=True)
_NEEDS_DECODING = re.compile(r"[\\{}$~]|--")

# The LaTeX found in nearly all bibliographic data, decoded without a full LaTeX parser
# (pylatexenc takes seconds per megabyte; this takes milliseconds). Anything else goes to
# pylatexenc.
_COMBINING = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_ACCENT = re.compile(
    r"\{?\\(?P<accent>[\"'`^~=.]|[uvHckr](?=[\s{]))\s*(?:\{(?P<braced>\\?[A-Za-z])\}|(?P<bare>\\?[A-Za-z]))\}?"
)
_LETTERS = {"o": "ø", "O": "Ø", "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å"}
_LETTERS |= {"AA": "Å", "l": "ł", "L": "Ł", "i": "\u0131", "j": "\u0237"}
_LETTER = re.compile(r"\{?\\(?P<letter>ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])\s*(?:\{\})?\}?")
_ESCAPED = re.compile(
    r"\\([&%$#_{}])|\\text(asciicircum|asciitilde|backslash)(?:\{\}|(?![A-Za-z]))"
)
_TEXT_SYMBOLS = {"asciicircum": "^", "asciitilde": "~", "backslash": "\\"}


def _accent(match: re.Match) -> str:
    base = match.group("braced") or match.group("bare")
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _COMBINING[match.group("accent")])


def decode(value: str) -> str:
    """LaTeX to plain Unicode text: "M{\\"u}ller" → "Müller", "\\&" → "&", "--" → "–"."""
    if not _NEEDS_DECODING.search(value):
        return value
    text = _ESCAPED.sub(lambda m: f"\x00{ord(m.group(1) or _TEXT_SYMBOLS[m.group(2)])}\x00", value)
    text = _ACCENT.sub(_accent, text)
    text = _LETTER.sub(lambda m: _LETTERS[m.group("letter")], text)
    if "\\" in text or "$" in text:
        try:
            return _LATEX.latex_to_text(value).replace("\xa0", " ")
        except Exception:  # pylatexenc raises many kinds; the raw text is better than none
            return value
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    text = text.replace("{", "").replace("}", "")
    return re.sub("\x00(\\d+)\x00", lambda m: chr(int(m.group(1))), text)


def parse(text: str) -> list[ParsedEntry]:
    """Every entry in a BibTeX text, in order: a record, or the reason it could not be read."""
    library = bibtexparser.parse_string(text)
    entries = []
    for block in library.blocks:
        if isinstance(block, model.Entry):
            entries.append(_entry(block))
        elif isinstance(block, model.DuplicateBlockKeyBlock) and block.ignore_error_block:
            entries.append(_entry(block.ignore_error_block))
        elif isinstance(block, model.ParsingFailedBlock):
            entries.append(_failure(block))
    if not entries and text.strip():
        entries.append(
            ParsedEntry(label=_("BibTeX"), error=_("No BibTeX entry (@article{…}) found."))
        )
    return entries


def _label(key: str, line: int | None) -> str:
    if line is None:
        return _("BibTeX entry %(key)s") % {"key": key}
    return _("BibTeX entry %(key)s (line %(line)s)") % {"key": key, "line": line + 1}


def _failure(block: model.ParsingFailedBlock) -> ParsedEntry:
    key_match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]*)", block.raw or "")
    key = key_match.group(1) if key_match and key_match.group(1) else "?"
    if isinstance(block, model.DuplicateFieldKeyBlock):
        reason = _("A field appears twice in this entry.")
    else:
        reason = _("Broken BibTeX syntax (an unclosed brace or quote, or a missing comma).")
    return ParsedEntry(label=_label(key, block.start_line), error=reason)


def _entry(entry: model.Entry) -> ParsedEntry:
    label = _label(entry.key, entry.start_line)
    entry_type = entry.entry_type.lower()
    if entry_type not in ENTRY_TYPES:
        return ParsedEntry(
            label=label,
            error=_("Unknown entry type @%(type)s; use @article or another standard type.")
            % {"type": entry.entry_type},
        )
    fields = {key.lower(): str(field.value) for key, field in entry.fields_dict.items()}

    def text(*names: str) -> str:
        for name in names:
            if fields.get(name, "").strip():
                return clean_text(decode(fields[name]))
        return ""

    published_on, precision = parse_date(fields.get("date", ""))
    if published_on is None:
        published_on, precision = make_date(text("year"), text("month"), text("day"))
    licence, licence_url = licence_fields(text("copyright", "license", "licence", "rights"))
    issns = find_issns(fields.get("issn", ""))
    print_issn, electronic_issn = assign_issns(issns)
    record = ArticleRecord(
        title=text("title"),
        authors=_authors(fields.get("author", "")),
        journal_title=text("journaltitle", "journal", "booktitle"),
        publisher=text("publisher", "institution", "organization", "school"),
        issn_print=print_issn,
        issn_electronic=electronic_issn,
        volume=text("volume"),
        issue=text("issue", "number") if entry_type == "article" else text("issue"),
        article_number=text("eid", "articleno", "article-number", "article_number"),
        pages=normalize_pages(text("pages")),
        published_on=published_on,
        published_precision=precision,
        doi=clean_doi(fields.get("doi", "")),
        url=clean_text(fields.get("url", "")),
        language=language_code(text("langid", "language")),
        licence=licence,
        licence_url=licence_url,
        is_open_access=is_open_licence(licence_url, licence),
        subjects=_keywords(text("keywords", "keyword")),
        abstract_sections=split_abstract(decode(fields.get("abstract", ""))),
        label=label,
    )
    return ParsedEntry(label=label, record=record)


def _authors(value: str) -> list[AuthorRecord]:
    authors = []
    for name in split_multiple_persons_names(value) if value.strip() else []:
        try:
            parts = parse_single_name_into_parts(name)
        except InvalidNameError:
            authors.append(AuthorRecord(family=clean_text(decode(name))))
            continue
        family = clean_text(decode(" ".join(parts.von + parts.last)))
        given = clean_text(decode(" ".join(parts.first)))
        jr = clean_text(decode(" ".join(parts.jr)))
        if jr:
            family = f"{family}, {jr}"
        if family:
            authors.append(AuthorRecord(family=family, given=given))
    return authors


def _keywords(value: str) -> list[str]:
    return list(dict.fromkeys(k.strip() for k in re.split(r"[,;]", value) if k.strip()))
