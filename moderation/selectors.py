"""
Reads for the review queue: which comments wait, why, for how long, and how many of each.

The queue is one annotated queryset (``queue_comments``); the filters (``QueueFilters``) are
conditions on it, and the counts beside each filter (``queue_counts``) apply every *other*
filter, as faceted search does: "Spam (3)" says how many the list would show on choosing it.
Every read here is a fixed number of queries, however long the queue and however many clubs.

The queue is kept per club: every read takes ``clubs``, the clubs whose comments the
moderator may see (``clubs.access.moderated_clubs``: None for a site moderator, who sees
every club's). It is a scope, not a filter: nothing outside it is ever read, not even for a
count or a filter's label.
"""

import dataclasses
import datetime
from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Suspension
from clubs.context_processors import site_has_many_clubs
from clubs.models import Club
from discussions.models import Comment, Discussion

from .models import Flag, ModerationAction


class QueueState(models.TextChoices):
    """Why a comment is in the queue (or, for hidden ones, that a moderator took it out)."""

    FIRST_POST = "first_post", _("First posts")
    HELD = "held", _("Held after flags")
    FLAGGED = "flagged", _("Flagged")
    HIDDEN = "hidden", _("Hidden")


class QueueAge(models.TextChoices):
    """How long a comment has waited: since its first open flag, or since it was posted."""

    DAY = "day", _("Less than a day")
    WEEK = "week", _("Less than a week")
    OLDER = "older", _("More than a week")


class QueueOrder(models.TextChoices):
    OLDEST = "oldest", _("Oldest first")
    NEWEST = "newest", _("Newest first")
    MOST_FLAGGED = "most_flagged", _("Most flagged first")


# What a state means, on the annotations of ``queue_comments``. An empty state is the
# queue proper: everything that awaits a decision (hidden comments do not).
STATE_CONDITIONS = {
    QueueState.FIRST_POST: Q(status=Comment.Status.PENDING, open_flag_count=0),
    QueueState.HELD: Q(status=Comment.Status.PENDING, open_flag_count__gt=0),
    QueueState.FLAGGED: Q(status=Comment.Status.PUBLISHED, open_flag_count__gt=0),
    QueueState.HIDDEN: Q(status=Comment.Status.HIDDEN),
}
AWAITING = (
    STATE_CONDITIONS[QueueState.FIRST_POST]
    | STATE_CONDITIONS[QueueState.HELD]
    | STATE_CONDITIONS[QueueState.FLAGGED]
)


@dataclasses.dataclass(frozen=True)
class QueueFilters:
    """What the moderator asked the queue for; empty values mean "any"."""

    state: str = ""
    reason: str = ""
    club: int | None = None
    discussion: int | None = None
    age: str = ""
    order: str = QueueOrder.OLDEST

    @property
    def is_filtered(self) -> bool:
        return bool(self.state or self.reason or self.club or self.discussion or self.age)


@dataclasses.dataclass(frozen=True)
class QueueCounts:
    """How many comments each filter value would show, given the other filters."""

    states: dict[str, int]
    reasons: dict[str, int]
    ages: dict[str, int]
    discussions: list[tuple[int, str, int]]  # (id, title, count), by title
    clubs: list[tuple[int, str, int]] = dataclasses.field(default_factory=list)  # by name

    @property
    def awaiting(self) -> int:
        return sum(self.states[state] for state in QueueState if state != QueueState.HIDDEN)

    def state_tabs(self, filters: QueueFilters) -> list[dict]:
        """The summary by state, as links: the queue proper (no state), then each state."""
        tabs: list[dict] = [{"value": None, "label": _("Awaiting review"), "count": self.awaiting}]
        tabs += [
            {"value": state.value, "label": state.label, "count": self.states[state]}
            for state in QueueState
        ]
        for tab in tabs:
            tab["current"] = (tab["value"] or "") == filters.state
        return tabs

    def reason_links(self, filters: QueueFilters) -> list[dict]:
        """The summary by flag reason, as links (a chosen reason links back to any)."""
        return [
            {
                "value": None if reason == filters.reason else reason.value,
                "label": reason.label,
                "count": self.reasons[reason],
                "current": reason == filters.reason,
            }
            for reason in Flag.Reason
        ]


def _open_flags() -> QuerySet[Flag]:
    return Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)


