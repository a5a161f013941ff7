"""
Writes with rules: posting, replying, editing and deleting comments, and following.

Every rule lives here, so that no view (plain, htmx or admin) can skip one. Each service is
a keyword-only function that runs in one transaction and either does the whole job or
raises: ``NotAllowed`` when the person may not do this at all (the view answers 403 with
the message), ``ValidationError`` when what they sent is wrong (the form shows it).

Locks, on PostgreSQL, are taken in one order by every write: the comment rows concerned,
then the member, then the discussion's version row.
Row locks are ``FOR NO KEY UPDATE`` (``no_key=True``), never plain ``FOR UPDATE``: the
foreign-key checks of a new reply (its parent, root, question and author, checked at
commit) take ``FOR KEY SHARE`` on those rows, which only ``FOR UPDATE`` blocks. With
``FOR UPDATE`` on a thread's first comment, a reply under it waited for that lock while
holding the discussion's version, and replies at the same moment deadlocked.
"""

import datetime
import operator
from functools import reduce
from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Suspension, User
from accounts.selectors import member_suspension
from clubs import access
from core.markdown import render_markdown
from core.ratelimits import consume

from . import caching, signals
from .models import (
    Comment,
    CommentRevision,
    Discussion,
    DiscussionVisit,
    Follow,
    Pseudonym,
    Question,
    Reaction,
)

# The licence members agree to when they post (the form says so beside its button): their
# public comments may be published in the club's proceedings under it.
COMMENT_LICENCE = "CC-BY-4.0"


class NotAllowed(PermissionDenied):
    """A rule forbids the action; the message tells the member which one, in plain words."""


# --- Who may do what (also used by views and templates to decide what to offer) -------


def member_is_verified(user: User) -> bool:
    """
    Is this a confirmed member? Members join the "Members" role, which carries the right
    to post, when they confirm their email address.
    """
    return user.is_authenticated and user.is_active and user.has_perm("discussions.add_comment")


def member_can_participate(user: User) -> bool:
    """May post, edit, react and flag: a confirmed member who is not suspended."""
    return member_is_verified(user) and member_suspension(user) is None


def can_take_part(user: User, discussion: Discussion) -> bool:
    """May take part in this discussion: a participant, and the club takes their words."""
    return member_can_participate(user) and access.may_post(user, discussion.club)


def can_edit_comment(user: User, comment: Comment, discussion: Discussion) -> bool:
    return (
        user.is_authenticated
        and comment.author_id == user.pk
        and not comment.is_deleted
        and comment.status != Comment.Status.HIDDEN
        and discussion.is_open
        and not comment.question.lock_note
    )


def can_host(user: User, discussion: Discussion) -> bool:
    """
    The discussion's own host (a host of its club, or with the site's host role), the
    club's leads, or staff who curate discussions.
    """
    if not user.is_authenticated:
        return False
    if access.is_lead(user, discussion.club_id) or user.has_perm("discussions.change_discussion"):
        return True
    return discussion.host_id == user.pk and (
        access.can_host(user, discussion.club_id) or user.has_perm("discussions.host_discussion")
    )


def can_moderate(user: User, discussion: Discussion) -> bool:
    """The club's leads and moderators, and the site's moderators."""
    return access.can_moderate(user, discussion.club_id)


def can_lock(user: User, discussion: Discussion) -> bool:
    """Lock questions and the discussion: the club's leads and moderators, the site's."""
    if not user.is_authenticated:
        return False
    return access.moderates(user, discussion.club_id) or user.has_perm("moderation.lock_threads")


def can_write_synthesis(user: User, discussion: Discussion) -> bool:
    return can_host(user, discussion)


def can_delete_comment(user: User, comment: Comment) -> bool:
    # Authors may take their words back even after a discussion has closed.
    return user.is_authenticated and comment.author_id == user.pk and not comment.is_deleted


