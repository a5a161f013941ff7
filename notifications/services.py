"""
Writes with rules: following, creating notifications (the fan-out), sending their emails.

The fan-out functions (``notify_*``) run in the background worker, never in a web request:
``notifications.receivers`` enqueues them when the transaction that posted a comment commits.
Each is safe to run twice. A notification's ``key`` names the event for its recipient
(``comment:<id>``, ``helpful:<comment>:<member>``, ``opened:<discussion>``) and a unique
constraint on (recipient, key) with ``bulk_create(ignore_conflicts=True)`` drops the
second copy, so a retried task or an edit never notifies anyone twice about one comment.

Emails are sent "lease, send, mark": a run leases the due notifications (a conditional
UPDATE, so two workers never take the same ones), sends, then marks what went out. A
failure leaves the notification due again after a back-off, with ``email_attempts``
counted. A crash between sending and marking can repeat an email once, when the lease
runs out: the only alternative, marking before sending, would lose the email instead.
"""

import datetime
import logging
import operator
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User, holds_permission_q
from clubs.models import Membership
from core.markdown import find_mentions
from discussions import caching
from discussions.models import Comment, Discussion, Follow, Reaction

from .emails import digest_email, notification_email
from .models import Delivery, Notification, NotificationSettings, club_readers_q
from .tokens import DIGEST_PERIODS

logger = logging.getLogger(__name__)

Kind = Notification.Kind
# When several reasons apply to one recipient of one comment, the most specific wins.
PRECEDENCE = [Kind.FOLLOWED_COMMENT, Kind.REPLY, Kind.MENTION]
# At most this many @handles of one comment are looked up (a comment of 10,000 characters
# could otherwise name thousands).
MAX_MENTIONS = 50
# A sending run leases notifications for this long; it must outlast one batch.
EMAIL_LEASE = datetime.timedelta(minutes=15)
EMAIL_BATCH = 500  # immediate emails per lease
DIGEST_MEMBERS_BATCH = 2000  # members per digest round


# --- The fan-out (run by the worker) ---------------------------------------------------------


