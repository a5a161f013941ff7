"""
What the API reads, for one reader: the site's own rules of who reads what, reused.

Every list and object starts from the queryset the site's pages start from, so the API
shows nothing the site would not: ``Discussion.objects.visible_to`` (drafts only for the
club's hosts and leads, private clubs only for their members, all for staff who curate
clubs), ``Meeting.objects.visible_to``, ``clubs.access`` for clubs, and, for comments,
``Comment.objects.in_threads_for`` and the thread order of ``discussions.threads``.
"""

import dataclasses
import datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from articles.models import Article
from clubs import access
from clubs.models import Club, sees_every_club
from discussions.models import Comment, Discussion, Question, QuestionTranslation
from discussions.threads import flatten
from events.models import Meeting
from moderation.models import ModerationAction

from . import pagination
from .problems import InvalidCursor

# --- Clubs, papers, discussions, sessions, members --------------------------------------------


def clubs_for(user) -> QuerySet[Club]:
    """
    The clubs this reader may read (``access.can_read``, for many clubs at once): the
    public ones, the private ones they belong to and are not banned from, and every club
    for staff who curate clubs.
    """
    if sees_every_club(user):
        return Club.objects.all()
    return Club.objects.filter(
        Q(visibility=Club.Visibility.PUBLIC) | Q(pk__in=access.roles(user).club_ids)
    )


def papers() -> QuerySet[Article]:
    """Papers with their full record: every paper's page is public on the site."""
    return Article.objects.select_related("journal").prefetch_related(
        "authors", "subjects", "abstract_sections"
    )


def discussions_for(user) -> QuerySet[Discussion]:
    """The discussions this reader may open, with what every listing shows of them."""
    return Discussion.objects.visible_to(user).select_related("club", "article", "host")


def discussion_in_full(queryset: QuerySet[Discussion]) -> QuerySet[Discussion]:
    """With its questions and the translations of both: what a discussion's object shows."""
    return queryset.prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("number", "id")),
        "translations",
        Prefetch(
            "questions__translations", queryset=QuestionTranslation.objects.order_by("language")
        ),
    )


def meetings_for(user) -> QuerySet[Meeting]:
    """The live sessions this reader may see listed (never of drafts, which are not announced)."""
    return Meeting.objects.visible_to(user).select_related(
        "discussion__article", "discussion__club"
    )


def members() -> QuerySet:
    """Members with a public profile: every account still open."""
    return get_user_model().objects.filter(is_active=True)


# --- Comments ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ThreadComment:
    """A comment as the API gives it: its place in the thread and, unless removed, its text."""

    pk: int
    question_number: int
    parent_id: int | None
    depth: int  # 0 for an answer to the question, 1 for a reply to it...
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    deleted_at: datetime.datetime | None
    status: str
    moderation_note: str
    # Under a pseudonym: the pseudonym, and no handle (``_comment`` masks them).
    author_username: str
    author_display_name: str
    author_active: bool
    pseudonym: str | None
    body: str
    body_html: str
    label: str
    language: str
    moderated_at: datetime.datetime | None

    @property
    def removed(self) -> bool:
        """A tombstone: deleted by its author or hidden by a moderator (``CommentRow``'s rule)."""
        return self.deleted_at is not None or self.status == Comment.Status.HIDDEN

    @property
    def awaiting_review(self) -> bool:
        """The reader's own comment, not yet published (no one else is given it)."""
        return self.status == Comment.Status.PENDING

    @property
    def updated_at(self) -> datetime.datetime:
        """When it last changed: posted, edited, deleted, or a moderator's decision."""
        moments = (self.created_at, self.edited_at, self.deleted_at, self.moderated_at)
        return max(moment for moment in moments if moment is not None)


_FIELDS = {
    "pk": "pk",
    "parent_id": "parent_id",
    "created_at": "created_at",
    "edited_at": "edited_at",
    "deleted_at": "deleted_at",
    "status": "status",
    "moderation_note": "moderation_note",
    "author_username": "author__username",
    "author_display_name": "author__display_name",
    "author_active": "author__is_active",
    "pseudonym": "pseudonym__name",
    "body": "body",
    "body_html": "body_html",
    "label": "label",
    "language": "language",
    "moderated_at": "moderated_at",
}


