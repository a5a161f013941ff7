from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discussions.models import Comment, Discussion


class Flag(models.Model):
    """A member telling moderators that a comment needs a look."""

    class Reason(models.TextChoices):
        OFF_TOPIC = "off_topic", _("Off-topic")
        DISRESPECTFUL = "disrespectful", _("Disrespectful")
        SPAM = "spam", _("Spam")
        OTHER = "other", _("Other")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("comment")
    )
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("flagged by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    # Set when a moderator has dealt with the comment, so the flag leaves the queue.
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["comment", "flagger"], name="flag_once_per_member"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""),
                name="flag_other_needs_details",
                violation_error_message=_("Please say what is wrong."),
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.comment_id})"


class ModerationAction(models.Model):
    """The audit log: who did what to which comment or member, when, and why."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        AUTO_HIDE = "auto_hide", _("Hidden for review after flags")
        LOCK = "lock", _("Locked")
        UNLOCK = "unlock", _("Unlocked")
        SUSPEND = "suspend", _("Suspended")
        LIFT = "lift", _("Suspension lifted")
        REVEAL = "reveal", _("Looked up who is behind a pseudonym")

    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,  # None: the site itself (e.g. hiding after enough flags)
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("moderator"),
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The discussion a lock concerns (comments say theirs): whose club's log shows it.
    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("discussion"),
    )
    target = models.CharField(_("target"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation log")
        permissions = [
            ("moderate_comments", _("Can approve, hide and restore comments")),
            ("moderate_members", _("Can suspend members")),
            ("lock_threads", _("Can lock questions and discussions")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.target}"
