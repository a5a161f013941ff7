"""
The bibliographic record in transit: what every source parses into and every export reads.

An ``ArticleRecord`` is a plain dataclass, independent of the database. Parsers
(``articles.sources``) turn Crossref, DOAJ, BibTeX, RIS and CSL-JSON into records;
``articles.services`` writes a record to the database; ``articles.citations`` turns a
stored paper back into a record and the record into each export format. Keeping one shape
in the middle means each format is written once, and round trips can be tested by
comparing records.

The small normalisers below (dates, page ranges, licences, languages, personal names) are
shared by all the parsers, so that the same paper read from two sources gives equal records.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.identifiers import normalize_doi, normalize_issn, normalize_orcid

YEAR = "year"
MONTH = "month"
DAY = "day"


@dataclass
class AuthorRecord:
    """One author in byline order; an organisation as author has only a family name."""

    family: str
    given: str = ""
    orcid: str = ""
    affiliations: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}".strip()


@dataclass
class ArticleRecord:
    """A paper's bibliographic record, as read from a source or about to be exported."""

    title: str = ""
    authors: list[AuthorRecord] = field(default_factory=list)
    journal_title: str = ""
    publisher: str = ""
    issn_print: str = ""
    issn_electronic: str = ""
    volume: str = ""
    issue: str = ""
    article_number: str = ""
    pages: str = ""
    published_on: datetime.date | None = None
    published_precision: str = DAY
    doi: str = ""
    url: str = ""
    language: str = ""
    licence: str = ""
    licence_url: str = ""
    is_open_access: bool = False
    subjects: list[str] = field(default_factory=list)
    # (heading, text) pairs in order; an unstructured abstract is one pair with heading "".
    abstract_sections: list[tuple[str, str]] = field(default_factory=list)
    # Where the record came from ("BibTeX entry albers2020, line 3"), for messages only.
    label: str = field(default="", compare=False)
    # Things a curator should know about this record (e.g. a source that could not be
    # reached); shown on review pages, never stored.
    notes: list[str] = field(default_factory=list, compare=False)

    @property
    def year(self) -> int | None:
        return self.published_on.year if self.published_on else None

    @property
    def issns(self) -> list[str]:
        return [issn for issn in (self.issn_print, self.issn_electronic) if issn]

    @property
    def first_page(self) -> str:
        return split_pages(self.pages)[0]

    @property
    def last_page(self) -> str:
        return split_pages(self.pages)[1]

    @property
    def abstract_text(self) -> str:
        """The abstract as plain text: "Heading: text" paragraphs separated by blank lines."""
        return "\n\n".join(
            f"{heading}: {body}" if heading else body for heading, body in self.abstract_sections
        )

    def problems(self) -> list[str]:
        """Why this record cannot become a paper as it stands (empty when it can)."""
        problems = []
        if not self.title.strip():
            problems.append(_("The record has no title."))
        if self.published_on is None:
            problems.append(_("The record has no publication date."))
        if self.doi:
            try:
                normalize_doi(self.doi)
            except ValidationError as error:
                problems.extend(error.messages)
        return problems


@dataclass
class ParsedEntry:
    """One record read from an input with several: either a record or the reason it failed."""

    label: str
    record: ArticleRecord | None = None
    error: str = ""


# --- Normalisers shared by the parsers ------------------------------------------------