def _count(queryset: QuerySet) -> Coalesce:
    """The number of rows of ``queryset`` (correlated to the outer query), as a subquery."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


def in_clubs(comments: QuerySet[Comment], clubs: Collection[int] | None) -> QuerySet[Comment]:
    """The comments posted in these clubs (None: in every club)."""
    if clubs is None:
        return comments
    return comments.filter(question__discussion__club_id__in=clubs)


def queue_comments(*, clubs: Collection[int] | None) -> QuerySet[Comment]:
    """
    Every comment the queue can show (not deleted) in these clubs (None: every club), with
    ``open_flag_count`` and ``waiting_since``: since the first open flag, or since it was
    posted.
    """
    first_flagged = _open_flags().order_by("created_at").values("created_at")[:1]
    # A cheap outer bound first (indexed status, an uncorrelated IN), so the correlated
    # subqueries below run for the few candidates only, not for every comment on the site.
    flagged = Flag.objects.filter(resolved_at__isnull=True).values("comment_id")
    candidates = Q(status__in=[Comment.Status.PENDING, Comment.Status.HIDDEN]) | Q(pk__in=flagged)
    return (
        in_clubs(Comment.objects.filter(candidates, deleted_at__isnull=True), clubs)
        .annotate(open_flag_count=_count(_open_flags()))
        .annotate(waiting_since=Coalesce(Subquery(first_flagged), F("created_at")))
    )


def _filtered(
    comments: QuerySet[Comment], filters: QueueFilters, *, now: datetime.datetime, skip: str = ""
) -> QuerySet[Comment]:
    """``comments`` with every filter applied but ``skip`` (for that filter's own counts)."""
    if skip != "state":
        comments = comments.filter(STATE_CONDITIONS.get(filters.state, AWAITING))  # type: ignore[call-overload]
    if skip != "reason" and filters.reason:
        comments = comments.filter(Exists(_open_flags().filter(reason=filters.reason)))
    if skip != "club" and filters.club:
        comments = comments.filter(question__discussion__club_id=filters.club)
    if skip != "discussion" and filters.discussion:
        comments = comments.filter(question__discussion_id=filters.discussion)
    if skip != "age" and filters.age:
        comments = comments.filter(_age_condition(filters.age, now))
    return comments


def _age_condition(age: str, now: datetime.datetime) -> Q:
    day, week = now - datetime.timedelta(days=1), now - datetime.timedelta(days=7)
    return {
        QueueAge.DAY: Q(waiting_since__gte=day),
        QueueAge.WEEK: Q(waiting_since__gte=week),
        QueueAge.OLDER: Q(waiting_since__lt=week),
    }[QueueAge(age)]


def queue_items(
    filters: QueueFilters,
    *,
    clubs: Collection[int] | None,
    now: datetime.datetime | None = None,
) -> QuerySet[Comment]:
    """
    The comments the queue lists, in these clubs (None: every club), with what each item
    shows: where it is (club, discussion, question, the parent of a reply), its open flags
    and who raised them, and its author's
    standing (``author_published``, ``author_hidden``, ``author_suspensions``,
    ``author_suspended``, ``author_suspended_until``). Hidden ones also say when and by
    whom (``hidden_at``, ``hidden_by``).
    """
    now = now or timezone.now()
    by_author = {"author": OuterRef("author_id"), "deleted_at__isnull": True}
    in_force = Suspension.objects.in_force(now).filter(member=OuterRef("author_id"))
    items = (
        _filtered(queue_comments(clubs=clubs), filters, now=now)
        .select_related(
            "author",
            "pseudonym",
            "question__discussion__article",
            "question__discussion__club",
            "parent__author",
            "parent__pseudonym",
        )
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(resolved_at__isnull=True)
                .select_related("flagger")
                .order_by("created_at", "id"),
                to_attr="open_flags",
            )
        )
        .annotate(
            author_published=_count(
                Comment.objects.filter(**by_author, status=Comment.Status.PUBLISHED)
            ),
            author_hidden=_count(Comment.objects.filter(**by_author, status=Comment.Status.HIDDEN)),
            author_suspensions=_count(Suspension.objects.filter(member=OuterRef("author_id"))),
            author_suspended=Exists(in_force),
            author_suspended_until=Subquery(in_force.order_by("-created_at").values("until")[:1]),
        )
    )
    if filters.state == QueueState.HIDDEN:
        hides = ModerationAction.objects.filter(
            comment=OuterRef("pk"), kind=ModerationAction.Kind.HIDE
        ).order_by("-created_at", "-id")
        items = items.annotate(
            hidden_at=Subquery(hides.values("created_at")[:1]),
            hidden_by=Subquery(
                hides.annotate(
                    name=Coalesce(
                        NullIf("moderator__display_name", models.Value("")),
                        "moderator__username",
                    )
                ).values("name")[:1]
            ),
        )
    order = {
        QueueOrder.NEWEST: ["-waiting_since", "-id"],
        QueueOrder.MOST_FLAGGED: ["-open_flag_count", "waiting_since", "id"],
    }.get(filters.order, ["waiting_since", "id"])  # type: ignore[call-overload]
    return items.order_by(*order)