def _full_rows(ids: list[int]) -> dict[int, dict]:
    """The comments with these ids, text and author included: one query."""
    last_decision = (
        ModerationAction.objects.filter(comment=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    rows = (
        Comment.objects.filter(pk__in=ids)
        .annotate(moderated_at=Subquery(last_decision))
        .values(*_FIELDS.values())
    )
    return {row["pk"]: row for row in rows}


def _comment(row: dict, *, question_number: int, depth: int) -> ThreadComment:
    fields = {name: row[field] for name, field in _FIELDS.items()}
    if fields["pseudonym"] is not None:
        # The site's rule (``CommentRow``): nothing that leads to the author.
        fields.update(author_username="", author_display_name=fields["pseudonym"])
    return ThreadComment(question_number=question_number, depth=depth, **fields)


def changed_since(moment: datetime.datetime) -> Q:
    """Comments posted, edited, deleted or decided on by a moderator at ``moment`` or later."""
    return (
        Q(created_at__gte=moment)
        | Q(edited_at__gte=moment)
        | Q(deleted_at__gte=moment)
        | Q(Exists(ModerationAction.objects.filter(comment=OuterRef("pk"), created_at__gte=moment)))
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Skeleton:
    """What laying out a thread needs of a comment: ``flatten`` reads ``pk`` and ``parent_id``."""

    pk: int
    parent_id: int | None
    emits: bool  # matches the filters: given out, not only laid out


@dataclasses.dataclass(frozen=True, slots=True)
class ThreadPage:
    comments: list[ThreadComment]
    cursor: list | None  # where the next page starts (None: this was the last)


def thread_page(
    discussion: Discussion,
    *,
    reader,
    size: int,
    cursor: list | None = None,
    question_number: int | None = None,
    since: datetime.datetime | None = None,
) -> ThreadPage:
    """
    One page of a discussion's comments in thread order: question by question, each answer
    (oldest first) followed by its replies, depth first, oldest first, exactly as the
    site's threads lay them out (``discussions.threads.flatten``, which this reuses), with
    what ``Comment.objects.in_threads_for(reader)`` lets the reader see: tombstones where
    the site shows them, their own comments awaiting review, and no reply whose parent
    they cannot see.

    Three queries, whatever the page and the size of the discussion:

    1. The answers (top-level comments) from the cursor on, at most ``size + 2`` of them:
       a page can need no more, as each answer is on the page itself. Each comes with the
       number of replies in its tree that the reader may see (a counting subquery on the
       indexed ``Comment.root``), an upper bound of what it adds to the page.
    2. The replies of just the answers whose counts fill the page (one more entry tells
       whether there is a next page): ids, parents and times only, no text. Laying them
       out in memory gives every comment's place and depth.
    3. The text and author of the comments on the page: at most ``size`` rows.

    The cursor is where the page ended: the thread (its answer's place in the order) and
    the last comment given out in it. The next page lays that thread out again and goes on
    after that comment, so replies added meanwhile to earlier threads do not shift it (they
    are missed, as with any cursor). Should that comment have left the reader's view
    meanwhile (held for review after flags), the thread is given again from its start:
    a comment twice rather than a comment lost.

    With ``since``, only comments changed since then are given, still in thread order with
    their parent and depth: the answers without any are skipped in the first query.
    """
    answers = Comment.objects.filter(question__discussion=discussion, parent=None)
    answers = answers.in_threads_for(reader)
    if question_number is not None:
        answers = answers.filter(question__number=question_number)
    if cursor is not None:
        answers = answers.filter(_from_thread(cursor))
    replies = Comment.objects.filter(root=OuterRef("pk")).in_threads_for(reader)
    matches: ExpressionWrapper | Value = Value(True)
    if since is not None:
        replies = replies.filter(changed_since(since))
        answers = answers.filter(changed_since(since) | Exists(replies))
        matches = ExpressionWrapper(changed_since(since), output_field=BooleanField())
    counted = replies.order_by().values("root").annotate(n=Count("pk")).values("n")
    found = list(
        answers.annotate(
            number=F("question__number"),
            replies_shown=Coalesce(Subquery(counted), 0),
            matches=matches,
        )
        .order_by("question__number", "question_id", "created_at", "id")
        .values_list("pk", "question_id", "number", "created_at", "replies_shown", "matches")[
            : size + 2
        ]
    )
    if not found:
        return ThreadPage([], None)

    # The answers whose threads fill the page, by their counts.
    resumed = cursor is not None and found[0][0] == cursor[3]
    chosen, bound = [], 0
    for index, row in enumerate(found):
        chosen.append(row)
        if not (resumed and index == 0):  # the thread being resumed: already partly given
            bound += int(bool(row[5])) + row[4]
        if bound > size:
            break

    reply_rows = (
        Comment.objects.filter(root__in=[row[0] for row in chosen])
        .in_threads_for(reader)
        .annotate(matches=matches)
        .order_by("created_at", "id")
        .values_list("pk", "parent_id", "matches")
    )
    roots = [_Skeleton(row[0], None, bool(row[5])) for row in chosen]
    laid_out = flatten(
        cast(Any, roots),
        cast(Any, (_Skeleton(row[0], row[1], bool(row[2])) for row in reply_rows)),
    )

    # Where each comment is: its thread, its depth (parents come before their replies).
    thread_of: dict[int, tuple] = {}
    depth_of: dict[int, int] = {}
    answer_rows = {row[0]: row for row in chosen}
    current: tuple = ()  # the thread being laid out: an answer comes before its replies
    for entry in laid_out:
        skeleton = cast(_Skeleton, entry.comment)
        if skeleton.parent_id is None:
            current = answer_rows[skeleton.pk]
            depth_of[skeleton.pk] = 0
        else:
            depth_of[skeleton.pk] = depth_of[skeleton.parent_id] + 1
        thread_of[skeleton.pk] = current

    # Skip what the previous page gave, then take a page.
    entries = [cast(_Skeleton, entry.comment) for entry in laid_out]
    start = 0
    if resumed and cursor is not None:
        for index, skeleton in enumerate(entries):
            if thread_of[skeleton.pk][0] != cursor[3]:
                break  # not found in its thread: the thread again, from its start
            if skeleton.pk == cursor[4]:
                start = index + 1
                break
    page: list[_Skeleton] = []
    last = None  # the last comment looked at: the next page starts after it
    more = False
    for skeleton in entries[start:]:
        if skeleton.emits:
            if len(page) == size:
                more = True
                break
            page.append(skeleton)
        last = skeleton
    if not more:
        # Answers left unread beyond those laid out, or perhaps beyond what was fetched.
        more = len(chosen) < len(found) or len(found) == size + 2
    next_cursor = None
    if more and last is not None:
        thread = thread_of[last.pk]
        next_cursor = [thread[2], thread[1], thread[3], thread[0], last.pk]

    rows = _full_rows([skeleton.pk for skeleton in page])
    comments = [
        _comment(
            rows[skeleton.pk],
            question_number=thread_of[skeleton.pk][2],
            depth=depth_of[skeleton.pk],
        )
        for skeleton in page
        if skeleton.pk in rows
    ]
    return ThreadPage(comments, next_cursor)


def _from_thread(cursor: list) -> Q:
    """The answers from the cursor's thread on, itself included: (number, question, time, id)."""
    try:
        number, question_id, posted, answer_id, last = cursor
    except ValueError:
        raise InvalidCursor() from None
    posted_at = pagination.moment(posted)
    if not all(isinstance(value, int) for value in (number, question_id, answer_id, last)):
        raise InvalidCursor()
    return (
        Q(question__number__gt=number)
        | Q(question__number=number, question_id__gt=question_id)
        | Q(question__number=number, question_id=question_id, created_at__gt=posted_at)
        | Q(
            question__number=number,
            question_id=question_id,
            created_at=posted_at,
            pk__gte=answer_id,
        )
    )


def comment_in_thread(pk: int, *, reader) -> ThreadComment | None:
    """
    One comment, if this reader may see it where it is (``Comment.objects.visible_to``,
    the rule of the site's permalinks), with its depth: two queries.
    """
    found = (
        Comment.objects.visible_to(reader)
        .filter(pk=pk)
        .values_list("pk", "root_id", "question__number")
        .first()
    )
    if found is None:
        return None
    _pk, root_id, number = found
    depth = 0
    if root_id is not None:
        parents = dict(Comment.objects.filter(root_id=root_id).values_list("pk", "parent_id"))
        step = pk
        while parents.get(step) is not None:
            depth += 1
            step = parents[step]
    return _comment(_full_rows([pk])[pk], question_number=number, depth=depth)