def check_can_post(*, member: User, question: Question) -> None:
    """Raise NotAllowed, with the reason, unless the member may post on this question now."""
    _require_open(question.discussion, question)
    _require_participant(member, question.discussion)


# --- Services ----------------------------------------------------------------------------


def comment_post(
    *,
    question: Question,
    author: User,
    body: str,
    parent: Comment | None = None,
    label: str = "",
    language: str = "",
    pseudonym: str | None = None,
) -> Comment:
    """
    Post an answer to ``question``, or a reply to ``parent`` (a comment of the same question),
    written in ``language`` (by default the discussion's), under the author's name or, with
    ``pseudonym`` (where the club allows it), under their pseudonym in this discussion: the
    name given the first time, the same ever after ("" takes the one they have).

    An identical comment by the same author in the same place within a few seconds is taken
    as a double-submitted form: the earlier comment is returned and nothing new is saved.
    """
    body = _clean_body(body)
    with transaction.atomic():
        discussion = question.discussion
        _require_open(discussion, question)
        _require_participant(author, discussion)
        if parent is not None:
            # Lock the parent so that it cannot be deleted while the reply is attached.
            parent = Comment.objects.select_for_update(no_key=True).get(pk=parent.pk)
            if parent.question_id != question.pk:
                raise ValidationError(
                    _("You can only reply to a comment on the same question."),
                    code="wrong_question",
                )
            # A reply to a comment its author deleted meanwhile still lands, under the
            # tombstone: what the replier wrote is never thrown away by someone else's
            # deletion. Hidden and unreviewed comments cannot be replied to.
            if parent.status != Comment.Status.PUBLISHED:
                raise NotAllowed(_("That comment is not published, so it cannot be replied to."))
        # Serialise one member's posts, so that two copies of one form cannot both pass
        # the duplicate check below. The same read counts their published comments.
        member = (
            User.objects.select_for_update(no_key=True, of=("self",))
            .annotate(published=_published_comments())
            .only("pk")
            .get(pk=author.pk)
        )
        duplicate = _recent_duplicate(question=question, author=author, body=body, parent=parent)
        if duplicate is not None:
            return duplicate
        comment = Comment(
            question=question,
            parent=parent,
            root_id=(parent.root_id or parent.pk) if parent else None,
            author=author,
            pseudonym=None
            if pseudonym is None
            else _pseudonym_for(discussion=discussion, member=author, name=pseudonym),
            licence=COMMENT_LICENCE,
            body=body,
            body_html=render_comment_body(body),
            label=label,
            language=language or discussion.language,
            status=Comment.Status.PENDING
            if _needs_review(author, discussion, published=member.published)
            else Comment.Status.PUBLISHED,
        )
        comment.full_clean(exclude=["question", "parent", "root", "author"])
        comment.save()
        caching.discussions_changed([discussion.pk])
        signals.comment_posted.send(sender=Comment, comment=comment)
        if comment.status == Comment.Status.PENDING:
            # What publishing does waits for a moderator's approval (comment_reviewed).
            signals.comment_held.send(sender=Comment, comment=comment, event="posted")
        # Counted last, once everything else succeeded: a post refused for its text, or
        # lost to an error, does not use up the member's allowance. Over the limit, the
        # transaction rolls back and nothing is saved.
        consume("post", author.pk)
        if timezone.now() - author.date_joined < datetime.timedelta(days=1):
            consume("post_first_day", author.pk)
    return comment


def pseudonym_of(*, discussion: Discussion, member: User) -> Pseudonym | None:
    """The member's pseudonym in this discussion, if they have one."""
    if not member.is_authenticated:
        return None
    return Pseudonym.objects.filter(discussion=discussion, member=member).first()


