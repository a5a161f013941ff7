"""
Writing the search index.

The services that write papers, discussions and comments call these functions in the
same transaction as their own write (``discussions.services``, ``articles.services``):
one upsert per object, keyed by ``SearchEntry.key``. ``rebuild`` writes the whole index
again (after a bulk import, on deploy) and ``refresh_stale`` catches up with what
changed elsewhere, such as a paper edited in the admin; both are run by
``manage.py rebuild_search_index``.

On PostgreSQL the search vector is computed in the same statement as the upsert
(``to_tsvector`` over the entry's text, weighted: title and authors A, subjects, journal
and DOI B, the rest C), with the stemming of the entry's language: French for a paper,
commentary or comment in French, English for everything else. A discussion's commentary
is also indexed in each language it is translated into (``DiscussionTranslation``), as
one more commentary entry of that discussion, so that the same rules decide who finds
it. A rebuild writes all rows with their vectors in one INSERT.

The words of papers' titles and authors also go on the spelling list (``SpellingWord``)
that the typo fallback corrects misspelled query words to.
"""

import html
import re
from collections.abc import Iterable, Iterator

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from articles.models import Article
from core.markdown import render_markdown
from discussions.models import Comment, Discussion, DiscussionTranslation

from .authors import author_key
from .menus import papers_changed
from .models import AuthorKey, SearchEntry, SpellingWord
from .search import (
    ENGLISH_CONFIG,
    FRENCH_CONFIG,
    content_language,
    search_config,
    spelling_words,
)

UPSERT_FIELDS = [
    "kind",
    "article",
    "discussion",
    "comment",
    "title",
    "authors",
    "keywords",
    "body",
    "language",
]
BATCH_SIZE = 1000

_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"[ \t\r\f\v]+")


# --- The hooks the writing services call ---------------------------------------------------


def index_article(article: Article) -> None:
    """(Re)index a paper: its record as one entry, and its authors under their keys."""
    authors = list(article.authors.all())
    entry = _paper_entry(
        article,
        authors=authors,
        subjects=[subject.name for subject in article.subjects.all()],
        sections=list(article.abstract_sections.all()),
    )
    _upsert([entry])
    _add_spelling_words(spelling_words(entry.title, entry.authors))
    AuthorKey.objects.filter(article=article).delete()
    AuthorKey.objects.bulk_create(_author_keys(article.pk, authors))
    papers_changed()  # the search page's subject and year menus


def index_discussion(discussion: Discussion) -> None:
    """
    (Re)index a discussion's host commentary and its translations into other languages;
    those without text (or no longer translated) are taken out.
    """
    written = [
        _commentary_entry(
            discussion.pk, discussion.article_id, discussion.commentary, discussion.language
        ),
        *(
            _translation_entry(discussion.pk, discussion.article_id, language, commentary)
            for language, commentary in _translations()
            .filter(discussion=discussion)
            .values_list("language", "commentary")
        ),
    ]
    entries = [entry for entry in written if entry is not None]
    SearchEntry.objects.filter(kind=SearchEntry.Kind.COMMENTARY, discussion=discussion).exclude(
        key__in=[entry.key for entry in entries]
    ).delete()
    if entries:
        _upsert(entries)


def index_comment(comment: Comment) -> None:
    """(Re)index a comment; a deleted one is removed instead."""
    if comment.deleted_at is not None:
        remove_comment(comment)
        return
    discussion = comment.question.discussion
    entry = _comment_entry(
        comment.pk, discussion.pk, discussion.article_id, comment.body_html, comment.language
    )
    _upsert([entry])


def remove_comment(comment: Comment) -> None:
    """Take a comment out of the index (its author deleted it)."""
    SearchEntry.objects.filter(key=f"comment:{comment.pk}").delete()


def remove_comments_of(member) -> None:
    """Take every comment of a member out of the index (they deleted their account)."""
    SearchEntry.objects.filter(comment__author=member).delete()


# --- Whole-index maintenance ---------------------------------------------------------------


