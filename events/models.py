import datetime

from django.core.validators import URLValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discussions.models import Discussion


class MeetingQuerySet(models.QuerySet):
    def published(self):
        """
        Sessions of discussions anyone may read: not drafts, in a public club (the rule of
        ``Discussion.objects.published``). What public calendars and lists show.
        """
        return self.filter(discussion__in=Discussion.objects.published())

    def visible_to(self, user):
        """
        Sessions this reader may see listed: those anyone may, and the sessions of their
        private clubs' discussions (never of drafts, which are not announced).
        """
        if not user.is_authenticated:
            return self.published()
        readable = Discussion.objects.visible_to(user).exclude(status=Discussion.Status.DRAFT)
        return self.filter(discussion__in=readable)

    def in_club(self, club):
        return self.filter(discussion__club=club)

    def upcoming(self, now: datetime.datetime | None = None):
        """Sessions still to come or under way, soonest first."""
        now = now or timezone.now()
        ends = ExpressionWrapper(
            F("starts_at") + F("duration"), output_field=models.DateTimeField()
        )
        return (
            self.alias(ends=ends)
            .filter(Q(starts_at__gte=now) | Q(ends__gte=now))
            .order_by("starts_at", "pk")
        )

    def for_calendar(self):
        """Everything an iCalendar event or a listing (and its JSON-LD) shows, in one query."""
        return self.select_related("discussion__article", "discussion__club").order_by(
            "starts_at", "pk"
        )


class Meeting(models.Model):
    """
    A live session of a discussion: when (stored in UTC, shown in each member's zone),
    for how long, where or on which video link, and the notes written afterwards.
    """

    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("discussion"),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Optional, e.g. “Live session 1”. Without one, the paper's title is used."),
    )
    starts_at = models.DateTimeField(_("starts"))
    duration = models.DurationField(
        _("duration"),
        null=True,
        blank=True,
        help_text=_("Hours, minutes and seconds, e.g. 1:30:00. Leave empty if not known."),
    )
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("A room and address, if any.")
    )
    video_url = models.URLField(
        _("video link"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["https", "http"])],
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Written afterwards, in Markdown: what was said.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gt=datetime.timedelta(0)),
                name="meeting_duration_positive",
                violation_error_message=_("A session must last some time."),
            ),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        return self.title or str(self.discussion)

    def get_absolute_url(self):
        return f"{self.discussion.get_absolute_url()}#{self.anchor}"

    def get_ics_url(self):
        return reverse("events:meeting-ics", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"session-{self.pk}"

    @property
    def ends_at(self) -> datetime.datetime | None:
        return self.starts_at + self.duration if self.duration else None

    @property
    def is_past(self) -> bool:
        return (self.ends_at or self.starts_at) < timezone.now()