def _pseudonym_for(*, discussion: Discussion, member: User, name: str) -> Pseudonym:
    """
    The member's pseudonym in this discussion: the one they have (``name`` empty or the
    same), or a new one named ``name``. A name that is any member's name or handle, or
    another pseudonym here, is refused: a pseudonym must not pass for someone.
    """
    if not discussion.club.pseudonyms:
        raise NotAllowed(_("This club does not allow posting under a pseudonym."))
    name = " ".join(name.split())
    mine = Pseudonym.objects.filter(discussion=discussion, member=member).first()
    if mine is not None:
        if name and name.casefold() != mine.name.casefold():
            raise ValidationError(
                {
                    "as_pseudonym": _(
                        "Your pseudonym in this discussion is “%(name)s”: it stays the same "
                        "throughout."
                    )
                    % {"name": mine.name}
                }
            )
        return mine
    if not 2 <= len(name) <= 40:
        raise ValidationError({"pseudonym": _("Choose a pseudonym of 2 to 40 characters.")})
    if not any(character.isalnum() for character in name):
        raise ValidationError({"pseudonym": _("A pseudonym needs at least one letter or digit.")})
    if (
        User.objects.filter(Q(display_name__iexact=name) | Q(username__iexact=name)).exists()
        or Pseudonym.objects.filter(discussion=discussion, name__iexact=name).exists()
    ):
        raise ValidationError(
            {"pseudonym": _("Someone here already goes by that name: choose another.")}
        )
    try:
        with transaction.atomic():
            return Pseudonym.objects.create(discussion=discussion, member=member, name=name)
    except IntegrityError:
        # Someone took the name between the check and the write.
        raise ValidationError(
            {"pseudonym": _("Someone here already goes by that name: choose another.")}
        ) from None


def comment_edit(
    *,
    comment: Comment,
    editor: User,
    body: str,
    label: str | None = None,
    language: str | None = None,
) -> Comment:
    """
    Replace the text of the editor's own comment (and its label or language).

    Within the grace period after posting, the author may fix typos freely: the text is
    replaced and nothing marks it. After it, the previous text is kept as a revision and
    the comment shows "edited" with a link to its history.
    """
    body = _clean_body(body)
    with transaction.atomic():
        comment = _locked(comment)
        discussion = comment.question.discussion
        if comment.author_id != editor.pk:
            raise NotAllowed(_("You can only edit your own comments."))
        if comment.is_deleted:
            raise NotAllowed(_("A deleted comment cannot be edited."))
        if comment.status == Comment.Status.HIDDEN:
            raise NotAllowed(_("A moderator hid this comment, so it cannot be edited."))
        _require_open(discussion, comment.question)
        _require_not_suspended(editor)
        label = comment.label if label is None else label
        language = language or comment.language
        if body == comment.body and label == comment.label and language == comment.language:
            return comment
        now = timezone.now()
        fields = ["body", "body_html", "label", "language"]
        if body != comment.body and now - comment.created_at > _edit_grace():
            CommentRevision.objects.create(
                comment=comment,
                body=comment.body,
                written_at=comment.edited_at or comment.created_at,
                replaced_at=now,
            )
            comment.edited_at = now
            fields.append("edited_at")
        comment.body = body
        comment.body_html = render_comment_body(body)
        comment.label = label
        comment.language = language
        comment.full_clean(exclude=["question", "parent", "root", "author"])
        comment.save(update_fields=fields)
        caching.comments_changed([comment.pk])
        signals.comment_edited.send(sender=Comment, comment=comment)
        consume("edit", editor.pk)  # last, as in comment_post
    return comment