def queue_counts(
    filters: QueueFilters,
    *,
    clubs: Collection[int] | None,
    now: datetime.datetime | None = None,
) -> QueueCounts:
    """
    The counts beside each filter's values, in these clubs (None: every club): five
    queries, whatever the queue holds and however many clubs.
    """
    now = now or timezone.now()
    comments = queue_comments(clubs=clubs)
    states = _filtered(comments, filters, now=now, skip="state").aggregate(
        **{state.value: Count("pk", filter=STATE_CONDITIONS[state]) for state in QueueState}
    )
    reasons = _filtered(comments, filters, now=now, skip="reason").aggregate(
        **{
            reason.value: Count("pk", filter=Exists(_open_flags().filter(reason=reason)))
            for reason in Flag.Reason
        }
    )
    ages = _filtered(comments, filters, now=now, skip="age").aggregate(
        **{age.value: Count("pk", filter=_age_condition(age, now)) for age in QueueAge}
    )
    discussions = (
        _filtered(comments, filters, now=now, skip="discussion")
        .values_list("question__discussion_id", "question__discussion__article__title")
        .annotate(n=Count("pk"))
        .order_by("question__discussion__article__title", "question__discussion_id")
    )
    listed = [(pk, title, n) for pk, title, n in discussions]
    if filters.discussion and filters.discussion not in {pk for pk, _title, _n in listed}:
        # The chosen discussion has nothing under the other filters: it stays on the list
        # (with 0), or the form would silently show "All discussions".
        chosen = Discussion.objects.filter(pk=filters.discussion)
        if clubs is not None:
            chosen = chosen.filter(club_id__in=clubs)
        listed += [
            (filters.discussion, title, 0) for (title,) in chosen.values_list("article__title")
        ]
    by_club = (
        _filtered(comments, filters, now=now, skip="club")
        .values_list("question__discussion__club_id", "question__discussion__club__name")
        .annotate(n=Count("pk"))
        .order_by("question__discussion__club__name", "question__discussion__club_id")
    )
    club_counts = [(pk, name, n) for pk, name, n in by_club]
    if filters.club and filters.club not in {pk for pk, _name, _n in club_counts}:
        chosen_club = Club.objects.filter(pk=filters.club)
        if clubs is not None:
            chosen_club = chosen_club.filter(pk__in=clubs)
        club_counts += [(filters.club, name, 0) for (name,) in chosen_club.values_list("name")]
    return QueueCounts(
        states=states, reasons=reasons, ages=ages, discussions=listed, clubs=club_counts
    )


def several_clubs(clubs: Collection[int] | None) -> bool:
    """
    Does the moderator keep more than one club's queue? Then the queue names each item's
    club and offers a choice of club; on a one-club site it looks as it always did.
    """
    if clubs is not None:
        return len(clubs) > 1
    return site_has_many_clubs()


def is_new_member(published: int) -> bool:
    """Still among the members whose first posts wait for a moderator."""
    return published < settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS


def for_display(items: list[Comment]) -> list[Comment]:
    """
    What each listed item shows besides its fields: ``queue_state``, ``author_is_new``,
    and ``then``: the item to land on once it is decided (the next one, or the previous
    one for the last), so a moderator keeps their place.
    """
    for index, comment in enumerate(items):
        comment.queue_state = next(  # type: ignore[attr-defined]
            state for state, matches in _STATE_TESTS.items() if matches(comment)
        )
        comment.author_is_new = is_new_member(comment.author_published)  # type: ignore[attr-defined]
        neighbour = items[index + 1] if index + 1 < len(items) else items[index - 1]
        comment.then = neighbour.pk if neighbour is not comment else None  # type: ignore[attr-defined]
    return items


# STATE_CONDITIONS, for one comment in hand.
_STATE_TESTS = {
    QueueState.HIDDEN: lambda c: c.status == Comment.Status.HIDDEN,
    QueueState.FIRST_POST: lambda c: c.status == Comment.Status.PENDING and not c.open_flag_count,
    QueueState.HELD: lambda c: c.status == Comment.Status.PENDING,
    QueueState.FLAGGED: lambda c: True,
}
