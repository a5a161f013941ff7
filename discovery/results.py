"""
A search, as the results page shows it: a section per kind of thing found.

Without a chosen kind, each section shows its best few results and how many there are
("Show all 134 comments"); with one (``?kind=comment``), that kind is paginated. Readers
mostly know whether they are after a paper or something someone said, and one paginator
per URL keeps "page 3" meaningful, where three interleaved paginators would not.

Each kind is counted and ranked only up to ``COUNT_CAP`` matches, as web search engines
do ("1,000+ comments"): a common word matches a tenth of the archive, and counting and
ranking all of it cost more than the rest of the page together. Up to the cap, counts and
ranking are exact; beyond it, the best of the first ``COUNT_CAP + 1`` matches that
PostgreSQL reads from the GIN index are ranked and paginated, and the count says "1,000+".

A paper search whose words find almost nothing is run again with corrected spellings of
its words (the typo fallback, ``models.typo_query``), as web search engines do: the
trigram look-up costs a query, so only the searches that need it pay for it.
"""

import dataclasses
import functools

from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from clubs import access
from clubs.models import sees_every_club
from discussions.models import Discussion

from . import browse
from .models import SearchEntry, typo_query
from .search import TYPO_FALLBACK_BELOW, highlight, marked_headline

PER_PAGE = 20
PREVIEW = 5
# Matches counted and ranked per kind at most; a count above it reads "1,000+".
COUNT_CAP = 1000


def count_label(count: int) -> str:
    """A number of matches as shown: "1,234", or "1,000+" when counting stopped at the cap."""
    if count > COUNT_CAP:
        return gettext("%(count)s+") % {"count": number_format(COUNT_CAP, force_grouping=True)}
    return number_format(count, force_grouping=True)


@dataclasses.dataclass
class Result:
    entry: SearchEntry
    title_html: SafeString
    snippet_html: SafeString

    @property
    def kind(self) -> str:
        return self.entry.kind


@dataclasses.dataclass
class Section:
    kind: str
    label: str
    count: int
    results: list[Result]
    page: Page | None = None  # set when this kind is paginated

    @property
    def more(self) -> bool:
        return self.page is None and self.count > len(self.results)

    @property
    def count_label(self) -> str:
        return count_label(self.count)

    @property
    def more_label(self) -> str:
        if self.count > COUNT_CAP:
            messages = {
                SearchEntry.Kind.PAPER: gettext("Show more papers (%(count)s)"),
                SearchEntry.Kind.COMMENTARY: gettext("Show more commentaries (%(count)s)"),
                SearchEntry.Kind.COMMENT: gettext("Show more comments (%(count)s)"),
            }
            return messages[self.kind] % {"count": self.count_label}
        messages = {
            SearchEntry.Kind.PAPER: ngettext(
                "Show the %(count)s paper", "Show all %(count)s papers", self.count
            ),
            SearchEntry.Kind.COMMENTARY: ngettext(
                "Show the %(count)s commentary", "Show all %(count)s commentaries", self.count
            ),
            SearchEntry.Kind.COMMENT: ngettext(
                "Show the %(count)s comment", "Show all %(count)s comments", self.count
            ),
        }
        return messages[self.kind] % {"count": self.count_label}


@dataclasses.dataclass
class Results:
    text: str
    kind: str
    counts: dict[str, int]
    sections: list[Section]
    author_pages: frozenset[str] = frozenset()  # for the papers' author links

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def capped(self) -> bool:
        """Whether some kind had more matches than were counted."""
        return any(count > COUNT_CAP for count in self.counts.values())

    @property
    def total_label(self) -> str:
        """The number of results as shown: "1,000+" as soon as one kind is capped."""
        if self.capped:
            return gettext("%(count)s+") % {
                "count": number_format(
                    sum(min(count, COUNT_CAP) for count in self.counts.values()),
                    force_grouping=True,
                )
            }
        return number_format(self.total, force_grouping=True)

    @property
    def tabs(self) -> list[tuple[str, str, str]]:
        """(kind, label, count as shown) for each kind, to switch between them."""
        return [
            (value, label, count_label(self.counts[value]))
            for value, label in SearchEntry.Kind.choices
        ]


