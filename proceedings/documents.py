"""
A discussion's proceedings as documents a host can hand on: a print-friendly HTML page, a
PDF made from that same page (WeasyPrint, tagged for accessibility: PDF/UA-1), Markdown,
and schema.org JSON-LD. Each reads the same ``selectors.Proceedings``; each is rendered in
``language`` (its headings, labels and dates) with the discussion's texts in their own
language, marked as such.

Safety: a PDF is rendered from our own templates with our own stylesheet, and WeasyPrint
fetches nothing but our static files, read from disk (``StaticFilesOnly``): not an image a
comment names, not another site, not a ``file://`` path.

Other code calls ``render_pdf`` (a deposit of the proceedings: keep its signature).
"""

import contextlib
import gc
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils._os import safe_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.markdown import render_markdown as markdown_to_html

from . import selectors
from .selectors import CC_BY_URL, Person, Proceedings

try:
    import pydyf
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except OSError:  # WeasyPrint loads Pango from the system: without it, no PDFs (README)
    PDF_AVAILABLE = False
    URLFetcher = object  # type: ignore[assignment,misc]
else:
    PDF_AVAILABLE = True

HTML_TEMPLATE = "proceedings/proceedings.html"
MARKDOWN_TEMPLATE = "proceedings/proceedings.md"
STYLESHEET = "css/proceedings.css"


# --- The four formats ---------------------------------------------------------------------------


# Each takes the discussion, the language, and the options ``read`` passes on to
# ``selectors.proceedings``: ``syntheses_only``, ``question`` (one question's only) and
# ``licensed_only`` (only comments under the licence agreed at posting, for deposits).


def render_html(discussion, *, language: str, **options) -> str:
    """The proceedings as a standalone, print-friendly HTML page."""
    return html_of(read(discussion, language=language, **options), language=language)


def render_markdown(discussion, *, language: str, **options) -> str:
    """The proceedings as Markdown, the comments as their authors wrote them."""
    data = read(discussion, language=language, **options)
    with _rendering(language):
        text = render_to_string(MARKDOWN_TEMPLATE, _markdown_context(data))
    # The template's tags leave blank lines behind: at most one between blocks.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_jsonld(discussion, *, language: str, **options) -> dict:
    """The proceedings as schema.org JSON-LD: a Report about the paper, a part per question."""
    data = read(discussion, language=language, **options)
    with _rendering(language):
        return _jsonld(data)


def render_pdf(discussion, *, language: str, **options) -> bytes:
    """The proceedings as a tagged PDF (PDF/UA-1), from the print page."""
    pdf, _data = build_pdf(discussion, language=language, **options)
    return pdf


class TooManyComments(Exception):
    """More comments than one PDF may hold (``max_comments``)."""


def build_pdf(
    discussion, *, language: str, max_comments: int | None = None, **options
) -> tuple[bytes, Proceedings]:
    """
    ``render_pdf``, with what the PDF holds (the export counts its comments); with
    ``max_comments``, refused before the costly layout when it would hold more.
    """
    data = read(discussion, language=language, **options)
    if max_comments and data.comment_count > max_comments:
        raise TooManyComments(data.comment_count)
    return pdf_of(html_of(data, language=language, pdf=True)), data


# --- Reading and rendering ----------------------------------------------------------------------


def read(discussion, *, language: str, **options) -> Proceedings:
    """What a document shows, its links made in ``language`` (French pages under /fr/)."""
    with translation.override(language):
        return selectors.proceedings(discussion, **options)


@contextlib.contextmanager
def _rendering(language: str):
    """In the document's language, and in the site's time zone whoever asks: the same file."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        yield


def titles(data: Proceedings) -> tuple[str, str]:
    """What the document is ("Proceedings of a journal club discussion"), and its title."""
    if data.question is not None:
        kind = _("Question %(number)s of a journal club discussion") % {
            "number": data.question.number
        }
    elif data.syntheses_only:
        kind = _("Syntheses of a journal club discussion")
    else:
        kind = _("Proceedings of a journal club discussion")
    return kind, f"{data.article.title} — {kind}"


def html_of(data: Proceedings, *, language: str, pdf: bool = False, extra=None) -> str:
    """The print page's HTML (``pdf``: as WeasyPrint renders it, without the page's tools)."""
    with _rendering(language):
        context = {**html_context(data), "LANGUAGE_CODE": language, "pdf": pdf}
        return render_to_string(HTML_TEMPLATE, {**context, **(extra or {})})


def html_context(data: Proceedings) -> dict:
    """What the print page's template needs (the view adds its tools)."""
    kind, title = titles(data)
    return {
        "data": data,
        "kind": kind,
        "title": title,
        "commentary": _markdown(data.discussion.commentary, heading_level=3),
        "parts": [
            (part, _markdown(part.question.synthesis, heading_level=4)) for part in data.parts
        ],
        "authors_line": ", ".join(author.full_name for author in data.authors),
        "cc_by_url": CC_BY_URL,
        "now": timezone.now(),
        # Absolute: a file handed on finds it; WeasyPrint reads it from disk.
        "stylesheet": urljoin(settings.JOURNAL_CLUB_BASE_URL + "/", static(STYLESHEET)),
    }