def comment_language_set(*, comment: Comment, actor: User, language: str) -> Comment:
    """
    Correct the language a comment is marked with: its author may, and so may whoever
    moderates its discussion's club. The text is not touched and no revision is kept.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the languages offered."), code="language")
    with transaction.atomic():
        comment = _locked(comment)
        discussion = comment.question.discussion
        if comment.author_id != actor.pk and not can_moderate(actor, discussion):
            raise NotAllowed(_("Only the comment's author or a moderator can change its language."))
        if comment.is_deleted:
            raise NotAllowed(_("A deleted comment cannot be changed."))
        if comment.language != language:
            comment.language = language
            comment.save(update_fields=["language"])
            caching.comments_changed([comment.pk])
            signals.comment_language_changed.send(sender=Comment, comment=comment)
    return comment


def comment_delete(*, comment: Comment, actor: User) -> Comment:
    """
    Delete the actor's own comment: its text goes, a tombstone keeps its place.

    Replies stay where they are, attached to the tombstone. Deleting twice is harmless.
    """
    with transaction.atomic():
        comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
        if comment.author_id != actor.pk:
            raise NotAllowed(_("You can only delete your own comments."))
        if comment.is_deleted:
            return comment
        comment.body = ""
        comment.body_html = ""
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "deleted_at"])
        caching.comments_changed([comment.pk])
        # The author asked for their words to go: earlier versions go with them.
        comment.revisions.all().delete()
        signals.comment_deleted.send(sender=Comment, comment=comment)
    return comment


def comment_mark_helpful(*, comment: Comment, member: User, helpful: bool = True) -> bool:
    """
    Mark someone else's comment helpful (or take the mark back). Returns the new state.

    The request says which state it wants rather than "toggle", so a double click or a
    resubmitted form changes nothing: one mark per member per comment, backed by a unique
    constraint. The comment's ``helpful_count`` moves with it in the same transaction.
    """
    with transaction.atomic():
        comment = _locked(comment)
        if comment.author_id == member.pk:
            raise NotAllowed(_("You cannot mark your own comment as helpful."))
        if comment.is_deleted or comment.status != Comment.Status.PUBLISHED:
            raise NotAllowed(_("That comment was deleted or hidden."))
        _require_open(comment.question.discussion, comment.question)
        _require_participant(member, comment.question.discussion)
        marks = Reaction.objects.filter(comment=comment, member=member, kind=Reaction.Kind.HELPFUL)
        if helpful and not marks.exists():
            Reaction.objects.create(comment=comment, member=member, kind=Reaction.Kind.HELPFUL)
            Comment.objects.filter(pk=comment.pk).update(helpful_count=F("helpful_count") + 1)
            signals.comment_marked_helpful.send(sender=Comment, comment=comment, member=member)
        elif not helpful and marks.delete()[0]:
            Comment.objects.filter(pk=comment.pk).update(helpful_count=F("helpful_count") - 1)
        else:
            return helpful  # already as wanted: nothing changed
        caching.comments_changed([comment.pk])
        consume("react", member.pk)  # last, as in comment_post
    return helpful


def discussion_visit(*, discussion_id: int, member: User) -> datetime.datetime | None:
    """
    Record that a member is looking at a discussion now.

    Returns when they last looked before (None on a first visit), so that the page can
    mark what others posted since.
    """
    previous = (
        DiscussionVisit.objects.filter(discussion_id=discussion_id, member=member)
        .values_list("last_seen_at", flat=True)
        .first()
    )
    discussion_visit_record(discussion_id=discussion_id, member=member, previous=previous)
    return previous


# Visits are recorded to the minute: a reload within it writes nothing, and what was new
# on the first view stays marked new.
VISIT_RESOLUTION = datetime.timedelta(minutes=1)


def discussion_visit_record(
    *, discussion_id: int, member: User, previous: datetime.datetime | None
) -> None:
    """
    ``discussion_visit`` for a caller who already read the previous visit (None: the
    first). Nothing is written when the previous one is less than ``VISIT_RESOLUTION`` ago.

    Members' page views write here (once a minute at most), so on PostgreSQL the write
    does not wait for its commit to reach the disk (``synchronous_commit`` off, for this
    transaction only, so never when called inside a larger one): a crash may forget the
    last moments of visits, never anything anyone wrote.
    """
    now = timezone.now()
    if previous is not None and now - previous < VISIT_RESOLUTION:
        return
    first = previous is None
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if first:
            DiscussionVisit.objects.get_or_create(
                discussion_id=discussion_id, member=member, defaults={"last_seen_at": now}
            )
        else:
            # Written out: this runs on every page view, and the ORM's update cost more
            # than the rest of a cached page's work.
            with connection.cursor() as cursor:
                cursor.execute(_VISIT_UPDATE, [now, member.pk, discussion_id])
    caching.reader_changed(member.pk)  # what is new to them is counted from here now


_VISIT_TABLE = connection.ops.quote_name(DiscussionVisit._meta.db_table)
_VISIT_UPDATE = (
    f"UPDATE {_VISIT_TABLE} SET last_seen_at = %s "  # noqa: S608 - the model's own table
    "WHERE member_id = %s AND discussion_id = %s"
)


def question_synthesis_save(
    *, question: Question, editor: User, synthesis: str, is_answered: bool
) -> Question:
    """The host (or staff) writes the pinned synthesis of a question's answers."""
    if not can_write_synthesis(editor, question.discussion):
        raise NotAllowed(_("Only the discussion's host can write its syntheses."))
    synthesis = synthesis.strip()
    if len(synthesis) > settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"synthesis": _("A synthesis can be at most 10,000 characters long.")},
            code="too_long",
        )
    question.synthesis = synthesis
    question.is_answered = is_answered
    question.synthesis_by = editor
    question.synthesis_updated_at = timezone.now()
    with transaction.atomic():
        question.save(
            update_fields=["synthesis", "is_answered", "synthesis_by", "synthesis_updated_at"]
        )
        caching.discussions_changed([question.discussion_id])
    return question


