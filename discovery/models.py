"""
The search index: one row per searchable thing, kept up to date by ``discovery.index``.

The index holds text only. Whether a row may be shown (a comment deleted or hidden, a
discussion still a draft or in a private club the reader is not a member of) is decided
at query time against the live rows, so a stale index can miss something new but can
never show something it should not.
"""

import operator
from functools import reduce
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVectorField,
)
from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Subject
from clubs.models import Club
from discussions.models import Comment, Discussion

from .authors import KEY_LENGTH
from .search import (
    ANGLE_CLOSE,
    ANGLE_OPEN,
    ENGLISH_CONFIG,
    FRENCH_CONFIG,
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    SPELLING_CANDIDATES,
    SPELLING_CORRECTIONS,
    TRIGRAM_THRESHOLD,
    fallback_terms,
    fuzzy_terms,
    is_typo_of,
    search_query,
    websearch_query,
    widened_query,
)


def published_statuses() -> list[str]:
    """Every discussion status but draft: the ones anyone may read."""
    return [status for status in Discussion.Status.values if status != Discussion.Status.DRAFT]


def unlisted_comment_filter() -> Q:
    """
    The opposite of ``public_comment_q``, written as the predicate of the partial index
    ``discovery_comment_unlisted`` (migration 0003) so that PostgreSQL reads that small index.
    """
    return Q(deleted_at__isnull=False) | ~Q(status=Comment.Status.PUBLISHED)


class SearchEntryQuerySet(models.QuerySet):
    def visible_of_kind(self, kind: str, *, clubs: frozenset[int] | None = frozenset()):
        """
        Entries of one kind that a reader may read, written for one kind so that
        PostgreSQL uses the kind's own partial GIN index: what anyone may read, and the
        discussions of the private clubs in ``clubs`` (the reader's own; None for every
        club, as those who curate clubs read them all). Drafts are left out for everyone.

        Drafts, private clubs' discussions and unlisted (deleted, hidden, pending) comments
        are few, so they are excluded with NOT EXISTS: PostgreSQL hashes those few ids from
        small partial indexes and the handful of private clubs (an anti-join), instead of
        looking up the discussion, its club and the comment of each of thousands of
        matches. The index itself holds every club's text: a club made private or public
        changes no entry, and what may be shown is decided here, at query time.
        """
        entries = self.filter(kind=kind)
        if kind == SearchEntry.Kind.PAPER:
            return entries  # a paper's record is public, whoever discusses it
        drafts = Discussion.objects.filter(
            pk=OuterRef("discussion_id"), status=Discussion.Status.DRAFT
        )
        entries = entries.filter(discussion__isnull=False).exclude(Exists(drafts))
        if clubs is not None:
            closed = Club.objects.filter(visibility=Club.Visibility.PRIVATE).exclude(pk__in=clubs)
            private = Discussion.objects.filter(pk=OuterRef("discussion_id"), club__in=closed)
            entries = entries.exclude(Exists(private))
        if kind == SearchEntry.Kind.COMMENT:
            unlisted = Comment.objects.filter(unlisted_comment_filter(), pk=OuterRef("comment_id"))
            entries = entries.filter(comment__isnull=False).exclude(Exists(unlisted))
        return entries

    def with_filters(
        self,
        *,
        subject: str = "",
        year: int | None = None,
        status: str = "",
        discussions: models.QuerySet[Discussion] | None = None,
    ):
        """
        Narrow to a subject (slug), a publication year, or open / closed discussions; a
        paper's status is that of the ``discussions`` the reader may read (by default
        those anyone may), so that a private club's discussion of it never shows through.
        """
        entries = self
        if subject:
            entries = entries.filter(
                Exists(
                    Article.subjects.through.objects.filter(
                        article_id=OuterRef("article_id"), subject__slug=subject
                    )
                )
            )
        if year:
            entries = entries.filter(article__published_on__year=year)
        if status:
            # A paper counts as open when one of the discussions the reader may read is.
            readable = Discussion.objects.published() if discussions is None else discussions
            entries = entries.filter(
                Q(
                    Exists(readable.filter(article=OuterRef("article_id"), status=status)),
                    kind=SearchEntry.Kind.PAPER,
                )
                | Q(~Q(kind=SearchEntry.Kind.PAPER), discussion__status=status)
            )
        return entries

    def matching(self, text: str, *, typos: SearchQuery | None = None):
        """
        Entries matching a cleaned query (see ``discovery.search.clean_query``).

        PostgreSQL: full-text search in web-search syntax ("quoted phrases", -not, OR),
        with English and French stemming (``discovery.search.search_query``), on the
        GIN-indexed vector; ``typos`` (see ``typo_query``) adds the entries that have
        corrected spellings of the words instead, in the same index scan. Elsewhere:
        every word, anywhere in the entry.
        """
        if self._is_postgres():
            return self.filter(search_vector=_either(search_query(text), typos))
        terms = fallback_terms(text)
        if not terms:
            return self.none()
        return self.filter(
            reduce(
                operator.and_,
                (
                    Q(title__icontains=term)
                    | Q(authors__icontains=term)
                    | Q(keywords__icontains=term)
                    | Q(body__icontains=term)
                    for term in terms
                ),
            )
        )

    def ranked(self, text: str, *, typos: SearchQuery | None = None):
        """
        Best match first, with the rank as ``rank``. PostgreSQL: by ``ts_rank`` (title and
        authors weigh most) for the query as read in the entry's own language, then
        newest; with ``typos``, the entries that match the words as typed first
        (``ts_rank`` is at most 1), each group by its rank for the widened query.
        Elsewhere: newest first.
        """
        rank: models.Expression
        if not self._is_postgres():
            rank = models.Value(0.0, output_field=models.FloatField())
        elif typos is None:
            rank = SearchRank(models.F("search_vector"), _in_own_language(text))
        else:
            as_typed = models.Case(
                models.When(search_vector=search_query(text), then=models.Value(1.0)),
                default=models.Value(0.0),
            )
            rank = as_typed + SearchRank(
                models.F("search_vector"), _in_own_language(text, typos=typos)
            )
        return self.annotate(rank=rank).order_by("-rank", "-pk")

    def with_headlines(self, text: str, *, typos: SearchQuery | None = None):
        """
        PostgreSQL: the best fragments of the text with matches (and corrected spellings)
        between \\x02 and \\x03 markers (turned into <mark> only after escaping, by
        ``discovery.search``), the text read with its own language's configuration.
        PostgreSQL evaluates these for the rows of the page only, after sorting and the
        limit.
        """
        if not self._is_postgres():
            return self
        markers: dict[str, Any] = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP}
        query = _either(search_query(text), typos)
        return self.annotate(
            title_headline=SearchHeadline(
                _angles_swapped("title"),
                query,
                config=_own_config(),
                highlight_all=True,
                **markers,
            ),
            body_headline=SearchHeadline(
                _angles_swapped("body"),
                query,
                config=_own_config(),
                max_words=35,
                min_words=15,
                **markers,
            ),
        )

    def for_results(self):
        """
        What a result shows, joined in the same query: only the columns it shows, since
        the rows of the page carry long texts (abstracts, comments, commentaries) and
        vectors that the page never reads. A commentary or comment shows the title of its
        entry's paper, which is its discussion's.
        """
        return self.select_related(
            "article__journal", "discussion__host", "comment__author", "comment__pseudonym"
        ).only(
            "kind",
            "language",
            "title",
            "body",
            "article__slug",
            "article__title",
            "article__published_on",
            "article__journal__title",
            "discussion__slug",
            "discussion__host__username",
            "discussion__host__display_name",
            "comment__created_at",
            "comment__author__username",
            "comment__author__display_name",
            "comment__pseudonym__name",
        )

    def _is_postgres(self) -> bool:
        return connections[self.db].vendor == "postgresql"


