"""
A member's own data: everything they wrote, as JSON, and deleting their account.

Deleting an account keeps the conversation readable for everyone else: the member's
comments stay in place as "Deleted member" (or, if they choose, with their text removed,
as tombstones), replies keep their parents, and counts stay right. What identifies them
(email addresses, username, name, affiliation, ORCID iD, bio, password) is erased, so that
afterwards no table holds their email address or username.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment, CommentRevision, DiscussionVisit, Reaction
from moderation.models import CodeOfConductAgreement, Flag, ModerationAction
from notifications.models import Follow, Notification, NotificationSettings

from .models import User
from .signals import member_changed


def profile_update(*, form) -> User:
    """
    Save a member's profile form (name, affiliation, ORCID iD, bio, time zone) and say so:
    the pages that show the member follow (``signals.member_changed``).
    """
    with transaction.atomic():
        member = form.save()
        member_changed.send(sender=User, member=member)
    return member


def member_export(*, member: User) -> dict:
    """Everything the member wrote and set, as JSON-ready data."""
    comments = (
        Comment.objects.filter(author=member)
        .select_related("question__discussion")
        .prefetch_related("revisions")
        .order_by("created_at")
    )
    agreement = CodeOfConductAgreement.objects.filter(member=member).first()
    return {
        "profile": {
            "username": member.username,
            "display_name": member.display_name,
            "affiliation": member.affiliation,
            "orcid": member.orcid,
            "bio": member.bio,
            "joined": member.date_joined.isoformat(),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in member.emailaddress_set.all()
        ],
        "code_of_conduct": {"version": agreement.version, "agreed": agreement.agreed_at.isoformat()}
        if agreement
        else None,
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
        "flags": [
            {"comment": flag.comment_id, "reason": flag.reason, "details": flag.note}
            for flag in Flag.objects.filter(flagger=member)
        ],
    }


def member_delete(*, member: User, remove_text: bool) -> None:
    """
    Delete the member's account: erase what identifies them, keep the conversation whole.

    With ``remove_text`` their comments become tombstones (text and earlier versions
    removed); without it they stay, signed "Deleted member".
    """
    with transaction.atomic():
        member = User.objects.select_for_update(no_key=True).get(pk=member.pk)
        comments = Comment.objects.filter(author=member)
        if remove_text:
            CommentRevision.objects.filter(comment__in=comments).delete()
            comments.filter(deleted_at__isnull=True).update(deleted_at=timezone.now())
            comments.update(body="", body_html="")
        _forget_elsewhere(member)
        member.emailaddress_set.all().delete()
        member.username = f"deleted-{member.pk}"
        member.email = ""
        member.display_name = _("Deleted member")
        member.first_name = member.last_name = ""
        member.affiliation = member.orcid = member.bio = ""
        if hasattr(member, "time_zone"):
            member.time_zone = ""
        member.is_active = False
        member.is_staff = member.is_superuser = False
        member.set_unusable_password()
        member.save()
        member.groups.clear()
        member.user_permissions.clear()
        member_changed.send(sender=User, member=member)


def _forget_elsewhere(member: User) -> None:
    """Names that other tables copied as text, and the member's private records."""
    DiscussionVisit.objects.filter(member=member).delete()
    ModerationAction.objects.filter(comment__author=member).update(
        target=_("A deleted member's comment")
    )
    ModerationAction.objects.filter(member=member).update(target=_("A deleted member"))
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(member.pk)
    ).update(object_repr=_("Deleted member"), change_message="")
    _forget_notifications(member)


def _forget_notifications(member: User) -> None:
    """The member's notifications, follows and delivery preferences go with the account."""
    Notification.objects.filter(recipient=member).delete()
    Follow.objects.filter(member=member).delete()
    NotificationSettings.objects.filter(member=member).delete()
