"""
Finding things: the search page, the browse pages, robots.txt.

Every list is paginated; a page number past the end shows the last page, and anything
that is not a number shows the first.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.models import Journal, Subject

from . import browse, results
from .authors import is_orcid_key
from .forms import SearchForm

PAPERS_PER_PAGE = 20
INDEX_PER_PAGE = 50
DISCUSSIONS_PER_PAGE = 20


@require_safe
def search(request):
    """
    Search papers, host commentaries and comments, as the reader: a member also finds what
    their private clubs discuss. Results grouped by kind.
    """
    form = SearchForm(request.GET)
    text = form.value("q")
    found = None
    if text:
        found = results.search(
            text=text,
            reader=request.user,
            kind=form.value("kind"),
            subject=form.value("subject"),
            year=form.value("year"),
            status=form.value("status"),
            page_number=request.GET.get("page"),
        )
    return render(
        request,
        "discovery/search_results.html",
        {
            "form": form,
            "search_query": text,
            "results": found,
            # The filters as chosen, for the menus (rendered by hand: Django's Select widget
            # renders each option through the template engine, slow for long lists).
            "selected": {
                name: str(form.value(name) or "") for name in ("kind", "subject", "year", "status")
            },
            "meta_title": _("Search: %(query)s") % {"query": text} if text else _("Search"),
        },
    )


# How many of each the browse page shows before "all subjects", "all authors", ...
BROWSE_SAMPLE = 12


@require_safe
def browse_index(request):
    """Ways to browse (subject, author, journal, year), each with its most common entries."""
    return render(
        request,
        "discovery/browse_index.html",
        {
            "subjects": browse.most_papers(browse.subjects_with_counts(), BROWSE_SAMPLE),
            "authors": browse.most_papers(browse.authors_with_counts(), BROWSE_SAMPLE),
            "journals": browse.most_papers(browse.journals_with_counts(), BROWSE_SAMPLE),
            "years": list(browse.years_with_counts()),
            "meta_title": _("Browse"),
        },
    )


@require_safe
def subject_list(request):
    """Subjects and keywords with their number of papers."""
    page = _page(request, browse.subjects_with_counts(), INDEX_PER_PAGE)
    return render(request, "discovery/subject_list.html", {"page": page})


@require_safe
def subject_detail(request, slug):
    """Papers on a subject, those the club discussed first."""
    subject = get_object_or_404(Subject, slug=slug)
    page = _page(request, browse.papers_for_browsing(subject.articles.all()))
    return render(
        request,
        "discovery/subject_detail.html",
        {
            "subject": subject,
            "page": page,
            "author_pages": browse.author_pages(page),
            "meta_title": subject.name,
        },
    )


@require_safe
def author_list(request):
    """Authors of the papers on file, by family name."""
    page = _page(request, browse.authors_with_counts(), INDEX_PER_PAGE)
    return render(request, "discovery/author_list.html", {"page": page})


@require_safe
def author_detail(request, key):
    """An author's papers (by ORCID iD, or by family name and initials), discussed first."""
    name = browse.author_name(key)
    if name is None:
        raise Http404
    page = _page(request, browse.papers_for_browsing(browse.papers_by_author(key)))
    return render(
        request,
        "discovery/author_detail.html",
        {
            "author_key": key,
            "is_orcid": is_orcid_key(key),
            "name": name,
            "page": page,
            "author_pages": browse.author_pages(page),
            "meta_title": name,
        },
    )


@require_safe
def journal_list(request):
    """Journals with their number of papers."""
    page = _page(request, browse.journals_with_counts(), INDEX_PER_PAGE)
    return render(request, "discovery/journal_list.html", {"page": page})


@require_safe
def journal_detail(request, slug):
    """Papers from one journal, those the club discussed first."""
    journal = get_object_or_404(Journal, slug=slug)
    page = _page(request, browse.papers_for_browsing(journal.articles.all()))
    return render(
        request,
        "discovery/journal_detail.html",
        {
            "journal": journal,
            "page": page,
            "author_pages": browse.author_pages(page),
            "meta_title": journal.title,
        },
    )


@require_safe
def year_list(request):
    """The archive by year: how many discussions opened each year."""
    page = _page(request, browse.years_with_counts(), INDEX_PER_PAGE)
    return render(request, "discovery/year_list.html", {"page": page})


@require_safe
def year_detail(request, year):
    """The discussions that opened in one year, newest first."""
    if not 1 <= year <= 9999:  # beyond what a date can hold
        raise Http404
    discussions = browse.discussions_of_year(year)
    if not discussions.exists():
        raise Http404
    listing = discussions.for_listing(member=request.user).newest_first()
    return render(
        request,
        "discovery/year_detail.html",
        {
            "year": year,
            "page": _page(request, listing, DISCUSSIONS_PER_PAGE),
            "meta_title": _("Discussions of %(year)s") % {"year": year},
        },
    )


@require_safe
def robots_txt(request):
    """Keep crawlers out of account, moderation and search pages; point them at the sitemap."""
    lines = [
        "User-agent: *",
        *(
            f"Disallow: {path}"
            for path in (
                "/accounts/",
                "/admin/",
                "/moderation/",
                "/notifications/",
                "/members/settings/",
                reverse("discovery:search"),
            )
        ),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('discovery:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _page(request, items, per_page: int = PAPERS_PER_PAGE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))