class SearchEntry(models.Model):
    """
    The searchable text of one paper, one host commentary (or a translation of one) or
    one comment.

    ``key`` ("paper:12", "commentary:5", "commentary:5:fr" for its French translation,
    "comment:77") makes writing an entry a single upsert. ``search_vector`` is filled on
    PostgreSQL only, where a GIN index serves it (created by this app's migrations on
    PostgreSQL only), with the stemming of the entry's ``language``.
    """

    class Kind(models.TextChoices):
        PAPER = "paper", _("Papers")
        COMMENTARY = "commentary", _("Host commentaries")
        COMMENT = "comment", _("Comments")

    key = models.CharField(_("key"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("paper")
    )
    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("discussion"),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comment"),
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    authors = models.TextField(_("authors"), blank=True)
    keywords = models.TextField(_("subjects, journal and DOI"), blank=True)
    body = models.TextField(_("text"), blank=True)
    # "fr" for French, indexed with French stemming; anything else (blank included) with
    # English (``discovery.search.search_config``).
    language = models.CharField(_("language"), max_length=10, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(_("indexed"), auto_now=True)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self):
        return self.key


# Each term's nearest words on the spelling list (pg_trgm's % and <->, which the list's GIN
# trigram index serves), for every term but stop words of either language ("for" and
# "pour" are no words to correct).
NEAREST_WORDS_SQL = """
SELECT term, word FROM unnest(%(terms)s::text[]) AS terms (term)
LEFT JOIN LATERAL (
    SELECT word FROM discovery_spellingword WHERE word %% term
    ORDER BY word <-> term, word LIMIT %(limit)s
) AS nearest ON true
WHERE numnode(plainto_tsquery(%(english)s::regconfig, term)) > 0
    AND numnode(plainto_tsquery(%(french)s::regconfig, term)) > 0
"""


def nearest_words_params(terms: list[str]) -> dict[str, Any]:
    """The parameters of ``NEAREST_WORDS_SQL`` for these (lowercased) terms."""
    return {
        "terms": terms,
        "limit": SPELLING_CANDIDATES,
        "english": ENGLISH_CONFIG,
        "french": FRENCH_CONFIG,
    }


class SpellingWordQuerySet(models.QuerySet):
    def corrections(self, terms: list[str]) -> dict[str, list[str]]:
        """
        PostgreSQL: for each term that is not a stop word (of English or French), the
        words it may be a typo of (none for a word on the list). One query: each term's
        nearest words by trigram similarity, from the GIN trigram index, then kept if
        close enough in spelling (``discovery.search.is_typo_of``). Elsewhere: nothing.
        """
        terms = list(dict.fromkeys(term.lower() for term in terms))
        if not terms or connections[self.db].vendor != "postgresql":
            return {}
        with transaction.atomic(using=self.db), connections[self.db].cursor() as cursor:
            # For this transaction only: how alike (by trigrams) a candidate must be.
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                [str(TRIGRAM_THRESHOLD)],
            )
            cursor.execute(NEAREST_WORDS_SQL, nearest_words_params(terms))
            rows = cursor.fetchall()
        candidates: dict[str, list[str]] = {}
        for term, word in rows:
            candidates.setdefault(term, [])
            if word is not None:
                candidates[term].append(word)
        return {
            term: []
            if term in words
            else [word for word in words if is_typo_of(term, word)][:SPELLING_CORRECTIONS]
            for term, words in candidates.items()
        }


