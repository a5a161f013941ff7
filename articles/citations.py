"""
Citations out: a stored paper (or a discussion page) in the formats people cite with.

A paper is first turned into an ``ArticleRecord`` (``record_from_article``, no queries when
its authors and subjects are passed in), then into:

* BibTeX (``to_bibtex``), RIS (``to_ris``) and CSL-JSON (``to_csl_json``) for reference
  managers; each reads back into the same record through ``articles.sources``, which is
  how they are tested;
* an APA 7th edition reference as HTML (``to_apa``);
* Highwire Press ``citation_*`` meta tags (``highwire_tags``) and a COinS OpenURL
  (``to_coins``), which Zotero's browser connector and Google Scholar read from the page.

A discussion is cited as a web page: its host as author, the club as the site, the date
it opened (``WebPage``, ``webpage_for_discussion`` and the ``webpage_to_*`` functions).
"""

import datetime
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import rispy
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .records import (
    DAY,
    MONTH,
    YEAR,
    ArticleRecord,
    AuthorRecord,
    date_parts,
    format_date,
    language_name,
)

SITE_NAME = "Journal Club"


def record_from_article(
    article,
    *,
    authors: Iterable | None = None,
    abstract_sections: Iterable | None = None,
    subjects: Iterable | None = None,
) -> ArticleRecord:
    """
    A stored paper as a record. Pass the authors, sections and subjects a view has already
    fetched to avoid queries; left out, they are read from the paper (or its prefetch cache).
    """
    journal = article.journal
    authors = article.authors.all() if authors is None else authors
    sections = article.abstract_sections.all() if abstract_sections is None else abstract_sections
    subjects = article.subjects.all() if subjects is None else subjects
    return ArticleRecord(
        title=article.title,
        authors=[
            AuthorRecord(
                family=author.family_name,
                given=author.given_name,
                orcid=author.orcid,
                affiliations=author.affiliation_list,
            )
            for author in authors
        ],
        journal_title=journal.title if journal else "",
        publisher=journal.publisher if journal else "",
        issn_print=journal.issn_print if journal else "",
        issn_electronic=journal.issn_electronic if journal else "",
        volume=article.volume,
        issue=article.issue,
        article_number=article.article_number,
        pages=article.pages,
        published_on=article.published_on,
        published_precision=article.published_precision,
        doi=article.doi or "",
        url=article.url,
        language=article.language,
        licence=article.licence,
        licence_url=article.licence_url,
        is_open_access=article.is_open_access,
        subjects=[subject.name for subject in subjects],
        abstract_sections=[(section.heading, section.body) for section in sections],
        label=article.slug,
    )


def citation_key(record: ArticleRecord) -> str:
    """ "albers2020implementation": first author, year, first significant title word."""
    family = slugify(record.authors[0].family).replace("-", "") if record.authors else ""
    words = [w for w in slugify(record.title).split("-") if len(w) > 3]
    key = f"{family}{record.year or ''}{words[0] if words else ''}"
    return key or "paper"


# --- BibTeX -----------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]")
_BIBTEX_MONTHS = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]


def _tex(value: str) -> str:
    """Escape LaTeX's special characters; Unicode stays (biber and Zotero read UTF-8)."""
    escaped = _BIBTEX_SPECIAL_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group(0)], value)
    return escaped.replace("--", "-{}-")  # a literal double hyphen, not an en dash


def _bibtex_name(author: AuthorRecord) -> str:
    family = _tex(author.family)
    if not author.given:
        return "{" + family + "}"  # an organisation: never split into first and last names
    if "," in author.family or " and " in author.family:
        family = "{" + family + "}"
    return f"{family}, {_tex(author.given)}"