def render_comment_body(body: str) -> str:
    """
    A comment's stored HTML: its Markdown rendered once, when it is saved, with @mentions
    of existing members linked to their profiles.
    """
    return render_markdown(body, mention_urls=_member_urls)


def _member_urls(handles: set[str]) -> dict[str, str]:
    """Profile URLs of the active members among ``handles`` (matched case-insensitively)."""
    wanted = {handle.lower(): handle for handle in handles}
    members = User.objects.filter(is_active=True).filter(
        reduce(operator.or_, (Q(username__iexact=handle) for handle in wanted))
    )
    return {wanted[member.username.lower()]: member.get_absolute_url() for member in members}


def discussion_open(*, discussion: Discussion) -> bool:
    """
    Open a discussion for comments now. Returns False if it was already open.

    The opening time is recorded unless one in the past was already set; a planned
    closing time that has already passed is cleared, since the discussion is open again.
    """
    with transaction.atomic():
        discussion = Discussion.objects.select_for_update(no_key=True).get(pk=discussion.pk)
        if discussion.status == Discussion.Status.OPEN:
            return False
        now = timezone.now()
        if discussion.opens_at is None or discussion.opens_at > now:
            discussion.opens_at = now
        if discussion.closes_at is not None and discussion.closes_at <= now:
            discussion.closes_at = None
        discussion.status = Discussion.Status.OPEN
        discussion.save(update_fields=["status", "opens_at", "closes_at", "updated_at"])
        caching.discussions_changed([discussion.pk])
        signals.discussion_changed.send(sender=Discussion, discussion=discussion)
        signals.discussion_opened.send(sender=Discussion, discussion=discussion)
    return True


def discussion_close(*, discussion: Discussion) -> bool:
    """Close a discussion: its threads become read-only. Returns False if already closed."""
    with transaction.atomic():
        discussion = Discussion.objects.select_for_update(no_key=True).get(pk=discussion.pk)
        if discussion.status == Discussion.Status.CLOSED:
            return False
        now = timezone.now()
        if discussion.closes_at is None or discussion.closes_at > now:
            discussion.closes_at = now
        if discussion.opens_at is not None and discussion.opens_at >= discussion.closes_at:
            discussion.opens_at = None  # never opened: no opening time to keep
        discussion.status = Discussion.Status.CLOSED
        discussion.save(update_fields=["status", "opens_at", "closes_at", "updated_at"])
        caching.discussions_changed([discussion.pk])
        signals.discussion_changed.send(sender=Discussion, discussion=discussion)
    return True


