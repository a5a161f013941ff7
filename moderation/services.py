"""
Moderation: flags, the review of comments, locks, suspensions and the code of conduct.

Every action a moderator takes goes through one of these functions, which checks the
permission, changes the state and writes the audit log (``ModerationAction``) in the same
transaction, so the log can never miss an action nor record one that did not happen.

Comments and threads are moderated per club: by the club's leads and moderators, and by the
site's moderators in every club (``discussions.services.can_moderate`` and ``can_lock``, asked
of the comment's own discussion). Suspending a member is site-wide, for the site's only.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Suspension, User
from accounts.selectors import forget_suspension
from clubs import access
from core.ratelimits import consume
from discussions import caching, signals
from discussions import services as discussion_services
from discussions.models import Comment, Discussion, Question
from discussions.services import NotAllowed, member_is_verified, suspension_message

from .models import Flag, ModerationAction

# --- Who may do what -------------------------------------------------------------------------


def can_moderate(user: User, discussion: Discussion) -> bool:
    """Review this discussion's comments: its club's leads and moderators, the site's."""
    return user.is_authenticated and discussion_services.can_moderate(user, discussion)


def can_lock(user: User, discussion: Discussion) -> bool:
    """Lock this discussion or its questions: its club's leads and moderators, the site's."""
    return user.is_authenticated and discussion_services.can_lock(user, discussion)


def can_suspend(user: User) -> bool:
    return user.is_authenticated and user.has_perm("moderation.moderate_members")


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_("Only moderators can do that."))


# --- Flags -------------------------------------------------------------------------------------


def flag_create(*, comment: Comment, flagger: User, reason: str, note: str = "") -> Flag:
    """
    A member flags a comment. Enough flags from different members hide it for review.

    One flag per member per comment; not one's own comment, nor a deleted one.
    """
    note = note.strip()
    with transaction.atomic():
        comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
        if not member_is_verified(flagger):
            raise NotAllowed(_("Please confirm your email address before flagging comments."))
        suspension = Suspension.objects.in_force().filter(member=flagger).first()
        if suspension is not None:
            raise NotAllowed(suspension_message(suspension))
        if comment.author_id == flagger.pk:
            raise NotAllowed(_("You cannot flag your own comment."))
        if comment.is_deleted:
            raise NotAllowed(_("That comment was deleted."))
        if Flag.objects.filter(comment=comment, flagger=flagger).exists():
            raise NotAllowed(_("You have already flagged this comment."))
        flag = Flag(comment=comment, flagger=flagger, reason=reason, note=note)
        flag.full_clean(exclude=["comment", "flagger"])
        try:
            with transaction.atomic():
                flag.save()
        except IntegrityError as error:  # a second click that raced the first
            raise NotAllowed(_("You have already flagged this comment.")) from error
        open_flags = Flag.objects.filter(comment=comment, resolved_at__isnull=True).count()
        if open_flags >= settings.JOURNAL_CLUB_FLAGS_TO_HIDE and (
            comment.status == Comment.Status.PUBLISHED
        ):
            comment.status = Comment.Status.PENDING
            comment.save(update_fields=["status"])
            caching.comments_changed([comment.pk])
            action = _log(
                ModerationAction.Kind.AUTO_HIDE,
                None,
                comment=comment,
                reason=_("%(count)s members flagged it.") % {"count": open_flags},
            )
            signals.comment_held.send(sender=Comment, comment=comment, event=f"flags-{action.pk}")
        consume("flag", flagger.pk)  # last: a refused flag does not count
    return flag


# --- Reviewing comments ----------------------------------------------------------------------


def comment_approve(*, comment: Comment, moderator: User, reason: str = "") -> Comment:
    """Publish a comment that awaited review (first post or flagged); flags are resolved."""
    return _set_status(
        comment, moderator, Comment.Status.PUBLISHED, ModerationAction.Kind.APPROVE, reason
    )


def comment_approve_and_trust(*, comment: Comment, moderator: User, reason: str = "") -> Comment:
    """Approve a new member's comment and the member: their other held first posts too."""
    with transaction.atomic():
        comment = comment_approve(comment=comment, moderator=moderator, reason=reason)
        member_approve(member=comment.author, moderator=moderator, reason=reason)
    return comment


def comment_hide(*, comment: Comment, moderator: User, reason: str) -> Comment:
    """Hide a comment; its tombstone shows the reason and its replies stay."""
    reason = reason.strip()
    if not reason:
        raise NotAllowed(_("Say why the comment is hidden: the reason is shown in its place."))
    return _set_status(
        comment, moderator, Comment.Status.HIDDEN, ModerationAction.Kind.HIDE, reason
    )


def comment_restore(*, comment: Comment, moderator: User, reason: str = "") -> Comment:
    """Show a hidden comment again."""
    return _set_status(
        comment, moderator, Comment.Status.PUBLISHED, ModerationAction.Kind.RESTORE, reason
    )


def member_approve(*, member: User, moderator: User, reason: str = "") -> int:
    """
    Trust a new member: publish every comment of theirs that waits only because it was
    among their first (not those held by members' flags, which need a look each).
    Returns how many were published. A club's moderator trusts the member in their own
    clubs only: the member's first posts elsewhere still wait for those clubs' moderators.
    """
    clubs = access.moderated_clubs(moderator)
    _require(clubs is None or bool(clubs))
    flagged = Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    held = Comment.objects.filter(
        author=member, status=Comment.Status.PENDING, deleted_at__isnull=True
    ).exclude(Exists(flagged))
    if clubs is not None:
        held = held.filter(question__discussion__club_id__in=clubs)
    published = 0
    for comment in held.order_by("created_at", "id"):
        comment_approve(comment=comment, moderator=moderator, reason=reason)
        published += 1
    return published


