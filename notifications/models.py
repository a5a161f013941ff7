"""
Notifications, and how each member wants to hear about them.

A notification is created once per recipient per event (a unique ``key`` makes every
retry and re-run harmless) and carries its own email state: how it is to be delivered
(``email_delivery``, copied from the member's settings when it is created and kept in step
when they change them), when it was emailed, how many attempts failed, and a short lease
that stops two workers from sending it at the same time.
"""

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User, holds_permission_q
from clubs.models import Club, Membership, curators
from discussions.models import Comment, Discussion, public_comment_q

# After this many failed attempts an email is given up (the notification stays in-app).
MAX_EMAIL_ATTEMPTS = 8


def still_held_q() -> Q:
    """A notification to moderators about a comment that still awaits their review."""
    return Q(
        kind=Notification.Kind.HELD,
        comment__status=Comment.Status.PENDING,
        comment__deleted_at__isnull=True,
    )


def site_moderators():
    """Active members who moderate every club (the site's moderators), as a subquery."""
    return User.objects.filter(
        holds_permission_q("moderation.moderate_comments"), is_active=True
    ).values("pk")


def club_readers_q(*, club, member: str) -> Q:
    """
    The condition for a member who may read what a club discusses: a public club, a member
    of it not banned from it, or one who curates every club (``clubs.models.curators``).
    ``member`` names the column of the member's id in the query; ``club`` that of the
    club's id, or is the club's id (a value or an expression). The rule of
    ``Discussion.objects.visible_to`` for clubs, written for rows that each have their own
    reader.
    """
    club_id: Any = OuterRef(club) if isinstance(club, str) else club
    membership = Membership.objects.filter(
        club=club_id, member=OuterRef(member), banned_at__isnull=True
    )
    public = Club.objects.filter(pk=club_id, visibility=Club.Visibility.PUBLIC)
    return Q(Exists(public)) | Q(Exists(membership)) | Q(**{f"{member}__in": curators()})


def readable_by_recipient_q() -> Q:
    """
    A notification whose recipient may still read its discussion's club: a member removed
    or banned from a private club hears nothing more from it (the notification stays, but
    is neither listed, counted nor emailed). The site's moderators keep hearing of
    comments awaiting their review, in every club.
    """
    return club_readers_q(club="discussion__club_id", member="recipient_id") | Q(
        kind=Notification.Kind.HELD, recipient__in=site_moderators()
    )


class Delivery(models.TextChoices):
    """How a member wants to receive emails about one kind of event."""

    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("In a daily digest")
    WEEKLY = "weekly", _("In a weekly digest")
    NEVER = "never", _("Never")


