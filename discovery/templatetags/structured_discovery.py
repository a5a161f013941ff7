"""
The browse and search pages in schema.org JSON-LD: each a ``CollectionPage`` (a
``SearchResultsPage`` for a search) whose ``mainEntity`` is the list it shows, built from
what the page already read (papers come with their authors and subjects prefetched).
"""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from articles.structured import ORCID, periodical, scholarly_article
from core.structured import base_url, compact, item_list, script, web_page

from ..authors import is_orcid_key
from ..models import SearchEntry

register = template.Library()


def _get(item, name: str):
    """A field of a row, whether the listing gives model instances or dicts."""
    return item[name] if isinstance(item, dict) else getattr(item, name)


def _page_start(page, items) -> int:
    return page.start_index() if items and hasattr(page, "start_index") else 1


@register.simple_tag(takes_context=True)
def papers_json_ld(
    context, page, subject=None, journal=None, author_name: str = "", author_key: str = ""
) -> SafeString:
    """
    A page of papers (a subject's, a journal's, an author's), as ``ScholarlyArticle``s,
    and what the page is about: the subject, the journal (``Periodical``) or the author.
    """
    request = context.get("request")
    base = base_url(request)
    papers = [
        scholarly_article(
            article,
            base=base,
            authors=list(article.authors.all()),
            subjects=list(article.subjects.all()),
        )
        for article in page.object_list
    ]
    about = None
    if subject is not None:
        about = {"@type": "Thing", "name": subject.name}
    elif journal is not None:
        about = periodical(journal)
    elif author_name:
        about = compact(
            {
                "@type": "Person",
                "name": author_name,
                "sameAs": ORCID + author_key if is_orcid_key(author_key) else None,
            }
        )
    return script(
        web_page(
            request,
            type="CollectionPage",
            name=context.get("meta_title", ""),
            about=about,
            mainEntity=item_list(papers, start=_page_start(page, papers)),
        )
    )


# What each index lists: (schema.org type, URL name, the row's key for the URL, its name).
INDEXES = {
    "subjects": ("Thing", "discovery:subject", "slug", "name"),
    "authors": ("Person", "discovery:author", "key", "name"),
    "journals": ("Periodical", "discovery:journal", "slug", "title"),
    "years": ("CollectionPage", "discovery:year", "year", "year"),
}


@register.simple_tag(takes_context=True)
def index_json_ld(context, page, kind: str, name: str = "") -> SafeString:
    """An index (subjects, authors, journals, years): its entries, each named and linked."""
    request = context.get("request")
    base = base_url(request)
    schema_type, url_name, key, label = INDEXES[kind]
    rows = page.object_list if hasattr(page, "object_list") else page
    entries = [
        {
            "@type": schema_type,
            "name": str(_get(row, label)),
            "url": base + reverse(url_name, args=[_get(row, key)]),
        }
        for row in rows
    ]
    return script(
        web_page(
            request,
            type="CollectionPage",
            name=name or context.get("meta_title", ""),
            mainEntity=item_list(entries, start=_page_start(page, entries)),
        )
    )


def _result(entry, base: str) -> dict:
    """A search result, as what it leads to: a paper, a host's commentary, a comment."""
    if entry.kind == SearchEntry.Kind.PAPER:
        return {
            "@type": "ScholarlyArticle",
            "name": entry.article.title,
            "url": base + entry.article.get_absolute_url(),
        }
    if entry.kind == SearchEntry.Kind.COMMENTARY:
        return {
            "@type": "DiscussionForumPosting",
            "headline": entry.article.title,
            "url": base + entry.discussion.get_absolute_url(),
        }
    return {
        "@type": "Comment",
        "name": entry.article.title,
        "url": base + reverse("discussions:comment", kwargs={"pk": entry.comment_id}),
    }


@register.simple_tag(takes_context=True)
def search_json_ld(context, results) -> SafeString:
    """The search page (``SearchResultsPage``): the results it shows, in their order."""
    request = context.get("request")
    base = base_url(request)
    found = [
        _result(result.entry, base)
        for section in (results.sections if results else ())
        for result in section.results
    ]
    return script(
        web_page(
            request,
            type="SearchResultsPage",
            name=context.get("meta_title", ""),
            mainEntity=item_list(found) if results else None,
        )
    )
