"""Reads for the browse pages: papers by subject, author and journal; discussions by year."""

from collections.abc import Iterable

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Coalesce, ExtractYear

from articles.models import Article, Journal, Subject
from discussions.models import Discussion

from .authors import author_key
from .models import AuthorKey


def papers_for_browsing(articles: QuerySet[Article]) -> QuerySet[Article]:
    """
    Papers as a browse page lists them: those the club discussed first, then the newest,
    with authors, subjects and published discussions in a fixed number of queries.
    """
    discussed = Discussion.objects.published().filter(article=OuterRef("pk"))
    return (
        articles.annotate(is_discussed=Exists(discussed))
        .select_related("journal")
        .prefetch_related(
            "authors",
            "subjects",
            Prefetch(
                "discussions",
                queryset=Discussion.objects.published().newest_first(),
                to_attr="published_discussions",
            ),
        )
        .order_by("-is_discussed", "-published_on", "title", "pk")
    )


# Authors named in a list of papers or search results; more are "et al."
AUTHORS_SHOWN = 5


def author_pages(articles: Iterable[Article]) -> frozenset[str]:
    """
    The keys with an author page among those of the authors these papers name in a list
    (prefetched), in one query: what ``author_links`` may link to. A paper's authors have
    their page once the index has filed them (see ``discovery.authors``); until then
    they are named without a link.
    """
    keys = {
        author_key(family_name=author.family_name, given_name=author.given_name, orcid=author.orcid)
        for article in articles
        for author in list(article.authors.all())[:AUTHORS_SHOWN]
    }
    keys.discard("")
    if not keys:
        return frozenset()
    return frozenset(
        AuthorKey.objects.filter(key__in=keys).values_list("key", flat=True).distinct()
    )


def papers_by_author(key: str) -> QuerySet[Article]:
    return Article.objects.filter(Exists(AuthorKey.objects.filter(article=OuterRef("pk"), key=key)))


def author_name(key: str) -> str | None:
    """The name an author key stands for (as most recently written), None if unknown."""
    return (
        AuthorKey.objects.filter(key=key)
        .order_by("-article__published_on", "-article_id")
        .values_list("name", flat=True)
        .first()
    )


def authors_with_counts():
    """Every author key with its name and number of papers, by family name."""
    return (
        AuthorKey.objects.values("key")
        .annotate(
            name=Min("name"), sort_name=Min("sort_name"), papers=Count("article", distinct=True)
        )
        .order_by("sort_name", "key")
    )


def most_papers(entries: QuerySet, count: int) -> list:
    """
    The ``count`` entries of a ``*_with_counts()`` list that have the most papers, shown
    in the list's own order (by name).
    """
    ordering = [str(field) for field in entries.query.order_by]
    top = entries.order_by("-papers", *ordering)[:count]

    def value(entry, field: str):
        return entry[field] if isinstance(entry, dict) else getattr(entry, field)

    return sorted(top, key=lambda entry: [value(entry, field) for field in ordering])


def subjects_with_counts():
    return Subject.objects.annotate(papers=Count("articles")).filter(papers__gt=0).order_by("name")


def journals_with_counts():
    return Journal.objects.annotate(papers=Count("articles")).filter(papers__gt=0).order_by("title")


def discussions_opened():
    """Published discussions with ``opened_on``: when they opened (else were created)."""
    return Discussion.objects.published().alias(opened_on=Coalesce("opens_at", "created_at"))


def years_with_counts():
    """Years in which discussions opened, newest first, with how many."""
    return (
        discussions_opened()
        .annotate(year=ExtractYear("opened_on"))
        .values("year")
        .annotate(discussions=Count("pk"))
        .order_by("-year")
    )


def discussions_of_year(year: int):
    return discussions_opened().filter(opened_on__year=year)