def clean_text(value: object) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) into single spaces."""
    if value is None:
        return ""
    return " ".join(str(value).replace("\xa0", " ").split())


def short_title(title: str, length: int = 60) -> str:
    """A title cut to ``length`` characters at a word, for labels and messages."""
    if len(title) <= length:
        return title
    return title[: length - 1].rsplit(" ", 1)[0].rstrip(" –-:,;") + "…"


def clean_doi(value: str) -> str:
    """A DOI in canonical form; a value that is not a DOI is kept for problems() to report."""
    value = clean_text(value)
    if not value:
        return ""
    try:
        return normalize_doi(value)
    except ValidationError:
        return value


def clean_orcid(value: str) -> str:
    """An ORCID iD in canonical form, or "" when the source gave something invalid."""
    value = clean_text(value)
    if not value:
        return ""
    try:
        return normalize_orcid(value)
    except ValidationError:
        return ""


def clean_issn(value: str) -> str:
    """An ISSN as 1234-5678 when its check digit is right; otherwise as given."""
    value = clean_text(value)
    if not value:
        return ""
    try:
        return normalize_issn(value)
    except ValidationError:
        return value


def assign_issns(issns: list[str]) -> tuple[str, str]:
    """
    (print ISSN, electronic ISSN) from ISSNs whose kind the source does not say.

    Two are taken in the usual order, print then electronic; a lone ISSN is taken as the
    electronic one, as most journals are online today (for a print-only journal it lands
    in the other slot, which changes its label and nothing else: journals are matched on
    either ISSN). The exports write ISSNs in the same order, so round trips keep the slots.
    """
    if len(issns) == 1:
        return "", issns[0]
    return (issns[0] if issns else "", issns[1] if len(issns) > 1 else "")


_ISSN_IN_TEXT = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")


def find_issns(value: str) -> list[str]:
    """All ISSNs in a free-text field such as BibTeX's "1472-6963, 1234-5678"."""
    return [clean_issn(match) for match in _ISSN_IN_TEXT.findall(value or "")]


_RANGE = re.compile(r"^\s*([^\s\-–—]+)\s*(?:-{1,2}|–|—)\s*([^\s\-–—]+)\s*$")


def normalize_pages(value: str) -> str:
    """Page ranges with an en dash, whatever dash or double hyphen the source used."""
    value = clean_text(value)
    match = _RANGE.match(value)
    if match:
        first, last = match.groups()
        return first if first == last else f"{first}–{last}"
    return value


def split_pages(value: str) -> tuple[str, str]:
    """("1", "10") for "1–10"; ("368", "") for a single page."""
    match = _RANGE.match(value or "")
    if match:
        return match.group(1), match.group(2)
    return clean_text(value), ""


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_month(value: object) -> int | None:
    """A month number from 5, "05", "May", "may" or "May." (None when unrecognised)."""
    text = clean_text(value).strip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return _MONTHS.get(text)


def make_date(
    year: object, month: object = None, day: object = None
) -> tuple[datetime.date | None, str]:
    """A date and its precision from parts that may be missing or malformed."""
    try:
        year_number = int(str(year).strip())
    except (TypeError, ValueError):
        return None, DAY
    if not 1000 <= year_number <= 9999:
        return None, DAY
    month_number = parse_month(month) if month not in (None, "") else None
    if month_number is None:
        return datetime.date(year_number, 1, 1), YEAR
    try:
        day_number = int(str(day).strip()) if day not in (None, "") else None
        if day_number is not None:
            return datetime.date(year_number, month_number, day_number), DAY
    except ValueError:
        pass
    return datetime.date(year_number, month_number, 1), MONTH


_DATE = re.compile(r"^\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")


def parse_date(value: str) -> tuple[datetime.date | None, str]:
    """A date and its precision from "2020", "2020-05", "2020-05-01" or RIS's "2020/05/01/"."""
    match = _DATE.match(value or "")
    if not match:
        return None, DAY
    return make_date(*match.groups())


def format_date(value: datetime.date | None, precision: str, separator: str = "-") -> str:
    """The date to the precision known: "2020", "2020-05" or "2020-05-01"."""
    if value is None:
        return ""
    if precision == YEAR:
        return f"{value.year:04d}"
    if precision == MONTH:
        return f"{value.year:04d}{separator}{value.month:02d}"
    return f"{value.year:04d}{separator}{value.month:02d}{separator}{value.day:02d}"


def date_parts(value: datetime.date | None, precision: str) -> list[int]:
    """CSL-JSON and Crossref "date-parts": [2020], [2020, 5] or [2020, 5, 1]."""
    if value is None:
        return []
    return [value.year, value.month, value.day][: {YEAR: 1, MONTH: 2}.get(precision, 3)]