def rebuild(*, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """
    Write the whole index again, in one transaction (searches see the old index until it
    commits). Returns the number of entries per kind.

    On PostgreSQL, rows are streamed with COPY into a temporary table, then written with
    their vectors by one INSERT ... SELECT: each row is written once (an UPDATE of every
    vector afterwards would leave a dead copy of every row, doubling the table). Outside
    a transaction, VACUUM ANALYZE then clears the rows of the old index and refreshes the
    planner's statistics.
    """
    counts = dict.fromkeys(SearchEntry.Kind.values, 0)
    postgres = connection.vendor == "postgresql"
    words: set[str] = set()
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        AuthorKey.objects.all().delete()
        SpellingWord.objects.all().delete()
        if postgres:
            _create_staging_table()
        # A batch is read before it is written: no query may run on the connection while
        # a COPY is open on it.
        for batch in _batched(_all_entries(counts, batch_size), batch_size):
            words.update(
                word
                for entry in batch
                if entry.kind == SearchEntry.Kind.PAPER
                for word in spelling_words(entry.title, entry.authors)
            )
            if postgres:
                _copy(batch)
            else:
                SearchEntry.objects.bulk_create(batch)
        if postgres:
            _insert_from_staging_table()
        _add_spelling_words(words, batch_size=batch_size)
        papers_changed()
    if postgres:
        table = connection.ops.quote_name(SearchEntry._meta.db_table)
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # VACUUM cannot run inside a transaction
                cursor.execute(f"ANALYZE {table}")
            else:
                cursor.execute(f"VACUUM ANALYZE {table}")
    return counts


def refresh_stale() -> dict[str, int]:
    """
    Reindex what changed without going through a service: papers, discussions and their
    translations saved since their entry was written (the admin), comments missing from
    the index, and entries of comments deleted since. Returns how many of each were
    touched (discussions count as commentaries).
    """
    fresh_paper = SearchEntry.objects.filter(
        kind=SearchEntry.Kind.PAPER, article=OuterRef("pk"), updated_at__gte=OuterRef("updated_at")
    )
    papers = Article.objects.filter(~Exists(fresh_paper)).prefetch_related(
        "authors", "subjects", "abstract_sections"
    )
    # The entry of the commentary itself, not of a translation.
    commentary = SearchEntry.objects.filter(
        key=Concat(Value("commentary:"), Cast(OuterRef("pk"), output_field=CharField()))
    )
    fresh_commentary = commentary.filter(updated_at__gte=OuterRef("updated_at"))
    discussions = Discussion.objects.filter(
        (~Q(commentary="") & ~Exists(fresh_commentary))
        | (Q(commentary="") & Exists(commentary))
        | Q(pk__in=_stale_translations())
    )
    missing_comments = Comment.objects.filter(
        deleted_at__isnull=True,
        body_html__gt="",
    ).exclude(Exists(SearchEntry.objects.filter(comment=OuterRef("pk"))))
    touched = {"paper": 0, "commentary": 0, "comment": 0}
    with transaction.atomic():
        for article in papers:
            index_article(article)
            touched["paper"] += 1
        for discussion in discussions:
            index_discussion(discussion)
            touched["commentary"] += 1
        rows = missing_comments.values_list(*COMMENT_COLUMNS)
        for batch in _batched((_comment_entry(*row) for row in rows.iterator()), BATCH_SIZE):
            _upsert(batch)
            touched["comment"] += len(batch)
        removed, _ = SearchEntry.objects.filter(
            kind=SearchEntry.Kind.COMMENT, comment__deleted_at__isnull=False
        ).delete()
        touched["comment"] += removed
    return touched


def entry_vector(
    title: Combinable,
    authors: Combinable,
    keywords: Combinable,
    body: Combinable,
    *,
    config: str = ENGLISH_CONFIG,
) -> CombinedExpression:
    """
    The weighted search vector of an entry's four texts (values or columns), with the text
    search configuration of its language (``search.search_config``).
    """
    return (
        SearchVector(title, weight="A", config=config)
        + SearchVector(authors, weight="A", config=config)
        + SearchVector(keywords, weight="B", config=config)
        + SearchVector(body, weight="C", config=config)
    )


def plain_text(html_text: str) -> str:
    """Rendered HTML as searchable plain text: tags out, entities decoded, no control chars."""
    text = html.unescape(_TAG.sub(" ", html_text or ""))
    return _clean(text)


# --- Building entries ------------------------------------------------------------------------


def _upsert(entries: list[SearchEntry]) -> None:
    """Insert or update entries by key in one statement (with their vectors on PostgreSQL)."""
    if connection.vendor == "postgresql":
        for entry in entries:
            entry.search_vector = entry_vector(
                Value(entry.title),
                Value(entry.authors),
                Value(entry.keywords),
                Value(entry.body),
                config=search_config(entry.language),
            )
        fields = [*UPSERT_FIELDS, "search_vector", "updated_at"]
    else:
        fields = [*UPSERT_FIELDS, "updated_at"]
    SearchEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["key"], update_fields=fields
    )