class SpellingWord(models.Model):
    """
    A word of a paper's title or author names: what a misspelled query word is corrected
    to (``typo_query``). Written with the paper's search entry (``discovery.index``) and
    never removed but by a rebuild: a word left over from an edited paper only ever
    widens a search to what the index holds.
    """

    word = models.CharField(_("word"), max_length=100, unique=True)

    objects = SpellingWordQuerySet.as_manager()

    class Meta:
        verbose_name = _("spelling word")
        verbose_name_plural = _("spelling words")

    def __str__(self):
        return self.word


class AuthorKey(models.Model):
    """One author of one paper, filed under the key of their browse page."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("paper")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.CharField(_("key"), max_length=KEY_LENGTH, db_index=True)
    name = models.CharField(_("name"), max_length=400)
    sort_name = models.CharField(_("sort name"), max_length=400)

    class Meta:
        ordering = ["sort_name", "article_id", "position"]
        verbose_name = _("author key")
        verbose_name_plural = _("author keys")

    def __str__(self):
        return f"{self.key}: {self.name}"


def typo_query(text: str) -> SearchQuery | None:
    """
    The typo fallback: the query widened with corrected spellings of its words ("Albrs"
    also finds "Albers"), or None when no word needs one. One query on PostgreSQL, none
    elsewhere; the search runs it only when the words as typed find too few papers.
    """
    terms = fuzzy_terms(text)
    if not terms:
        return None
    return widened_query(text, SpellingWord.objects.corrections(terms))


def _either(query: SearchQuery, other: SearchQuery | None) -> SearchQuery:
    return query if other is None else query | other


def _own_config() -> models.Case:
    """An entry's text search configuration, from its language (``search.search_config``)."""
    return models.Case(
        models.When(language="fr", then=models.Value(FRENCH_CONFIG)),
        default=models.Value(ENGLISH_CONFIG),
    )


def _in_own_language(text: str, *, typos: SearchQuery | None = None) -> models.Case:
    """
    The query as read in each entry's language, to rank it by: ranking by both readings
    at once (an OR at the top of the query) would make ``ts_rank`` stop rewarding entries
    whose words of the query stand close together. The two readings are constants
    that PostgreSQL computes once per query, not per row.
    """
    return models.Case(
        models.When(language="fr", then=_either(websearch_query(text, FRENCH_CONFIG), typos)),
        default=_either(websearch_query(text, ENGLISH_CONFIG), typos),
        output_field=SearchQueryField(),
    )


def _angles_swapped(field: str) -> Replace:
    """The field's text with < and > swapped for markers PostgreSQL's parser ignores."""
    text = Replace(models.F(field), models.Value("<"), models.Value(ANGLE_OPEN))
    return Replace(text, models.Value(">"), models.Value(ANGLE_CLOSE))


def subjects_in_use():
    """Subjects that at least one paper has, by name."""
    return Subject.objects.filter(
        Exists(Article.subjects.through.objects.filter(subject_id=OuterRef("pk")))
    ).order_by("name")