def notify_comment_posted(*, comment_id: int) -> int:
    """
    Tell everyone concerned about a new comment: the author of the comment it replies to,
    members it mentions, and followers of its thread, question or discussion (the host
    follows their discussion without a row). Posting follows the thread, so the author
    hears about the replies. Returns how many are to be emailed immediately.

    The number of queries does not depend on the number of recipients (the inserts aside,
    batched by a thousand).
    """
    comment = (
        Comment.objects.select_related("author", "parent__author", "question__discussion__host")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or not comment.is_public:
        return 0
    discussion = comment.question.discussion
    thread_id = comment.root_id or comment.pk
    # Posting follows the thread. Done here rather than in the request, which stays as
    # cheap as it was; a member who unfollowed a thread follows it again by posting in it.
    Follow.objects.bulk_create(
        [Follow(member_id=comment.author_id, thread_id=thread_id)], ignore_conflicts=True
    )
    caching.reader_changed(comment.author_id)
    reasons: dict[int, str] = {}
    followers = (
        Follow.objects.filter(
            Q(thread_id=thread_id) | Q(question_id=comment.question_id) | Q(discussion=discussion),
            member__is_active=True,
        )
        .values_list("member_id", flat=True)
        .distinct()
    )
    for member_id in followers:
        reasons[member_id] = Kind.FOLLOWED_COMMENT
    if discussion.host.is_active:
        reasons[discussion.host_id] = Kind.FOLLOWED_COMMENT
    parent = comment.parent
    # A reply to a comment its author deleted still lands; they took their words back, so
    # it is no "reply to you" (they still hear of it if they follow the thread).
    if parent is not None and parent.author.is_active and not parent.is_deleted:
        reasons[parent.author_id] = Kind.REPLY
    for member_id in _mentioned_member_ids(comment.body):
        reasons[member_id] = Kind.MENTION
    reasons.pop(comment.author_id, None)
    return _create_notifications(
        reasons,
        key=f"comment:{comment.pk}",
        discussion_id=discussion.pk,
        comment_id=comment.pk,
        actor_id=comment.author_id,
    )


def notify_comment_edited(*, comment_id: int) -> int:
    """
    Tell members newly mentioned by an edit. Anyone already notified about this comment,
    for whatever reason, is not notified again (the key is per comment).
    """
    comment = Comment.objects.select_related("question").filter(pk=comment_id).first()
    if comment is None or not comment.is_public:
        return 0
    mentioned = set(_mentioned_member_ids(comment.body)) - {comment.author_id}
    return _create_notifications(
        dict.fromkeys(mentioned, Kind.MENTION),
        key=f"comment:{comment.pk}",
        discussion_id=comment.question.discussion_id,
        comment_id=comment.pk,
        actor_id=comment.author_id,
    )


def notify_marked_helpful(*, comment_id: int, member_id: int) -> int:
    """Tell an author that a member marked their comment helpful (once per member)."""
    comment = Comment.objects.select_related("author", "question").filter(pk=comment_id).first()
    if (
        comment is None
        or not comment.is_public
        or comment.author_id == member_id
        or not comment.author.is_active
        # Taken back before the worker got to it: nothing to tell.
        or not Reaction.objects.filter(
            comment=comment, member_id=member_id, kind=Reaction.Kind.HELPFUL
        ).exists()
    ):
        return 0
    return _create_notifications(
        {comment.author_id: Kind.HELPFUL},
        key=f"helpful:{comment.pk}:{member_id}",
        discussion_id=comment.question.discussion_id,
        comment_id=comment.pk,
        actor_id=member_id,
    )


def notify_comment_held(*, comment_id: int, event: str) -> int:
    """
    Tell the moderators of the comment's club (``moderators_of``) that a comment awaits
    their review: a new member's first post, or one flagged by enough members. ``event``
    names the holding ("posted", "flags-<id>"), so a comment held again later is announced
    again, and a retried task is not.
    """
    comment = Comment.objects.select_related("question__discussion").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING or comment.is_deleted:
        return 0  # reviewed (or taken back) before the worker got to it
    moderators = moderators_of(club_id=comment.question.discussion.club_id).exclude(
        pk=comment.author_id
    )
    return _create_notifications(
        dict.fromkeys(moderators, Kind.HELD),
        key=f"held:{comment.pk}:{event}",
        discussion_id=comment.question.discussion_id,
        comment_id=comment.pk,
        actor_id=comment.author_id,
    )


def moderators_of(*, club_id: int):
    """
    The ids of the active members who moderate a club's comments: its leads and moderators
    (not banned from it), and the site's moderators (and superusers), who moderate every
    club. Never the moderators of other clubs: a private club's comments reach no one
    outside it.
    """
    club_moderator = Membership.objects.moderating().filter(club_id=club_id, member=OuterRef("pk"))
    return (
        User.objects.filter(is_active=True)
        .filter(holds_permission_q("moderation.moderate_comments") | Exists(club_moderator))
        .values_list("pk", flat=True)
        .distinct()
    )


def held_notifications_resolve(*, comment: Comment) -> int:
    """A held comment was reviewed: the moderators' notifications about it are read."""
    return Notification.objects.filter(
        kind=Kind.HELD, comment=comment, read_at__isnull=True
    ).update(read_at=timezone.now())


def notify_discussion_opened(*, discussion_id: int) -> int:
    """
    Tell members who asked to hear about new discussions that one has opened: of a private
    club, only its members.
    """
    discussion = Discussion.objects.filter(pk=discussion_id).first()
    if discussion is None or not discussion.is_open:
        return 0
    subscribers = (
        NotificationSettings.objects.filter(
            club_readers_q(club=discussion.club_id, member="member_id"),
            announcements=True,
            paused=False,
            member__is_active=True,
        )
        .exclude(member_id=discussion.host_id)
        .values_list("member_id", "discussion_opened")
    )
    rows = [
        Notification(
            recipient_id=member_id,
            kind=Kind.DISCUSSION_OPENED,
            key=f"opened:{discussion.pk}",
            discussion_id=discussion.pk,
            actor_id=discussion.host_id,
            email_delivery=delivery,
        )
        for member_id, delivery in subscribers.iterator(chunk_size=2000)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return sum(row.email_delivery == Delivery.IMMEDIATE for row in rows)


def _mentioned_member_ids(body: str) -> list[int]:
    """Active members @mentioned in ``body``, matched case-insensitively; unknown ones drop."""
    handles = sorted(find_mentions(body))[:MAX_MENTIONS]
    if not handles:
        return []
    return list(
        User.objects.filter(is_active=True)
        .filter(reduce(operator.or_, (Q(username__iexact=handle) for handle in handles)))
        .values_list("pk", flat=True)
    )


def _create_notifications(
    reasons: dict[int, str], *, key: str, discussion_id: int, comment_id: int, actor_id: int
) -> int:
    """
    One notification per recipient, each with the email delivery its recipient chose for
    its kind; paused members get none, nor do members who may not read the discussion's
    club (mentioned outsiders, followers removed from a private club), moderators aside.
    Existing ones (same recipient and key) are kept as they are. Returns how many are to
    be emailed immediately.
    """
    if not reasons:
        return 0
    chosen = _settings_of(reasons)
    readers = _readers_of(
        [member_id for member_id, kind in reasons.items() if kind != Kind.HELD],
        discussion_id=discussion_id,
    )
    rows = []
    for member_id, kind in reasons.items():
        preferences = chosen.get(member_id) or NotificationSettings()
        if preferences.paused or (kind != Kind.HELD and member_id not in readers):
            continue
        rows.append(
            Notification(
                recipient_id=member_id,
                kind=kind,
                key=key,
                discussion_id=discussion_id,
                comment_id=comment_id,
                actor_id=actor_id,
                email_delivery=preferences.delivery_for(kind),
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return sum(row.email_delivery == Delivery.IMMEDIATE for row in rows)


def _readers_of(member_ids: list[int], *, discussion_id: int) -> set[int]:
    """Those of these members who may read the discussion's club, a thousand per query."""
    club = Subquery(Discussion.objects.filter(pk=discussion_id).values("club_id"))
    found = set()
    for start in range(0, len(member_ids), 1000):
        found.update(
            User.objects.filter(
                club_readers_q(club=club, member="pk"), pk__in=member_ids[start : start + 1000]
            ).values_list("pk", flat=True)
        )
    return found


def _settings_of(member_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    """The saved settings of these members (absent: the defaults), a thousand per query."""
    ids = list(member_ids)
    found = {}
    for start in range(0, len(ids), 1000):
        for row in NotificationSettings.objects.filter(member_id__in=ids[start : start + 1000]):
            found[row.member_id] = row
    return found


# --- Reading and settings --------------------------------------------------------------------


def notification_mark_read(*, member: User, notification: Notification) -> None:
    """Mark one of the member's notifications read (again is harmless)."""
    if notification.recipient_id != member.pk:
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, member: User) -> int:
    """Mark all the member's notifications read; returns how many were unread."""
    return Notification.objects.for_recipient(member).unread().update(read_at=timezone.now())


def notification_settings_save(*, member: User, **choices) -> NotificationSettings:
    """
    Save a member's notification settings. Notifications still waiting for their email
    follow the new choice (a kind turned off is not emailed any more; one moved from a
    digest to "immediately" goes out with the next run); ones that were never to be
    emailed stay so.
    """
    with transaction.atomic():
        preferences, _created = NotificationSettings.objects.select_for_update().get_or_create(
            member=member
        )
        before = {kind: preferences.delivery_for(kind) for kind in Kind.values}
        for name, value in choices.items():
            setattr(preferences, name, value)
        preferences.full_clean(exclude=["member"])
        preferences.save()
        for kind in Kind.values:
            if preferences.delivery_for(kind) != before[kind]:
                Notification.objects.filter(
                    recipient=member, kind=kind, emailed_at__isnull=True
                ).exclude(email_delivery=Delivery.NEVER).update(
                    email_delivery=preferences.delivery_for(kind)
                )
    return preferences


def unsubscribe_kinds(*, member: User, scope: str) -> list[str]:
    """The kinds of email an unsubscribe with this scope turns off for the member now."""
    preferences = NotificationSettings.for_member(member)
    if scope in Kind.values:
        return [scope] if preferences.delivery_for(scope) != Delivery.NEVER else []
    return [kind for kind in Kind.values if preferences.delivery_for(kind) == scope]


def notification_unsubscribe(*, member: User, scope: str) -> list[str]:
    """Turn off one kind of email, or every kind sent in one digest. Returns the kinds."""
    kinds = unsubscribe_kinds(member=member, scope=scope)
    notification_settings_save(member=member, **dict.fromkeys(kinds, Delivery.NEVER))
    return kinds


# --- Sending emails (run by the worker and the scheduled commands) ---------------------------


@dataclass
class SendReport:
    sent: int = 0  # emails
    failed: int = 0  # emails
    notifications: int = 0  # notifications marked emailed
    failed_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "notifications": self.notifications}


def send_pending_immediate(*, now: datetime.datetime | None = None) -> SendReport:
    """Email every notification due "immediately", one email each, 500 per round."""

    now = now or timezone.now()
    report = SendReport()
    due = Notification.objects.email_due(Delivery.IMMEDIATE, now)
    while True:
        ids = list(due.order_by("created_at", "id").values_list("pk", flat=True)[:EMAIL_BATCH])
        if not ids:
            return report
        batch = _lease(ids, now=now)
        messages = [([n.pk], notification_email(n)) for n in batch if not _comment_gone(n)]
        _deliver(messages, now=now, report=report)
        if len(ids) < EMAIL_BATCH:
            return report


def send_digest(*, period: str, now: datetime.datetime | None = None) -> SendReport:
    """
    Email each member one digest of their notifications due by ``period`` ("daily" or
    "weekly"), grouped by discussion. A re-run sends nothing already sent.

    The queries do not grow with the members: up to DIGEST_MEMBERS_BATCH members'
    notifications are found, leased, fetched (with everything the emails show) and
    marked in five queries, however many members and notifications that is.
    """

    if period not in DIGEST_PERIODS:
        raise ValueError(f"Unknown digest period: {period!r}")
    now = now or timezone.now()
    report = SendReport()
    due = Notification.objects.email_due(period, now)
    while True:
        # Members first, then their notifications: a member's digest is never split
        # between two rounds. Plain id lists rather than nested subqueries keep every
        # query plan simple, even on tables whose statistics are out of date.
        members = list(
            due.order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:DIGEST_MEMBERS_BATCH]
        )
        if not members:
            return report
        ids = list(due.filter(recipient_id__in=members).values_list("pk", flat=True))
        by_member: dict[int, list[Notification]] = defaultdict(list)
        for notification in _lease(ids, now=now):
            if not _comment_gone(notification):
                by_member[notification.recipient_id].append(notification)
        messages = [
            ([n.pk for n in items], digest_email(items[0].recipient, items, period=period))
            for items in by_member.values()
        ]
        _deliver(messages, now=now, report=report)
        if len(members) < DIGEST_MEMBERS_BATCH:
            return report


def _lease(ids: list[int], *, now: datetime.datetime) -> list[Notification]:
    """
    Take these due notifications for this run and fetch them for the emails.

    The UPDATE checks on each row that nobody sent or leased it in the meantime (on
    PostgreSQL a concurrent run's lease makes the row fail the check when it is re-read
    after the lock), so two runs never take the same notification.
    """
    claim = uuid.uuid4().hex
    Notification.objects.filter(
        Q(email_locked_until__isnull=True) | Q(email_locked_until__lte=now),
        emailed_at__isnull=True,
        pk__in=ids,
    ).update(email_claim=claim, email_locked_until=now + EMAIL_LEASE)
    return list(Notification.objects.filter(email_claim=claim).for_email())


def _comment_gone(notification: Notification) -> bool:
    """
    Deleted (or hidden by a moderator) since the notification was created, or for
    moderators, reviewed already: never quoted, not emailed. It stays leased; when the
    lease ends it is no longer due (a hidden comment is looked at again: it may have been
    restored).
    """
    return not notification.is_deliverable


def _deliver(
    messages: list[tuple[list[int], EmailMultiAlternatives]],
    *,
    now: datetime.datetime,
    report: SendReport,
) -> None:
    """Send over one connection; mark what went out, count and back off what did not."""
    sent: list[int] = []
    failed: list[int] = []
    if messages:
        connection = get_connection()
        try:
            connection.open()
        except Exception:
            logger.exception("Could not connect to the mail server")
            failed = [pk for ids, _message in messages for pk in ids]
            report.failed += len(messages)
            messages = []
        for ids, message in messages:
            message.connection = connection
            try:
                message.send()
            except Exception:
                logger.exception("Could not send notification email to %s", message.to)
                failed.extend(ids)
                report.failed += 1
            else:
                sent.extend(ids)
                report.sent += 1
        try:
            connection.close()
        except Exception:
            logger.warning("Could not close the mail connection", exc_info=True)
    if sent:
        Notification.objects.filter(pk__in=sent).update(
            emailed_at=now, email_claim="", email_locked_until=None
        )
    if failed:
        # Back off: 5 minutes after the first failure, doubling up to 12 hours. One UPDATE
        # per distinct attempt count (at most MAX_EMAIL_ATTEMPTS), not per notification.
        attempts = defaultdict(list)
        for pk, count in Notification.objects.filter(pk__in=failed).values_list(
            "pk", "email_attempts"
        ):
            attempts[count].append(pk)
        for count, ids in attempts.items():
            Notification.objects.filter(pk__in=ids).update(
                email_attempts=F("email_attempts") + 1,
                email_claim="",
                email_locked_until=now + retry_delay(count + 1),
            )
    report.notifications += len(sent)
    report.failed_ids.extend(failed)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failure before trying again."""
    return min(datetime.timedelta(minutes=5 * 2 ** (attempts - 1)), datetime.timedelta(hours=12))


# --- A member's data (for accounts' export and deletion, through NotificationsConfig) ------


def member_export(*, member: User) -> dict:
    """How the member chose to hear about each kind of event."""
    preferences = NotificationSettings.for_member(member)
    return {
        "notification_settings": {
            field.name: getattr(preferences, field.name)
            for field in NotificationSettings._meta.concrete_fields
            if field.name not in ("id", "member")
        }
    }


def member_forget(*, member: User, remove_text: bool) -> None:
    """The member's notifications and delivery preferences go with the account."""
    Notification.objects.filter(recipient=member).delete()
    NotificationSettings.objects.filter(member=member).delete()