def _add_spelling_words(words: Iterable[str], *, batch_size: int = BATCH_SIZE) -> None:
    """Put these words on the spelling list (``SpellingWord``), those not on it already."""
    # In order, so that two writers adding the same words wait for each other rather
    # than deadlock.
    SpellingWord.objects.bulk_create(
        (SpellingWord(word=word) for word in sorted(words)),
        batch_size=batch_size,
        ignore_conflicts=True,
    )


COPY_COLUMNS = [
    "key",
    "kind",
    "article_id",
    "discussion_id",
    "comment_id",
    "title",
    "authors",
    "keywords",
    "body",
    "language",
    "updated_at",
]
STAGING_TABLE = "discovery_searchentry_staging"


def _create_staging_table() -> None:
    """PostgreSQL: an empty temporary table with the columns COPY writes."""
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COPY_COLUMNS)
    select = f"SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608 - our own names
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING_TABLE} ON COMMIT DROP AS {select}")


def _copy(entries: Iterable[SearchEntry]) -> None:
    """PostgreSQL: stream entries into the staging table with COPY, faster than INSERTs."""
    now = timezone.now()
    columns = ", ".join(connection.ops.quote_name(column) for column in COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN") as copy,
    ):
        for entry in entries:
            entry.updated_at = now
            copy.write_row([getattr(entry, column) for column in COPY_COLUMNS])


def _insert_from_staging_table() -> None:
    """
    PostgreSQL: the staged rows into the index, each with its vector: the SQL of
    ``entry_vector`` with the configuration of the row's language, which ``_upsert`` uses
    (a test checks that both agree).
    """
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COPY_COLUMNS)
    config = "CASE WHEN language = 'fr' THEN %(french)s::regconfig ELSE %(english)s::regconfig END"
    vector = " || ".join(
        f"setweight(to_tsvector({config}, coalesce({column}, '')), '{weight}')"
        for column, weight in (("title", "A"), ("authors", "A"), ("keywords", "B"), ("body", "C"))
    )
    select = f"SELECT {columns}, {vector} FROM {STAGING_TABLE}"  # noqa: S608 - our own names
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, search_vector) {select}",
            {"english": ENGLISH_CONFIG, "french": FRENCH_CONFIG},
        )
        # Dropped now, not at commit: the rebuild may run inside a longer transaction.
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")


def _paper_entry(article: Article, *, authors, subjects, sections) -> SearchEntry:
    journal = article.journal
    keywords = [*subjects, journal.title if journal else "", article.doi or ""]
    return SearchEntry(
        key=f"paper:{article.pk}",
        kind=SearchEntry.Kind.PAPER,
        article_id=article.pk,
        language=content_language(article.language),
        title=_clean(article.title)[:500],
        authors="; ".join(_clean(author.full_name) for author in authors),
        keywords=_clean(" · ".join(word for word in keywords if word)),
        body=_clean(
            "\n".join(
                f"{section.heading}: {section.body}" if section.heading else section.body
                for section in sections
            )
        ),
    )


def _commentary_entry(
    discussion_id: int, article_id: int, commentary: str, language: str
) -> SearchEntry | None:
    if not commentary.strip():
        return None
    return SearchEntry(
        key=f"commentary:{discussion_id}",
        kind=SearchEntry.Kind.COMMENTARY,
        article_id=article_id,
        discussion_id=discussion_id,
        body=plain_text(render_markdown(commentary)),
        language=content_language(language),
    )


def _translation_entry(
    discussion_id: int, article_id: int, language: str, commentary: str
) -> SearchEntry | None:
    """A translation of a commentary: one more commentary entry of its discussion."""
    entry = _commentary_entry(discussion_id, article_id, commentary, language)
    if entry is not None:
        entry.key = _translation_key(discussion_id, language)
    return entry


def _translation_key(discussion_id: int, language: str) -> str:
    return f"commentary:{discussion_id}:{language}"