class NotificationSettings(models.Model):
    """
    One member's choices: per kind of event, how to be emailed; whether to hear about new
    discussions at all; and a switch that pauses every notification.

    Members without a row have the defaults below (replies and mentions at once, activity
    in what they follow daily, helpful marks weekly, no announcements).
    """

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name=_("member"),
    )
    # Each field is named after the Notification.Kind it is for.
    reply = models.CharField(
        _("replies to my comments"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
    )
    mention = models.CharField(
        _("mentions of me"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    followed_comment = models.CharField(
        _("new comments in what I follow"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.DAILY,
    )
    helpful = models.CharField(
        _("my comments marked helpful"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.WEEKLY,
    )
    discussion_opened = models.CharField(
        _("new discussions"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
        help_text=_("Applies only if you asked to hear about new discussions."),
    )
    held = models.CharField(
        _("comments awaiting review"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
        help_text=_("For moderators: a new member's first comment, or one flagged enough."),
    )
    announcements = models.BooleanField(_("tell me when a new discussion opens"), default=False)
    paused = models.BooleanField(
        _("pause all notifications"),
        default=False,
        help_text=_("Nothing is added to your notifications and no email is sent."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return gettext("Notification settings of %(member)s") % {"member": self.member}

    def delivery_for(self, kind: str) -> str:
        return getattr(self, kind)

    @classmethod
    def for_member(cls, member) -> "NotificationSettings":
        """The member's settings, or (unsaved) the defaults if they never changed them."""
        return cls.objects.filter(member=member).first() or cls(member=member)


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, member):
        return self.filter(recipient=member)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def readable(self):
        """Those whose discussion their recipient may still read (``readable_by_recipient_q``)."""
        return self.filter(readable_by_recipient_q())

    def for_listing(self):
        """Newest first, with everything a line of the list shows, in one query."""
        return self.select_related(
            "actor",
            "discussion__article",
            "comment__question",
            "comment__author",
            "comment__pseudonym",
        ).order_by("-created_at", "-id")

    def email_due(self, delivery: str, now=None):
        """
        Notifications whose email is due by ``delivery``: not sent, not given up, not
        leased by another run, about a comment anyone may read (a deleted comment is never
        quoted), in a discussion the recipient may still read (a member removed from a
        private club is emailed nothing more from it), to an active member with a
        verified address.
        """
        now = now or timezone.now()
        return self.filter(
            Q(email_locked_until__isnull=True) | Q(email_locked_until__lte=now),
            Q(comment__isnull=True) | public_comment_q("comment__") | still_held_q(),
            readable_by_recipient_q(),
            Exists(EmailAddress.objects.filter(user=OuterRef("recipient"), verified=True)),
            email_delivery=delivery,
            emailed_at__isnull=True,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            recipient__is_active=True,
        )

    def for_email(self):
        """Everything an email about these notifications shows, in one query."""
        return self.select_related(
            "recipient",
            "actor",
            "discussion__article",
            "comment__question",
            "comment__author",
            "comment__pseudonym",
        ).order_by("recipient_id", "discussion_id", "created_at", "id")


class Notification(models.Model):
    """Something a member should know about: one event, one recipient."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to you")
        FOLLOWED_COMMENT = "followed_comment", _("New comment in what you follow")
        MENTION = "mention", _("Mention of you")
        HELPFUL = "helpful", _("Your comment marked helpful")
        DISCUSSION_OPENED = "discussion_opened", _("New discussion")
        HELD = "held", _("Comment awaiting review")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What makes the event unique for its recipient: one notification per comment
    # (whichever reasons apply), per helpful mark, per opened discussion. See services.
    key = models.CharField(_("event"), max_length=80, editable=False)
    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("discussion"),
    )
    # Comments are never removed by ordinary use (deleting leaves a tombstone). If one is
    # ever purged by hand, notifications about it mean nothing any more and go with it:
    # PROTECT would let this app veto moderation, SET_NULL would leave "something happened".
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("comment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_delivery = models.CharField(
        _("email"), max_length=10, choices=Delivery.choices, default=Delivery.NEVER
    )
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("failed email attempts"), default=0)
    # A sending run leases the notifications it is about to email (see services.py).
    email_locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    email_claim = models.CharField(max_length=32, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            # The bell's count: a member's unread notifications.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["email_delivery", "created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_email_due_idx",
            ),
            models.Index(
                fields=["email_claim"],
                condition=Q(email_claim__gt=""),
                name="notification_claim_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    def get_absolute_url(self):
        """
        Where the notification leads: the comment's permalink (for moderators, a comment
        awaiting review is on its moderation page), or the discussion.
        """
        if self.kind == self.Kind.HELD:
            return reverse("moderation:comment", kwargs={"pk": self.comment_id})
        if self.comment_id:
            return reverse("discussions:comment", kwargs={"pk": self.comment_id})
        return self.discussion.get_absolute_url()

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def comment_is_public(self) -> bool:
        return self.comment is not None and self.comment.is_public

    @property
    def is_deliverable(self) -> bool:
        """
        Still worth telling: not about a comment deleted or hidden since (never quoted),
        and, for moderators, about a comment that still awaits review.
        """
        if self.comment is None:
            return True
        if self.kind == self.Kind.HELD:
            return self.comment.status == Comment.Status.PENDING and not self.comment.is_deleted
        return self.comment.is_public

    @property
    def summary(self) -> str:
        """One translated sentence saying what happened."""
        actor = self.actor.name if self.actor else gettext("Someone")
        if self.comment is not None and self.actor_id == self.comment.author_id:
            # The comment's author acted under a pseudonym: they are only that here.
            actor = self.comment.shown_author_name if self.comment.pseudonym_id else actor
        match self.kind:
            case self.Kind.REPLY:
                text = gettext("%(actor)s replied to your comment")
            case self.Kind.MENTION:
                text = gettext("%(actor)s mentioned you")
            case self.Kind.HELPFUL:
                text = gettext("%(actor)s marked your comment helpful")
            case self.Kind.DISCUSSION_OPENED:
                text = gettext("A new discussion has opened")
            case self.Kind.HELD:
                text = gettext("A comment by %(actor)s awaits review")
            case _:
                text = gettext("%(actor)s commented in a conversation you follow")
        return text % {"actor": actor}