def _markdown(source: str, *, heading_level: int) -> str:
    # Sanitised by render_markdown (nh3), so safe to show.
    return mark_safe(markdown_to_html(source, heading_level=heading_level)) if source else ""  # noqa: S308


# --- Markdown -------------------------------------------------------------------------------------

# What would be read as Markdown markup in a name or an affiliation (they are plain text).
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#|~!])")


def _plain(text: str) -> str:
    """Plain text (a name, a title) safe to put in Markdown: markup escaped, one line."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _quoted(text: str, prefix: str) -> str:
    """Every line of ``text`` inside ``prefix`` (nested block quotes)."""
    bare = prefix.rstrip()
    return "\n".join(f"{prefix}{line}" if line.strip() else bare for line in text.splitlines())


def _markdown_context(data: Proceedings) -> dict:
    kind, _title = titles(data)
    parts = []
    for part in data.parts:
        items = []
        for item in part.items:
            entry = item.entry
            prefix = "> " * (entry.depth + 1)
            in_reply_to = entry.in_reply_to
            items.append(
                {
                    "prefix": prefix,
                    "bare": prefix.rstrip(),
                    "name": _plain(item.author.name),
                    "pseudonymous": item.author.pseudonymous,
                    "affiliation": _plain(item.author.affiliation),
                    "created_at": item.comment.created_at,
                    "permalink": item.permalink,
                    "label": item.comment.label_display,
                    "in_reply_to": _plain(in_reply_to.author_name) if in_reply_to else "",
                    "parent_left_out": item.parent_left_out,
                    "body": _quoted(item.body.strip(), prefix),
                }
            )
        parts.append({"part": part, "text": _plain(part.question.text), "items": items})
    return {
        "data": data,
        "kind": kind,
        "title": _plain(data.article.title),
        "host_name": _plain(data.host.name),
        "host_affiliation": _plain(data.host.affiliation),
        "club_name": _plain(data.discussion.club.name),
        "journal": _plain(data.article.journal.title) if data.article.journal else "",
        "authors": [
            {
                "name": _plain(author.full_name),
                "orcid_url": author.orcid_url,
                "affiliations": _plain("; ".join(author.affiliation_list)),
            }
            for author in data.authors
        ],
        "parts": parts,
        "cc_by_url": CC_BY_URL,
    }


# --- JSON-LD ----------------------------------------------------------------------------------


def _person(person: Person) -> dict:
    """A schema.org Person: under a pseudonym, its name alone, marked as a pseudonym."""
    if person.pseudonymous:
        return {"@type": "Person", "name": _("%(name)s (pseudonym)") % {"name": person.name}}
    found = {"@type": "Person", "name": person.name}
    if person.profile_url:
        found["url"] = person.profile_url
    if person.affiliation:
        found["affiliation"] = {"@type": "Organization", "name": person.affiliation}
    if person.orcid:
        found["sameAs"] = f"https://orcid.org/{person.orcid}"
    return found


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _paper(data: Proceedings) -> dict:
    article = data.article
    paper = {
        "@type": "ScholarlyArticle",
        "name": article.title,
        "headline": article.title,
        "author": [
            {
                "@type": "Person",
                "name": author.full_name,
                **({"sameAs": author.orcid_url} if author.orcid else {}),
                **(
                    {"affiliation": [{"@type": "Organization", "name": name} for name in names]}
                    if (names := author.affiliation_list)
                    else {}
                ),
            }
            for author in data.authors
        ],
        "datePublished": article.published_on.isoformat(),
    }
    if article.content_language:
        paper["inLanguage"] = article.content_language
    if article.doi:
        paper["sameAs"] = article.doi_url
        paper["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": article.doi}
    elif article.url:
        paper["url"] = article.url
    if article.journal:
        journal = {"@type": "Periodical", "name": article.journal.title}
        if article.journal.issns:
            journal["issn"] = article.journal.issns
        if article.volume:
            journal = {
                "@type": "PublicationVolume",
                "volumeNumber": article.volume,
                "isPartOf": journal,
            }
        paper["isPartOf"] = journal
    if article.pages:
        paper["pagination"] = article.pages
    return paper


def _jsonld(data: Proceedings) -> dict:
    discussion = data.discussion
    _kind, title = titles(data)
    document = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": title,
        "headline": title,
        "url": data.parts[0].url if data.question else data.url,
        "inLanguage": discussion.language,
        "about": _paper(data),
        "author": _person(data.host),
        "publisher": {
            "@type": "Organization",
            "name": discussion.club.name,
            "url": settings.JOURNAL_CLUB_BASE_URL + discussion.club.get_absolute_url(),
        },
    }
    if discussion.opens_at:
        document["datePublished"] = _iso(discussion.opens_at)
    if discussion.opens_at and discussion.closes_at:
        document["temporalCoverage"] = f"{_iso(discussion.opens_at)}/{_iso(discussion.closes_at)}"
    if discussion.doi:
        document["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": discussion.doi,
        }
    if discussion.commentary and data.question is None:
        document["text"] = discussion.commentary
    if data.licensed_only:
        document["license"] = CC_BY_URL
    parts = []
    for part in data.parts:
        question = part.question
        found = {
            "@type": "Question",
            "position": question.number,
            "name": _("Question %(number)s") % {"number": question.number},
            "text": question.text,
            "url": part.url,
            "inLanguage": discussion.language,
        }
        if question.synthesis:
            found["abstract"] = question.synthesis
        if not data.syntheses_only:
            found["commentCount"] = len(part.items)
            found["comment"] = _comments(part)
        parts.append(found)
    document["hasPart"] = parts
    return document


def _comments(part) -> list[dict]:
    """The thread's comments, each reply inside the comment it answers (``comment``)."""
    top: list[dict] = []
    by_pk: dict[int, dict] = {}
    for item in part.items:
        row = item.comment
        comment = {
            "@type": "Comment",
            "@id": item.permalink,
            "url": item.permalink,
            "author": _person(item.author),
            "dateCreated": _iso(row.created_at),
            "inLanguage": row.language,
            "text": item.body,
            "encodingFormat": "text/markdown",
        }
        if row.edited_at:
            comment["dateModified"] = _iso(row.edited_at)
        if item.licensed:
            comment["license"] = CC_BY_URL
        by_pk[row.pk] = comment
        parent = by_pk.get(row.parent_id) if row.parent_id else None
        if parent is None:
            top.append(comment)
        else:
            parent.setdefault("comment", []).append(comment)
    return top


