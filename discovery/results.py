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
PostgreSQL reads from the GIN index (for papers, also of those it reads from the trigram
indexes) are ranked and paginated, and the count says "1,000+".
"""

import dataclasses

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from discussions.models import Discussion

from .models import SearchEntry
from .search import TRIGRAM_THRESHOLD, highlight, marked_headline

PER_PAGE = 20
PREVIEW = 5
SEARCH_WORK_MEM = "32MB"
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
    kind: str = "",
    subject: str = "",
    year: int | None = None,
    status: str = "",
    page_number: str | int | None = None,
) -> Results:
    """Run a search; ``text`` must already be cleaned (``search.clean_query``)."""
    arguments = {
        "text": text,
        "kind": kind,
        "subject": subject,
        "year": year,
        "status": status,
        "page_number": page_number,
    }
    if connection.vendor != "postgresql":
        return _search(**arguments)
    with transaction.atomic(), connection.cursor() as cursor:
        # For this transaction only: how alike a paper's title or authors must be, and
        # memory enough to count and rank thousands of matches without spilling to disk.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
            " set_config('work_mem', %s, true)",
            [str(TRIGRAM_THRESHOLD), SEARCH_WORK_MEM],
        )
        return _search(**arguments)


def _search(*, text, kind, subject, year, status, page_number) -> Results:
    def candidates(value: str) -> tuple[str, list] | None:
        """
        SQL for the first ``COUNT_CAP + 1`` matches of each way of matching, with their
        rank, as one set (None when nothing can match): each kind's GIN index is read
        once, and only up to the cap.
        """
        arms = [
            arm.ranked(text).order_by().values("id", "rank")[: COUNT_CAP + 1]
            for arm in SearchEntry.objects.visible_of_kind(value)
            .with_filters(subject=subject, year=year, status=status)
            .matching_each_way(text, fuzzy=value == SearchEntry.Kind.PAPER)
        ]
        try:
            return (arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0]).query.sql_with_params()
        except EmptyResultSet:  # a query that can match nothing (no words to look for)
            return None

    def counted(value: str) -> int:
        """The number of matches, up to the cap: a count that stops reading there."""
        query = candidates(value)
        if query is None:
            return 0
        sql, params = query
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS candidates", params)  # noqa: S608
            return cursor.fetchone()[0]

    def best(value: str, start: int, stop: int) -> tuple[list[int], int]:
        """
        The ids of the best matches [start:stop] (within the cap) and the number of matches
        (above ``COUNT_CAP`` meaning "more"), in one query: only the candidates are ranked,
        counted and sorted.
        """
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
        return [pk for pk, _total in rows], (rows[0][1] if rows else 0)

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
        if not ids and number > 1:  # past the end: the last page, counted first
            counts[value] = counted(value)
        # Pages go as far as the ranked matches do: the cap, when there are more.
        paginator = Paginator(range(min(counts[value], COUNT_CAP)), PER_PAGE)
        page = paginator.get_page(number)
        if page.number != number:  # the last page; with no matches, an empty first page
            ids = best(value, page.start_index() - 1, page.end_index())[0] if page else []
        ranked.append((value, label, ids, page))

    wanted = [pk for _value, _label, ids, _page in ranked for pk in ids]
    entries = {}
    if wanted:
        found = SearchEntry.objects.filter(pk__in=wanted).with_headlines(text).for_results()
        entries = {entry.pk: entry for entry in found}
    by_pk = {result.entry.pk: result for result in _results([entries[pk] for pk in wanted], text)}
    sections = [
        Section(value, label, counts[value], [by_pk[pk] for pk in ids], page)
        for value, label, ids, page in ranked
    ]
    return Results(text=text, kind=kind, counts=counts, sections=sections)


def _page_number(value) -> int:
    """A page number from the URL: anything not a positive number is the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 10_000 else (1 if number < 1 else 10_000)


def _results(entries: list[SearchEntry], text: str) -> list[Result]:
    papers = [entry.article for entry in entries if entry.kind == SearchEntry.Kind.PAPER]
    if papers:
        prefetch_related_objects(
            papers,
            "authors",
            Prefetch(
                "discussions",
                queryset=Discussion.objects.published().newest_first(),
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