# --- Following ---------------------------------------------------------------------------


def follow_toggle(
    *,
    member: User,
    discussion: Discussion | None = None,
    question: Question | None = None,
    thread: Comment | None = None,
    follow: bool | None = None,
) -> bool:
    """
    Follow or unfollow one discussion, question or thread (its top-level comment). Returns
    whether the member follows it now.

    ``follow`` says which state is wanted, so that a double click or a resubmitted form
    changes nothing; without it the state flips.
    """
    targets = {"discussion": discussion, "question": question, "thread": thread}
    chosen = {name: target for name, target in targets.items() if target is not None}
    if len(chosen) != 1:
        raise ValueError("Follow exactly one of discussion, question or thread.")
    if thread is not None and thread.parent_id is not None:
        raise ValidationError(_("Only a whole thread can be followed."), code="not_a_thread")
    if discussion is not None:
        owner = discussion
    elif question is not None:
        owner = question.discussion
    else:
        owner = cast(Comment, thread).question.discussion
    if not Discussion.objects.visible_to(member).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("This discussion cannot be followed."))
    with transaction.atomic():
        follows = Follow.objects.filter(member=member, **chosen)
        following = follows.exists()
        wanted = (not following) if follow is None else follow
        if wanted and not following:
            Follow.objects.bulk_create([Follow(member=member, **chosen)], ignore_conflicts=True)
        elif following and not wanted:
            follows.delete()
    if wanted != following:
        caching.reader_changed(member.pk)
    return wanted


# --- A member's data (for accounts' export and deletion, through DiscussionsConfig) ---------


def member_export(*, member: User) -> dict:
    """The member's comments with their earlier versions, marks and follows."""
    comments = (
        Comment.objects.filter(author=member)
        .select_related("question__discussion", "pseudonym")
        .prefetch_related("revisions")
        .order_by("created_at")
    )
    follows = Follow.objects.of_member(member)
    return {
        "comments": [
            {
                "id": comment.pk,
                "discussion": comment.question.discussion.get_absolute_url(),
                "question": comment.question.number,
                "in_reply_to": comment.parent_id,
                "posted": comment.created_at.isoformat(),
                "edited": comment.edited_at.isoformat() if comment.edited_at else None,
                "deleted": comment.deleted_at.isoformat() if comment.deleted_at else None,
                "status": comment.status,
                "label": comment.label,
                "pseudonym": comment.pseudonym.name if comment.pseudonym_id else None,
                "licence": comment.licence,
                "text": comment.body,
                # Newest first; each version was shown from "written" until "replaced".
                "earlier_versions": [
                    {
                        "written": revision.written_at.isoformat(),
                        "replaced": revision.replaced_at.isoformat(),
                        "text": revision.body,
                    }
                    for revision in comment.revisions.all()
                ],
            }
            for comment in comments
        ],
        "marked_helpful": list(
            Reaction.objects.filter(member=member).values_list("comment_id", flat=True)
        ),
        "follows": [
            {
                "kind": follow.target_kind,
                "url": follow.target.get_absolute_url(),
                "since": follow.created_at.isoformat(),
            }
            for follow in follows
        ],
    }


def member_forget(*, member: User, remove_text: bool) -> None:
    """
    Before an account is deleted: its visits and follows go; with ``remove_text`` its
    comments become tombstones (text and earlier versions removed). Replies keep their
    parents either way.
    """
    DiscussionVisit.objects.filter(member=member).delete()
    Follow.objects.filter(member=member).delete()
    if remove_text:
        comments = Comment.objects.filter(author=member)
        CommentRevision.objects.filter(comment__in=comments).delete()
        comments.filter(deleted_at__isnull=True).update(deleted_at=timezone.now())
        comments.update(body="", body_html="")
        caching.comments_changed(comments)