def _translations() -> QuerySet[DiscussionTranslation]:
    """
    The translations that are indexed: those into another language than their
    discussion's (one into its own language is never shown) with a text.
    """
    return DiscussionTranslation.objects.exclude(commentary="").exclude(
        language=F("discussion__language")
    )


def _stale_translations() -> set[int]:
    """
    The discussions with a translation whose entry is missing or older than it, or with
    the entry of a translation that is no more (deleted, emptied, or into what is now the
    discussion's own language). Translations are few: compared here, not in SQL.
    """
    written = {
        key: (discussion_id, updated_at)
        for key, discussion_id, updated_at in SearchEntry.objects.filter(
            kind=SearchEntry.Kind.COMMENTARY
        ).values_list("key", "discussion_id", "updated_at")
        if key.count(":") == 2  # "commentary:<discussion>:<language>"
    }
    stale = set()
    rows = _translations().values_list("discussion_id", "language", "commentary", "updated_at")
    for discussion_id, language, commentary, updated_at in rows:
        if not commentary.strip():
            continue
        entry = written.pop(_translation_key(discussion_id, language), None)
        if entry is None or entry[1] < updated_at:
            stale.add(discussion_id)
    stale.update(discussion_id for discussion_id, _updated_at in written.values())
    return stale


# What a comment's entry is made of (``_comment_entry``), as read with ``values_list``.
COMMENT_COLUMNS = (
    "pk",
    "question__discussion_id",
    "question__discussion__article_id",
    "body_html",
    "language",
)


def _comment_entry(
    comment_id: int, discussion_id: int, article_id: int, body_html: str, language: str
) -> SearchEntry:
    return SearchEntry(
        key=f"comment:{comment_id}",
        kind=SearchEntry.Kind.COMMENT,
        article_id=article_id,
        discussion_id=discussion_id,
        comment_id=comment_id,
        body=plain_text(body_html),
        language=content_language(language),
    )


def _author_keys(article_id: int, authors) -> list[AuthorKey]:
    keys = []
    for author in authors:
        key = author_key(
            family_name=author.family_name, given_name=author.given_name, orcid=author.orcid
        )
        if key:
            sort_name = f"{author.family_name}, {author.given_name}".strip(", ")
            keys.append(
                AuthorKey(
                    article_id=article_id,
                    position=author.position,
                    key=key,
                    name=author.full_name[:400],
                    sort_name=sort_name[:400],
                )
            )
    return keys


def _all_entries(counts: dict[str, int], batch_size: int) -> Iterator[SearchEntry]:
    """Every entry of a full rebuild, streamed (author keys are written on the way)."""
    papers = (
        Article.objects.select_related("journal")
        .prefetch_related("authors", "subjects", "abstract_sections")
        .order_by("pk")
    )
    author_keys = []
    for article in papers.iterator(chunk_size=batch_size):
        authors = list(article.authors.all())
        author_keys.extend(_author_keys(article.pk, authors))
        if len(author_keys) >= batch_size:
            AuthorKey.objects.bulk_create(author_keys)
            author_keys = []
        counts[SearchEntry.Kind.PAPER] += 1
        yield _paper_entry(
            article,
            authors=authors,
            subjects=[subject.name for subject in article.subjects.all()],
            sections=list(article.abstract_sections.all()),
        )
    AuthorKey.objects.bulk_create(author_keys)
    discussions = Discussion.objects.exclude(commentary="").values_list(
        "pk", "article_id", "commentary", "language"
    )
    for row in discussions.iterator(chunk_size=batch_size):
        entry = _commentary_entry(*row)
        if entry is not None:
            counts[SearchEntry.Kind.COMMENTARY] += 1
            yield entry
    translations = _translations().values_list(
        "discussion_id", "discussion__article_id", "language", "commentary"
    )
    for row in translations.iterator(chunk_size=batch_size):
        entry = _translation_entry(*row)
        if entry is not None:
            counts[SearchEntry.Kind.COMMENTARY] += 1
            yield entry
    comments = (
        Comment.objects.filter(deleted_at__isnull=True).order_by("pk").values_list(*COMMENT_COLUMNS)
    )
    for row in comments.iterator(chunk_size=batch_size):
        counts[SearchEntry.Kind.COMMENT] += 1
        yield _comment_entry(*row)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _clean(text: str) -> str:
    """Control characters out (the highlight markers must never occur in the text)."""
    text = _CONTROL.sub(" ", text or "")
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines()).strip()