# --- PDF --------------------------------------------------------------------------------------


class PdfUnavailable(RuntimeError):
    """WeasyPrint could not load the system libraries it needs."""


class RefusedURL(ValueError):
    """A document asked for something WeasyPrint may not fetch."""


class StaticFilesOnly(URLFetcher):
    """
    WeasyPrint's fetcher for our documents: our static files, read from disk (collected
    ones first, else through the finders), and nothing else. Not the network, not a
    ``file://`` path, not a ``data:`` URL: whatever a comment names is refused (WeasyPrint
    then logs a warning and leaves it out).
    """

    def __init__(self):
        super().__init__(allowed_protocols=())
        static = urljoin(settings.JOURNAL_CLUB_BASE_URL + "/", settings.STATIC_URL)
        self.static = urlsplit(static)

    def fetch(self, url, headers=None):
        path = self.path_of(url)
        if path is None:
            raise RefusedURL(f"Not fetched for a document: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def path_of(self, url: str) -> Path | None:
        """The static file this URL names, on disk, or None."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (self.static.scheme, self.static.netloc):
            return None
        if not parts.path.startswith(self.static.path):
            return None
        name = unquote(parts.path.removeprefix(self.static.path))
        if not name or "\x00" in name or any(part in {"", ".", ".."} for part in name.split("/")):
            return None
        found = None
        if settings.STATIC_ROOT:
            try:
                candidate = Path(safe_join(settings.STATIC_ROOT, name))
            except ValueError:  # outside STATIC_ROOT
                return None
            found = candidate if candidate.is_file() else None
        if found is None:
            located = finders.find(name)
            found = Path(located) if isinstance(located, str) else None
        return found


def _page_references(pdf) -> tuple:
    """
    ``pydyf.PDF.page_references``, kept until a page is added. pydyf builds the tuple of
    every page's reference afresh on each read, and WeasyPrint's tagging (PDF/UA) reads it
    once per tagged element: quadratic, 25 of 70 seconds for 5,000 comments on 517 pages
    (bench/proceedings.py). The same values, built once per page added.
    """
    kids = pdf.pages["Kids"]
    kept = getattr(pdf, "_kept_page_references", None)
    if kept is None or kept[0] != len(kids):
        kept = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf._kept_page_references = kept
    return kept[1]


if PDF_AVAILABLE and isinstance(getattr(pydyf.PDF, "page_references", None), property):
    pydyf.PDF.page_references = property(_page_references)


@contextlib.contextmanager
def _without_cycle_collection():
    """
    Python's cycle collector held off while WeasyPrint lays out and writes: it makes
    millions of objects that live until the PDF is written, and each full collection walks
    them all again: a fifth of the time of a PDF of 5,000 comments, for no memory saved
    (bench/proceedings.py). Reference counting still frees everything else meanwhile; PDFs
    are built one at a time, by the worker.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pdf_of(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of our print page; title, author and language from its head."""
    if not PDF_AVAILABLE:
        raise PdfUnavailable("WeasyPrint could not load Pango from the system.")
    document = HTML(
        string=html,
        base_url=settings.JOURNAL_CLUB_BASE_URL + "/",
        url_fetcher=StaticFilesOnly(),
    )
    with _without_cycle_collection():
        return document.write_pdf(pdf_variant="pdf/ua-1")
