"""
What a discussion leaves behind: its proceedings as files (``Export``) and their deposit
with a DOI (``Deposit``, each call to the outside world kept as a ``DepositEvent``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discussions.models import Discussion, Question


class Export(models.Model):
    """
    A PDF of a discussion's proceedings (or of one question's), built by the worker and kept
    while what it shows is unchanged: ``key`` is a digest of everything that decides its
    content (the discussion's version, the question, syntheses only, the language, the
    release), so a change to the discussion makes the next request build a new one.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be built")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="exports", verbose_name=_("discussion")
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("question"),
    )
    syntheses_only = models.BooleanField(_("syntheses only"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    file = models.FileField(_("file"), upload_to="proceedings/", blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    build_seconds = models.FloatField(_("seconds to build"), null=True, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PDF of proceedings")
        verbose_name_plural = _("PDFs of proceedings")

    def __str__(self):
        return f"{self.discussion} ({self.get_state_display()})"


class Deposit(models.Model):
    """
    A discussion's proceedings deposited on Zenodo for a DOI, then announced to a review
    inbox with COAR Notify. One per discussion. Each step records what it learnt (the
    deposition's id as soon as Zenodo gives one, the DOI once published) before the next, so
    a retry resumes where the last attempt stopped and can never publish twice.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    class Announcement(models.TextChoices):
        NONE = "", _("Not announced")
        SENT = "sent", _("Announced")
        FAILED = "failed", _("Failed")

    discussion = models.OneToOneField(
        Discussion, on_delete=models.PROTECT, related_name="deposit", verbose_name=_("discussion")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # What was sent as the deposition's metadata, kept for the record.
    metadata = models.JSONField(_("metadata sent"), default=dict, blank=True)
    zenodo_id = models.PositiveBigIntegerField(_("Zenodo deposition"), null=True, blank=True)
    bucket_url = models.URLField(_("Zenodo file bucket"), max_length=500, blank=True)
    file_uploaded = models.BooleanField(_("file uploaded"), default=False)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    record_url = models.URLField(_("record"), max_length=500, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # A publishing attempt holds the deposit until this time (a lease), so two workers or a
    # double click never run the steps at once; an attempt that died lets go when it passes.
    leased_until = models.DateTimeField(_("held until"), null=True, blank=True)
    announcement = models.CharField(
        _("announcement"), max_length=10, choices=Announcement.choices, blank=True, default=""
    )
    announcement_id = models.CharField(_("notification id"), max_length=200, blank=True)
    announcement_error = models.TextField(_("why the announcement failed"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="published") | ~Q(doi=""),
                name="deposit_published_has_doi",
            ),
        ]

    def __str__(self):
        return f"{self.discussion} ({self.get_state_display()})"


class DepositEvent(models.Model):
    """One call to Zenodo or a COAR inbox: what was asked and what came back (shortened)."""

    deposit = models.ForeignKey(
        Deposit, on_delete=models.CASCADE, related_name="events", verbose_name=_("deposit")
    )
    step = models.CharField(_("step"), max_length=40)
    method = models.CharField(_("method"), max_length=10)
    url = models.URLField(_("address"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    error = models.TextField(_("error"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("deposit call")
        verbose_name_plural = _("deposit calls")

    def __str__(self):
        return f"{self.step} {self.status_code or self.error}"