_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses/(?P<kind>[a-z\-]+)|publicdomain/(?P<pd>zero|mark))"
    r"/(?P<version>\d\.\d)",
    re.IGNORECASE,
)
_CC_NAME = re.compile(
    r"^CC(?:[\s-]*(?P<zero>0)|[\s-]+(?P<kind>BY(?:[\s-]+(?:NC|ND|SA))*))"
    r"(?:[\s-]+(?P<version>\d\.\d))?$"
)


def licence_name(url: str) -> str:
    """ "CC BY 4.0" for a Creative Commons licence URL, "" for anything else."""
    match = _CC_URL.search(url or "")
    if not match:
        return ""
    version = match.group("version")
    if match.group("pd"):
        return f"CC0 {version}" if match.group("pd").lower() == "zero" else "Public Domain Mark"
    return f"CC {match.group('kind').upper()} {version}"


def licence_url(name: str) -> str:
    """The Creative Commons URL for a licence written "CC BY 4.0", "CC-BY-NC-4.0" or "CC0 1.0"."""
    match = _CC_NAME.match(clean_text(name).upper())
    if not match or not match.group("version"):
        return ""
    version = match.group("version")
    if match.group("zero"):
        return f"https://creativecommons.org/publicdomain/zero/{version}/"
    kind = re.sub(r"[\s-]+", "-", match.group("kind")).lower()
    return f"https://creativecommons.org/licenses/{kind}/{version}/"


def licence_fields(value: str) -> tuple[str, str]:
    """(licence, licence_url) from a value that is either a licence's name or its URL."""
    value = clean_text(value)
    if re.match(r"^https?://", value, re.IGNORECASE):
        return licence_name(value), value
    return value, licence_url(value)


def is_open_licence(url: str, name: str = "") -> bool:
    """Creative Commons licences are open access by definition."""
    return bool(_CC_URL.search(url or "")) or clean_text(name).upper().startswith("CC")


# ISO 639-2 codes that bibliographic databases use (MARC), for the languages LANG_INFO knows.
_THREE_LETTER = {
    "eng": "en",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
    "por": "pt",
    "ita": "it",
    "dut": "nl",
    "nld": "nl",
    "swe": "sv",
    "nor": "no",
    "dan": "da",
    "fin": "fi",
    "pol": "pl",
    "rus": "ru",
    "chi": "zh-hans",
    "zho": "zh-hans",
    "jpn": "ja",
    "kor": "ko",
    "tur": "tr",
    "ara": "ar",
    "cze": "cs",
    "ces": "cs",
    "hun": "hu",
    "gre": "el",
    "ell": "el",
    "heb": "he",
}
_LANGUAGE_NAMES = {info["name"].lower(): code for code, info in LANG_INFO.items() if "name" in info}
# BibLaTeX's babel names for English.
_LANGUAGE_NAMES |= {"american": "en", "british": "en", "usenglish": "en", "ukenglish": "en"}


def language_code(value: str) -> str:
    """A language code ("en") from "en", "EN", "en-GB", "eng" or "English"; "" if unknown."""
    text = clean_text(value).lower()
    if not text:
        return ""
    if text in LANG_INFO:
        return text
    if text[:2] in LANG_INFO and (len(text) == 2 or text[2] in "-_"):
        return text[:2]
    return _THREE_LETTER.get(text) or _LANGUAGE_NAMES.get(text, "")


def language_name(code: str) -> str:
    """The English name of a language code ("en" → "English"), for formats that want names."""
    info = LANG_INFO.get(code, {})
    return info.get("name", "")


def split_name(name: str) -> AuthorRecord:
    """
    An author from one string: "Family, Given" or "Given Family".

    Without a comma the last word is taken as the family name, which is right for most
    names as DOAJ and the catalogue give them ("Bianca Albers"). Family-name particles
    ("van der Berg") are kept with the family name when written in lower case.
    """
    name = clean_text(name)
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return AuthorRecord(family=family, given=given)
    words = name.split()
    if len(words) < 2:
        return AuthorRecord(family=name)
    start = len(words) - 1
    while start > 1 and words[start - 1][:1].islower():
        start -= 1
    return AuthorRecord(family=" ".join(words[start:]), given=" ".join(words[:start]))
