"""Paper pages and their citation downloads."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from . import citations
from .models import Article


@require_safe
def article_detail(request, slug):
    """A paper's bibliographic record and abstract, with the discussions about it."""
    article = get_object_or_404(Article.objects.select_related("journal"), slug=slug)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "authors": list(article.authors.all()),
            "abstract_sections": list(article.abstract_sections.all()),
            "subjects": list(article.subjects.all()),
            "discussions": list(
                # The discussions app's rules, reached through the relation it declares.
                article.discussions.published().newest_first()
            ),
        },
    )


@require_safe
def article_cite(request, slug, fmt):
    """The paper's citation as a BibTeX, RIS or CSL-JSON download."""
    citation_format = citation_format_or_404(fmt)
    article = get_object_or_404(
        Article.objects.select_related("journal").prefetch_related(
            "authors", "abstract_sections", "subjects"
        ),
        slug=slug,
    )
    record = citations.record_from_article(article)
    return citation_download(
        citation_format.article(record), citation_format=citation_format, stem=article.slug
    )


def citation_format_or_404(fmt: str) -> citations.CitationFormat:
    try:
        return citations.FORMATS[fmt]
    except KeyError:
        raise Http404 from None


def citation_download(
    content: str, *, citation_format: citations.CitationFormat, stem: str
) -> HttpResponse:
    """A citation file as an attachment named after the page ("albers-2020-….bib")."""
    response = HttpResponse(content, content_type=citation_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{citation_format.extension}"'
    return response