def search(
    *,
    text: str,
    reader=None,
    kind: str = "",
    subject: str = "",
    year: int | None = None,
    status: str = "",
    page_number: str | int | None = None,
) -> Results:
    """
    Run a search as ``reader`` (None or a visitor: what anyone may read; a member also
    finds what their private clubs discuss); ``text`` must already be cleaned
    (``search.clean_query``).
    """
    clubs, discussions = _readable(reader)
    # Per kind, once its first count is known: the query widened with corrected spellings
    # (the typo fallback), or None for the words as typed.
    widened: dict[str, SearchQuery | None] = {}

    def settle(value: str, count: int) -> bool:
        """
        Decide from the first count of a kind whether to widen its search; True when it
        has just been widened. Only papers are (the spelling list holds the words of their
        titles and authors), only when the words as typed find fewer than
        ``TYPO_FALLBACK_BELOW``: a search that finds enough never looks up a spelling.
        """
        if value in widened:
            return False
        wanted = value == SearchEntry.Kind.PAPER and count < TYPO_FALLBACK_BELOW
        widened[value] = typo_query(text) if wanted else None
        return widened[value] is not None

    def candidates(value: str) -> tuple[str, list] | None:
        """
        SQL for the first ``COUNT_CAP + 1`` matches with their rank (None when nothing can
        match): the kind's GIN index is read once, and only up to the cap.
        """
        typos = widened.get(value)
        matches = (
            _visible_of_kind(value, clubs)
            .with_filters(subject=subject, year=year, status=status, discussions=discussions)
            .matching(text, typos=typos)
            .ranked(text, typos=typos)
            .order_by()
        )
        try:
            return matches.values("id", "rank")[: COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # a query that can match nothing (no words to look for)
            return None

    def count_of(value: str) -> int:
        query = candidates(value)
        if query is None:
            return 0
        sql, params = query
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS candidates", params)  # noqa: S608
            return cursor.fetchone()[0]

    def best_of(value: str, start: int, stop: int) -> tuple[list[int], int]:
        query = candidates(value)
        if query is None:
            return [], 0
        sql, params = query
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, COUNT(*) OVER () FROM ({sql}) AS candidates"  # noqa: S608 - ORM SQL
                " ORDER BY rank DESC, id DESC LIMIT %s OFFSET %s",
                [*params, max(0, min(stop, COUNT_CAP) - start), start],
            )
            rows = cursor.fetchall()
        if not rows and start > 0:  # past the end: how far the matches go
            return [], count_of(value)
        return [pk for pk, _total in rows], (rows[0][1] if rows else 0)

    def counted(value: str) -> int:
        """The number of matches, up to the cap: a count that stops reading there."""
        count = count_of(value)
        return count_of(value) if settle(value, count) else count

    def best(value: str, start: int, stop: int) -> tuple[list[int], int]:
        """
        The ids of the best matches [start:stop] (within the cap) and the number of matches
        (above ``COUNT_CAP`` meaning "more"), in one query: only the candidates are ranked,
        counted and sorted.
        """
        ids, count = best_of(value, start, stop)
        return best_of(value, start, stop) if settle(value, count) else (ids, count)

    counts = dict.fromkeys(SearchEntry.Kind.values, 0)
    ranked: list[tuple[str, str, list[int], Page | None]] = []
    for value, label in SearchEntry.Kind.choices:
        if kind and value != kind:
            counts[value] = counted(value)  # for the tabs
            continue
        if not kind:
            ids, counts[value] = best(value, 0, PREVIEW)
            if ids:
                ranked.append((value, label, ids, None))
            continue
        number = _page_number(page_number)
        ids, counts[value] = best(value, (number - 1) * PER_PAGE, number * PER_PAGE)
        # Pages go as far as the ranked matches do: the cap, when there are more.
        paginator = Paginator(range(min(counts[value], COUNT_CAP)), PER_PAGE)
        page = paginator.get_page(number)
        if page.number != number:  # the last page; with no matches, an empty first page
            ids = best(value, page.start_index() - 1, page.end_index())[0] if page else []
        ranked.append((value, label, ids, page))

    wanted = [pk for _value, _label, ids, _page in ranked for pk in ids]
    entries = {}
    if wanted:
        found = (
            SearchEntry.objects.filter(pk__in=wanted)
            .with_headlines(text, typos=widened.get(SearchEntry.Kind.PAPER))
            .for_results()
        )
        entries = {entry.pk: entry for entry in found}
    by_pk = {
        result.entry.pk: result
        for result in _results([entries[pk] for pk in wanted], text, discussions=discussions)
    }
    sections = [
        Section(value, label, counts[value], [by_pk[pk] for pk in ids], page)
        for value, label, ids, page in ranked
    ]
    papers = [
        result.entry.article for result in by_pk.values() if result.kind == SearchEntry.Kind.PAPER
    ]
    return Results(
        text=text,
        kind=kind,
        counts=counts,
        sections=sections,
        author_pages=browse.author_pages(papers),
    )


def _readable(reader) -> tuple[frozenset[int] | None, QuerySet[Discussion]]:
    """
    The private clubs whose discussions ``reader`` finds besides what anyone may read (None
    for every club: staff), and the discussions whose links and status a paper shows them.
    The member's clubs come from ``clubs.access``, read once per request.
    """
    if reader is None or not reader.is_authenticated:
        return frozenset(), Discussion.objects.published()
    readable = Discussion.objects.visible_to(reader).exclude(status=Discussion.Status.DRAFT)
    if sees_every_club(reader):
        return None, readable
    clubs = access.roles(reader).club_ids
    return clubs, (readable if clubs else Discussion.objects.published())


@functools.lru_cache(maxsize=256)
def _visible_of_kind(kind: str, clubs: frozenset[int] | None = frozenset()):
    """
    ``SearchEntry.objects.visible_of_kind``, built once per process and set of clubs:
    building its NOT EXISTS conditions took a millisecond or more per kind on every search.
    Each search filters a copy of it (filtering a queryset returns a new one), and it is
    never evaluated itself.
    """
    return SearchEntry.objects.visible_of_kind(kind, clubs=clubs)


def _page_number(value) -> int:
    """A page number from the URL: anything not a positive number is the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 10_000 else (1 if number < 1 else 10_000)


def _results(
    entries: list[SearchEntry], text: str, *, discussions: QuerySet[Discussion]
) -> list[Result]:
    papers = [entry.article for entry in entries if entry.kind == SearchEntry.Kind.PAPER]
    if papers:
        prefetch_related_objects(
            papers,
            "authors",
            Prefetch(
                "discussions",
                queryset=discussions.newest_first(),
                to_attr="published_discussions",
            ),
        )
    results = []
    for entry in entries:
        if hasattr(entry, "body_headline"):  # PostgreSQL
            title = marked_headline(entry.title_headline) if entry.title else SafeString()
            snippet = marked_headline(entry.body_headline)
        else:
            title = highlight(entry.title, text, window=None)
            snippet = highlight(entry.body, text)
        results.append(Result(entry=entry, title_html=title, snippet_html=snippet))
    return results
