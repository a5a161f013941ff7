"""
Citation tags for paper and discussion pages.

Each tag takes the lists the page's view has already fetched (``authors``, ``subjects``),
so citing costs no query, however many authors a paper has.
"""

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from .. import citations

register = template.Library()


def _record(article, authors, subjects=()):
    return citations.record_from_article(
        article, authors=authors, abstract_sections=(), subjects=subjects
    )


@register.simple_tag
def apa_reference(article, authors) -> SafeString:
    """The paper's APA 7th edition reference, as HTML."""
    return citations.to_apa(_record(article, authors))


@register.simple_tag(takes_context=True)
def citation_meta(context, article, authors, subjects) -> list[tuple[str, str]]:
    """Highwire ``citation_*`` (name, content) pairs for the paper's <meta> tags."""
    page_url = context["request"].build_absolute_uri(article.get_absolute_url())
    return citations.highwire_tags(_record(article, authors, subjects), page_url=page_url)


@register.simple_tag
def coins(article, authors) -> str:
    """The OpenURL KEV for the paper's COinS span (escaped into its title attribute)."""
    return citations.to_coins(_record(article, authors))


@register.simple_tag(takes_context=True)
def discussion_reference(context, discussion) -> SafeString:
    """The discussion page's APA reference, as a web page by its host."""
    url = context["request"].build_absolute_uri(discussion.get_absolute_url())
    page = citations.webpage_for_discussion(discussion, url=url, today=timezone.localdate())
    return citations.webpage_to_apa(page)


@register.simple_tag
def citation_formats() -> list[citations.CitationFormat]:
    """The downloadable formats, for the download links."""
    return list(citations.FORMATS.values())