# --- Rules ---------------------------------------------------------------------------------


def _locked(comment: Comment) -> Comment:
    """The comment as it stands, locked until the transaction ends, with its discussion's club."""
    return (
        Comment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("question__discussion__club")
        .get(pk=comment.pk)
    )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    limit = settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH
    if not body:
        raise ValidationError({"body": _("Write something before posting.")}, code="empty")
    if "\x00" in body:
        raise ValidationError(
            {"body": _("The text holds a NUL character (often from a bad paste); remove it.")},
            code="nul",
        )
    if len(body) > limit:
        raise ValidationError(
            {
                "body": _(
                    "A comment can be at most %(limit)s characters long; this one has %(length)s."
                )
                % {"limit": f"{limit:,}", "length": f"{len(body):,}"}
            },
            code="too_long",
        )
    return body


def _require_open(discussion: Discussion, question: Question | None = None) -> None:
    if discussion.status == Discussion.Status.CLOSED:
        raise NotAllowed(_("This discussion is closed; its threads are read-only."))
    if discussion.status != Discussion.Status.OPEN:
        raise NotAllowed(_("This discussion is not open yet."))
    if discussion.lock_note:
        raise NotAllowed(_("This discussion is locked: %(note)s") % {"note": discussion.lock_note})
    if question is not None and question.lock_note:
        raise NotAllowed(_("This question is locked: %(note)s") % {"note": question.lock_note})


def _require_verified(user: User) -> None:
    if not member_is_verified(user):
        raise NotAllowed(_("Please confirm your email address before joining the discussion."))


def _require_not_suspended(user: User) -> None:
    suspension = member_suspension(user)
    if suspension is not None:
        raise NotAllowed(suspension_message(suspension))


def _require_participant(user: User, discussion: Discussion) -> None:
    _require_verified(user)
    _require_not_suspended(user)
    _require_club_member(user, discussion.club)


def _require_club_member(user: User, club) -> None:
    if access.may_post(user, club):
        return
    if access.is_banned(user, club):
        raise NotAllowed(
            _("You can no longer take part in the discussions of %(club)s.") % {"club": club}
        )
    raise NotAllowed(
        _("Only members of %(club)s take part in its discussions: join the club first.")
        % {"club": club}
    )


def suspension_message(suspension: Suspension) -> str:
    """What a suspended member is told, with the reason and how long."""
    if suspension.until is None:
        return _("Your account is suspended: %(reason)s") % {"reason": suspension.reason}
    return _("Your account is suspended until %(until)s: %(reason)s") % {
        "until": date_format(timezone.localtime(suspension.until), "DATETIME_FORMAT"),
        "reason": suspension.reason,
    }


def _needs_review(author: User, discussion: Discussion, *, published: int) -> bool:
    """
    A new member's first posts (until ``published`` of theirs are out) wait for a
    moderator, unless they host or moderate.
    """
    first_posts = settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS
    if not first_posts or not discussion.club.premoderation or discussion.host_id == author.pk:
        return False
    if access.can_moderate(author, discussion.club_id) or access.can_host(
        author, discussion.club_id
    ):
        return False
    return published < first_posts


def _published_comments() -> Coalesce:
    """How many published comments a member (the outer query's row) has."""
    published = (
        Comment.objects.filter(author=OuterRef("pk"), status=Comment.Status.PUBLISHED)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(published), 0)


def _edit_grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOURNAL_CLUB_EDIT_GRACE_SECONDS)


def _recent_duplicate(
    *, question: Question, author: User, body: str, parent: Comment | None
) -> Comment | None:
    window = datetime.timedelta(seconds=settings.JOURNAL_CLUB_DUPLICATE_WINDOW_SECONDS)
    return (
        Comment.objects.filter(
            question=question,
            author=author,
            parent=parent,
            body=body,
            deleted_at__isnull=True,
            created_at__gte=timezone.now() - window,
        )
        .order_by("-created_at")
        .first()
    )
