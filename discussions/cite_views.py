"""
A discussion page's citation downloads: the discussion cited as a web page.

Kept apart from ``views.py`` because citing belongs with the papers' citation formats
(``articles.citations``); this module only finds the discussion and answers with a file.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles import citations
from articles.views import citation_download, citation_format_or_404

from .models import Discussion


@require_safe
def discussion_cite(request, slug, fmt):
    """The discussion as a web page citation (BibTeX, RIS or CSL-JSON); drafts 404 but for staff."""
    citation_format = citation_format_or_404(fmt)
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related("article", "host"), slug=slug
    )
    # Published proceedings are cited by their DOI, in place of the page's address (APA 7).
    if discussion.doi:
        url = f"https://doi.org/{discussion.doi}"
    else:
        url = request.build_absolute_uri(discussion.get_absolute_url())
    page = citations.webpage_for_discussion(discussion, url=url, today=timezone.localdate())
    return citation_download(
        citation_format.webpage(page), citation_format=citation_format, stem=discussion.slug
    )
