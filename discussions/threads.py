"""
Read and assemble comment threads.

A question's thread is a page of top-level answers (sorted as the reader chose) with the
whole reply tree of each. It is read in two queries whatever its size (the answers, then
every reply in their trees, found through ``Comment.root``) and laid out in memory as one
flat, depth-first list. Each entry carries the markers needed to emit properly nested
``<ol>``/``<li>`` elements in a single pass: no recursion, no query per comment.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import models
from django.db.models import Count, F, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from .models import Comment, CommentRow, Discussion, Question, speaker

ANSWERS_PER_PAGE = 50
# Replies nest visually up to this depth; deeper ones line up under their ancestor at this
# depth and say whom they answer ("in reply to @name"), so a long back-and-forth stays
# readable on a phone.
MAX_DEPTH = 6


class Sort(models.TextChoices):
    OLDEST = "oldest", _("Oldest first")
    NEWEST = "newest", _("Newest first")
    HELPFUL = "helpful", _("Most helpful")

    @classmethod
    def parse(cls, value: str | None) -> "Sort":
        """The sort named in a URL, or the default for anything else."""
        return cls(value) if value in cls.values else cls.OLDEST

    @property
    def answer_ordering(self) -> list:
        return {
            Sort.OLDEST: [F("created_at").asc(), F("id").asc()],
            Sort.NEWEST: [F("created_at").desc(), F("id").desc()],
            Sort.HELPFUL: [F("helpful_count").desc(), F("created_at").asc(), F("id").asc()],
        }[self]


@dataclasses.dataclass(slots=True)
class ThreadEntry:
    """One comment in a flattened thread, with the markup markers around it."""

    comment: CommentRow
    depth: int  # display depth: 0 for an answer, capped at MAX_DEPTH
    in_reply_to: CommentRow | None = None  # set when the nesting no longer shows the parent
    opens: bool = False  # a nested list of replies starts just before this comment
    has_replies: bool = False  # this comment's <li> stays open for its replies
    closes: int = 0  # how many nested reply lists close after this comment

    @property
    def closing(self) -> range:
        """One step per reply list to close after this comment (for a template loop)."""
        return range(self.closes)


@dataclasses.dataclass(slots=True)
class QuestionStats:
    answers: int = 0  # top-level comments, deleted ones included (their tombstones show)
    comments: int = 0  # comments not deleted
    participants: int = 0


def flatten(roots: Sequence[CommentRow], replies: Iterable[CommentRow]) -> list[ThreadEntry]:
    """
    Lay out answers and their replies depth first, in reading order.

    ``roots`` are in the order chosen by the reader; ``replies`` must be oldest first
    (replies read as a conversation). A reply whose parent is not among them is left out.
    """
    children: dict[int | None, list[CommentRow]] = defaultdict(list)
    for reply in replies:
        children[reply.parent_id].append(reply)

    entries: list[ThreadEntry] = []
    # Iterative walk: reply chains may be far deeper than Python's recursion limit.
    stack: list[tuple[CommentRow, int, CommentRow | None]] = [
        (root, 0, None) for root in reversed(roots)
    ]
    while stack:
        comment, depth, parent = stack.pop()
        entry = ThreadEntry(comment, min(depth, MAX_DEPTH))
        if depth > MAX_DEPTH:
            entry.in_reply_to = parent
        entries.append(entry)
        for reply in reversed(children.get(comment.pk, ())):
            stack.append((reply, depth + 1, comment))
    _mark_nesting(entries)
    return entries


def _mark_nesting(entries: list[ThreadEntry]) -> None:
    """Derive list openings and closings from the display depth of consecutive entries."""
    previous_depth = 0
    for index, entry in enumerate(entries):
        next_depth = entries[index + 1].depth if index + 1 < len(entries) else 0
        entry.opens = entry.depth > previous_depth
        entry.has_replies = next_depth > entry.depth
        entry.closes = 0 if entry.has_replies else entry.depth - next_depth
        previous_depth = entry.depth


def first_page_threads(
    discussion: Discussion, *, sort: Sort, reader
) -> dict[int, list[ThreadEntry]]:
    """The first page of answers of every question, with their reply trees: two queries."""
    numbered = (
        Comment.objects.for_discussion(discussion)
        .in_threads_for(reader)
        .filter(parent=None)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("question_id")], order_by=sort.answer_ordering
            )
        )
        .filter(position__lte=ANSWERS_PER_PAGE)
        .order_by("question_id", "position")
    )
    roots_by_question: dict[int, list[CommentRow]] = defaultdict(list)
    for root in numbered.rows():
        roots_by_question[root.question_id].append(root)
    replies = _replies_of([root for roots in roots_by_question.values() for root in roots], reader)
    return {
        question_id: flatten(roots, replies[question_id])
        for question_id, roots in roots_by_question.items()
    }


def question_page_thread(question: Question, *, sort: Sort, page: int, reader) -> list[ThreadEntry]:
    """One page of a question's answers with their reply trees: two queries."""
    start = (page - 1) * ANSWERS_PER_PAGE
    roots = list(
        question.comments.in_threads_for(reader)
        .filter(parent=None)
        .order_by(*sort.answer_ordering)[start : start + ANSWERS_PER_PAGE]
        .rows()
    )
    return flatten(roots, _replies_of(roots, reader)[question.pk])


def _replies_of(roots: list[CommentRow], reader) -> dict[int, list[CommentRow]]:
    """Every reply in the given answers' trees, oldest first, grouped by question."""
    grouped: dict[int, list[CommentRow]] = defaultdict(list)
    if roots:
        replies = Comment.objects.filter(root__in=[root.pk for root in roots])
        for reply in replies.in_threads_for(reader).order_by("created_at", "id").rows():
            grouped[reply.question_id].append(reply)
    return grouped


def answer_page_of(comment: Comment) -> int:
    """The page of its question's thread (oldest first) on which a comment appears: 1 query."""
    root_id = comment.root_id or comment.pk
    root_posted = Subquery(Comment.objects.filter(pk=root_id).values("created_at")[:1])
    earlier = (
        Comment.objects.filter(question_id=comment.question_id, parent=None)
        .filter(Q(created_at__lt=root_posted) | Q(created_at=root_posted, id__lt=root_id))
        .count()
    )
    return earlier // ANSWERS_PER_PAGE + 1


def question_stats(discussion: Discussion) -> tuple[dict[int, QuestionStats], int]:
    """Answers, comments and participants per question, and participants overall: 2 queries."""
    live = Q(deleted_at__isnull=True, status=Comment.Status.PUBLISHED)
    rows = (
        Comment.objects.for_discussion(discussion)
        .exclude(status=Comment.Status.PENDING)
        .values("question_id")
        .annotate(
            answers=Count("id", filter=Q(parent=None)),
            comments=Count("id", filter=live),
            participants=Count(speaker(), filter=live, distinct=True),
        )
        .order_by()
    )
    stats = {
        row["question_id"]: QuestionStats(row["answers"], row["comments"], row["participants"])
        for row in rows
    }
    participants = (
        Comment.objects.for_discussion(discussion)
        .filter(live)
        .aggregate(n=Count(speaker(), distinct=True))["n"]
    )
    return stats, participants