def _bibtex_entry(kind: str, key: str, fields: list[tuple[str, str, bool]]) -> str:
    """``fields`` are (name, value, is_macro); empty values are left out."""
    lines = [f"@{kind}{{{key},"]
    for name, value, is_macro in fields:
        if value:
            lines.append(f"  {name} = {value if is_macro else '{' + value + '}'},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_bibtex(record: ArticleRecord) -> str:
    """A BibTeX entry (@article) that BibTeX, biber, Zotero and JabRef all read."""
    month = ""
    if record.published_on and record.published_precision in (MONTH, DAY):
        month = _BIBTEX_MONTHS[record.published_on.month - 1]
    fields = [
        ("author", " and ".join(_bibtex_name(a) for a in record.authors), False),
        ("title", _tex(record.title), False),
        ("journal", _tex(record.journal_title), False),
        ("publisher", _tex(record.publisher), False),
        ("year", str(record.year or ""), False),
        ("month", month, True),
        ("date", format_date(record.published_on, record.published_precision), False),
        ("volume", _tex(record.volume), False),
        ("number", _tex(record.issue), False),
        ("eid", _tex(record.article_number), False),
        ("pages", _tex(record.pages).replace("–", "--"), False),
        ("issn", ", ".join(record.issns), False),
        ("doi", record.doi, False),
        ("url", record.url, False),
        ("langid", language_name(record.language).lower(), False),
        ("keywords", _tex(", ".join(record.subjects)), False),
        ("abstract", _tex(record.abstract_text), False),
        # A licence's URL names a Creative Commons licence exactly; else its name.
        ("copyright", _tex(record.licence_url or record.licence), False),
    ]
    kind = "article" if record.journal_title else "misc"
    return _bibtex_entry(kind, citation_key(record), fields)


# --- RIS --------------------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record."""

    def set_header(self, count: int) -> str:
        return ""


def _ris(reference: dict) -> str:
    reference = {key: value for key, value in reference.items() if value}
    return rispy.dumps(
        [reference], implementation=_RisWriter, list_tags=[*rispy.LIST_TYPE_TAGS, "SN"]
    )


def to_ris(record: ArticleRecord) -> str:
    """A RIS record (TY JOUR) as EndNote, Zotero, Mendeley and RefWorks read it."""
    precision_date = {
        YEAR: "%Y///",
        MONTH: "%Y/%m//",
        DAY: "%Y/%m/%d/",
    }[record.published_precision]
    return _ris(
        {
            "type_of_reference": "JOUR",
            "authors": [f"{a.family}, {a.given}" if a.given else a.family for a in record.authors],
            "title": record.title,
            "secondary_title": record.journal_title,
            "publisher": record.publisher,
            "issn": record.issns,
            "volume": record.volume,
            "number": record.issue,
            "start_page": record.first_page,
            "end_page": record.last_page,
            "custom7": record.article_number,  # C7: the article number, as EndNote has it
            "year": str(record.year or ""),
            "date": record.published_on.strftime(precision_date) if record.published_on else "",
            "doi": record.doi,
            "urls": [record.url] if record.url else [],
            "language": record.language,
            "keywords": record.subjects,
            # RIS is line-based: the sections go on one line, "Heading: text" each.
            "abstract": " ".join(record.abstract_text.split()),
        }
    )


# --- CSL-JSON ---------------------------------------------------------------------------------


def csl_item(record: ArticleRecord) -> dict:
    """A CSL-JSON item; authors carry "ORCID" and "affiliation" as Crossref's CSL-JSON does."""
    authors = []
    for author in record.authors:
        name: dict = {"family": author.family}
        if author.given:
            name["given"] = author.given
        else:
            name = {"literal": author.family}
        if author.orcid:
            name["ORCID"] = f"https://orcid.org/{author.orcid}"
        if author.affiliations:
            name["affiliation"] = [{"name": affiliation} for affiliation in author.affiliations]
        authors.append(name)
    item = {
        "id": citation_key(record),
        "type": "article-journal",
        "title": record.title,
        "author": authors,
        "container-title": record.journal_title,
        "publisher": record.publisher,
        "ISSN": ", ".join(record.issns),
        "volume": record.volume,
        "issue": record.issue,
        "number": record.article_number,
        "page": record.pages.replace("–", "-"),
        "issued": (
            {"date-parts": [date_parts(record.published_on, record.published_precision)]}
            if record.published_on
            else None
        ),
        "DOI": record.doi,
        "URL": record.url,
        "language": record.language,
        "license": record.licence_url or record.licence,
        "keyword": ", ".join(record.subjects),
        "abstract": record.abstract_text,
    }
    return {key: value for key, value in item.items() if value}


def to_csl_json(record: ArticleRecord) -> str:
    """A CSL-JSON document: a list with one item, as citeproc and Zotero expect."""
    return json.dumps([csl_item(record)], ensure_ascii=False, indent=2) + "\n"


# --- APA 7th edition --------------------------------------------------------------------------


def apa_name(author: AuthorRecord) -> str:
    """ "Albers, B."; "Lee, J.-Y." for hyphenated given names; an organisation as it is."""
    initials = " ".join(
        "-".join(f"{part[0]}." for part in word.split("-") if part)
        for word in author.given.replace(".", " ").split()
    )
    return f"{author.family}, {initials}" if initials else author.family


def apa_authors(names: list[str]) -> str:
    """APA 7 author list: "A, & B"; up to 20 names; past 20, the first 19, ". . .", the last."""
    if len(names) <= 1:
        return names[0] if names else ""
    if len(names) > 20:
        return ", ".join(names[:19]) + ", . . . " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _sentence(text: str) -> str:
    """The text ending with a full stop, unless it ends with one already (or ? or !)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def to_apa(record: ArticleRecord) -> SafeString:
    """
    The APA 7th edition reference, as HTML: journal and volume in italics, the DOI (else
    the link) as a URL. "Article 368" for an article number; "(n.d.)" without a date.
    """
    year = f"({record.year})." if record.year else _("(n.d.).")
    title = conditional_escape(_sentence(record.title))
    authors = apa_authors([apa_name(a) for a in record.authors])
    if authors:
        parts = [format_html("{} {} {}", _sentence(authors), year, title)]
    else:
        # No author: the title moves into the author's place, before the date.
        parts = [format_html("{} {}", title, year)]
    if record.journal_title:
        source = format_html("<i>{}</i>", record.journal_title)
        if record.volume:
            source = format_html("{}, <i>{}</i>", source, record.volume)
            if record.issue:
                source = format_html("{}({})", source, record.issue)
        if record.article_number:
            source = format_html("{}, {}", source, _("Article %s") % record.article_number)
        elif record.pages:
            source = format_html("{}, {}", source, record.pages)
        parts.append(format_html("{}.", source))
    link = f"https://doi.org/{record.doi}" if record.doi else record.url
    if link:
        parts.append(format_html('<a href="{}">{}</a>', link, link))
    return format_html(" ".join(["{}"] * len(parts)), *parts)


# --- Metadata for reference managers ----------------------------------------------------------


def highwire_tags(record: ArticleRecord, *, page_url: str) -> list[tuple[str, str]]:
    """
    Highwire Press ``citation_*`` meta tags as (name, content) pairs, in order: each
    author's institutions and ORCID iD follow that author, as Google Scholar asks.
    """
    tags = [("citation_title", record.title)]
    for author in record.authors:
        tags.append(
            (
                "citation_author",
                f"{author.family}, {author.given}" if author.given else author.family,
            )
        )
        tags.extend(("citation_author_institution", a) for a in author.affiliations)
        if author.orcid:
            tags.append(("citation_author_orcid", f"https://orcid.org/{author.orcid}"))
    first_page, last_page = record.first_page, record.last_page
    tags += [
        (
            "citation_publication_date",
            format_date(record.published_on, record.published_precision, "/"),
        ),
        ("citation_journal_title", record.journal_title),
        ("citation_publisher", record.publisher),
        *(("citation_issn", issn) for issn in record.issns),
        ("citation_volume", record.volume),
        ("citation_issue", record.issue),
        # Publishers of article-numbered journals (BMC, PLOS) put the number in firstpage.
        ("citation_firstpage", first_page or record.article_number),
        ("citation_lastpage", last_page),
        ("citation_doi", record.doi),
        ("citation_abstract_html_url", page_url),
        ("citation_fulltext_html_url", record.url),
        ("citation_language", record.language),
        *(("citation_keywords", subject) for subject in record.subjects),
    ]
    return [(name, content) for name, content in tags if content]


def to_coins(record: ArticleRecord) -> str:
    """The OpenURL 1.0 KEV for a COinS span (``<span class="Z3988" title="…">``)."""
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rfr_id", "info:sid/journal-club"),
    ]
    if record.doi:
        pairs.append(("rft_id", f"info:doi/{record.doi}"))
    if record.url:
        pairs.append(("rft_id", record.url))
    pairs += [
        ("rft.genre", "article"),
        ("rft.atitle", record.title),
        ("rft.jtitle", record.journal_title),
        ("rft.date", format_date(record.published_on, record.published_precision)),
        ("rft.volume", record.volume),
        ("rft.issue", record.issue),
        ("rft.spage", record.first_page),
        ("rft.epage", record.last_page),
        ("rft.artnum", record.article_number),
        ("rft.issn", record.issn_print),
        ("rft.eissn", record.issn_electronic),
        ("rft.pub", record.publisher),
    ]
    if record.authors:
        first = record.authors[0]
        pairs += [("rft.aulast", first.family), ("rft.aufirst", first.given)]
    pairs += [("rft.au", f"{a.family}, {a.given}" if a.given else a.family) for a in record.authors]
    return urlencode([(key, value) for key, value in pairs if value], quote_via=quote)


# --- A discussion, cited as a web page --------------------------------------------------------


@dataclass
class WebPage:
    """A page of this site to cite: a discussion, by its host, on the club's site."""

    key: str
    title: str
    author: str
    published_on: datetime.date | None
    url: str
    accessed: datetime.date
    site_name: str = SITE_NAME


def webpage_for_discussion(discussion, *, url: str, today: datetime.date) -> WebPage:
    """A discussion (with its paper and host loaded) as a web page at ``url``."""
    opened = timezone.localdate(discussion.opens_at) if discussion.opens_at else None
    return WebPage(
        key=discussion.slug,
        title=_("Discussion of “%(title)s”") % {"title": discussion.article.title},
        author=discussion.host.name,
        published_on=opened,
        url=url,
        accessed=today,
    )


def webpage_to_apa(page: WebPage) -> SafeString:
    """APA 7 for a page on a website: Author. (Year, Month Day). *Title* [Description]. Site. URL"""
    date = dateformat.format(page.published_on, "Y, F j") if page.published_on else _("n.d.")
    return format_html(
        '{} ({}). <i>{}</i> [{}]. {}. <a href="{}">{}</a>',
        _sentence(page.author),
        date,
        page.title,
        _("Journal club discussion"),
        page.site_name,
        page.url,
        page.url,
    )


def webpage_to_bibtex(page: WebPage) -> str:
    opened = page.published_on
    fields = [
        ("author", "{" + _tex(page.author) + "}", False),
        ("title", _tex(page.title), False),
        ("howpublished", _tex(page.site_name), False),
        ("organization", _tex(page.site_name), False),
        ("year", str(opened.year) if opened else "", False),
        ("month", _BIBTEX_MONTHS[opened.month - 1] if opened else "", True),
        ("date", opened.isoformat() if opened else "", False),
        ("url", page.url, False),
        ("urldate", page.accessed.isoformat(), False),
        ("note", _tex(_("Journal club discussion")), False),
    ]
    return _bibtex_entry("misc", page.key, fields)


def webpage_to_ris(page: WebPage) -> str:
    opened = page.published_on
    return _ris(
        {
            "type_of_reference": "ELEC",
            "authors": [page.author],
            "title": page.title,
            "secondary_title": page.site_name,
            "publisher": page.site_name,
            "year": str(opened.year) if opened else "",
            "date": opened.strftime("%Y/%m/%d/") if opened else "",
            "urls": [page.url],
            "access_date": page.accessed.strftime("%Y/%m/%d/"),
            "type_of_work": _("Journal club discussion"),
        }
    )


def webpage_to_csl_json(page: WebPage) -> str:
    item = {
        "id": page.key,
        "type": "webpage",
        "title": page.title,
        "author": [{"literal": page.author}],
        "container-title": page.site_name,
        "genre": _("Journal club discussion"),
        "issued": (
            {"date-parts": [date_parts(page.published_on, DAY)]} if page.published_on else None
        ),
        "URL": page.url,
        "accessed": {"date-parts": [date_parts(page.accessed, DAY)]},
    }
    item = {key: value for key, value in item.items() if value}
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# --- Downloads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitationFormat:
    """A downloadable citation format: its file extension, content type and writers."""

    extension: str
    name: str
    content_type: str
    article: Callable[[ArticleRecord], str]
    webpage: Callable[[WebPage], str]


FORMATS = {
    "bib": CitationFormat(
        "bib", "BibTeX", "application/x-bibtex; charset=utf-8", to_bibtex, webpage_to_bibtex
    ),
    "ris": CitationFormat(
        "ris",
        "RIS",
        "application/x-research-info-systems; charset=utf-8",
        to_ris,
        webpage_to_ris,
    ),
    "json": CitationFormat(
        "json",
        "CSL-JSON",
        "application/vnd.citationstyles.csl+json",
        to_csl_json,
        webpage_to_csl_json,
    ),
}