def _set_status(comment, moderator, status, kind, reason) -> Comment:
    """
    Set a comment's status, resolve its flags, log the decision. A comment published for
    the first time (approved after it was held) then does what posting it would have
    done: its notifications, emails and the author's follow of the thread (idempotent:
    nobody hears twice of one comment).
    """
    _require(can_moderate(moderator, _discussion_of(comment)))
    with transaction.atomic():
        comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
        was_published = comment.status == Comment.Status.PUBLISHED
        comment.status = status
        comment.moderation_note = reason if status == Comment.Status.HIDDEN else ""
        comment.save(update_fields=["status", "moderation_note"])
        caching.comments_changed([comment.pk])
        Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        _log(kind, moderator, comment=comment, reason=reason)
        signals.comment_reviewed.send(
            sender=Comment,
            comment=comment,
            published=status == Comment.Status.PUBLISHED
            and not was_published
            and not comment.is_deleted,
        )
    return comment


def _discussion_of(comment: Comment) -> Discussion:
    """The comment's discussion, as loaded with it, or read (with no other field) if not."""
    if Comment.question.is_cached(comment) and Question.discussion.is_cached(comment.question):
        return comment.question.discussion
    return Discussion.objects.only("club").get(questions=comment.question_id)


# --- Pseudonyms ----------------------------------------------------------------------------------


def pseudonym_reveal(*, comment: Comment, moderator: User) -> User:
    """
    Who wrote a comment under a pseudonym, for the club's leads and moderators (and the
    site's): each look is written to the audit log. The entry names the comment, not the
    member, so that reading the log does not tell who it is without a look of one's own.
    """
    _require(can_moderate(moderator, _discussion_of(comment)))
    if comment.pseudonym_id is None:
        raise NotAllowed(_("This comment was not posted under a pseudonym."))
    _log(ModerationAction.Kind.REVEAL, moderator, comment=comment)
    return comment.author


# --- Locks ---------------------------------------------------------------------------------------


def question_lock(*, question: Question, moderator: User, note: str) -> Question:
    """Make a question's thread read-only, saying why."""
    return _lock(question, moderator, note)


def discussion_lock(*, discussion: Discussion, moderator: User, note: str) -> Discussion:
    """Make a whole discussion read-only, saying why."""
    return _lock(discussion, moderator, note)


def _lock(target, moderator, note: str):
    _require(can_lock(moderator, target if isinstance(target, Discussion) else target.discussion))
    note = note.strip()
    kind = ModerationAction.Kind.LOCK if note else ModerationAction.Kind.UNLOCK
    if kind is ModerationAction.Kind.LOCK and len(note) > 300:
        raise NotAllowed(_("Keep the lock note under 300 characters."))
    with transaction.atomic():
        type(target).objects.filter(pk=target.pk).update(lock_note=note)
        target.lock_note = note
        caching.discussions_changed([getattr(target, "discussion_id", target.pk)])
        _log(
            kind,
            moderator,
            target=str(target)[:200],
            reason=note,
            discussion_id=getattr(target, "discussion_id", target.pk),
        )
    return target


# --- Suspensions ---------------------------------------------------------------------------------


def member_suspend(
    *, member: User, moderator: User, reason: str, until: datetime.datetime | None = None
) -> Suspension:
    """Suspend a member for a period (or indefinitely): they cannot post and are told why."""
    _require(can_suspend(moderator))
    reason = reason.strip()
    if not reason:
        raise NotAllowed(_("Say why: the member is shown the reason."))
    if member.pk == moderator.pk:
        raise NotAllowed(_("You cannot suspend yourself."))
    if until is not None and until <= timezone.now():
        raise NotAllowed(_("The end of a suspension must be in the future."))
    with transaction.atomic():
        suspension = Suspension.objects.create(
            member=member, reason=reason, until=until, created_by=moderator
        )
        _log(ModerationAction.Kind.SUSPEND, moderator, member=member, reason=reason)
    forget_suspension(member)
    caching.reader_changed(member.pk)
    return suspension


def suspension_lift(*, suspension: Suspension, moderator: User, reason: str = "") -> Suspension:
    """End a suspension early."""
    _require(can_suspend(moderator))
    with transaction.atomic():
        Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now()
        )
        suspension.refresh_from_db()
        _log(ModerationAction.Kind.LIFT, moderator, member=suspension.member, reason=reason)
    forget_suspension(suspension.member)
    caching.reader_changed(suspension.member_id)
    return suspension


# --- Audit log -----------------------------------------------------------------------------------


def _log(
    kind, moderator, *, comment=None, member=None, target="", reason="", discussion_id=None
) -> ModerationAction:
    if comment is not None and not target:
        target = _("Comment %(id)s by %(author)s") % {
            "id": comment.pk,
            "author": comment.shown_author_name,
        }
    if member is not None and not target:
        target = str(member)
    return ModerationAction.objects.create(
        kind=kind,
        moderator=moderator,
        comment=comment,
        member=member,
        discussion_id=discussion_id,
        target=str(target)[:200],
        reason=reason,
    )


# --- A member's data (for accounts' export and deletion, through ModerationConfig) ---------


def member_export(*, member: User) -> dict:
    """The flags the member raised."""
    return {
        "flags": [
            {"comment": flag.comment_id, "reason": flag.reason, "details": flag.note}
            for flag in Flag.objects.filter(flagger=member).order_by("created_at")
        ]
    }


def member_forget(*, member: User, remove_text: bool) -> None:
    """The moderation log copied the member's name as text: it names no one any more."""
    ModerationAction.objects.filter(comment__author=member).update(
        target=_("A deleted member's comment")
    )
    ModerationAction.objects.filter(member=member).update(target=_("A deleted member"))
