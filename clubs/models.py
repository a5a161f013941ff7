"""
Clubs: many journal clubs on one site, each with its members and their roles.

A club is *public* (anyone reads it) or *private* (only its members know what it
discusses). Every discussion belongs to one club; a paper's record is shared by all.
Who may do what in a club is decided by ``access`` from the member's memberships, read in
one query per request.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import holds_permission_q

LOGO_MAX_BYTES = 1024 * 1024
SLUG_LENGTH = 60


# Staff who curate clubs: they see every club, private ones included, on every surface.
CURATE_CLUBS = "clubs.change_club"


def sees_every_club(user) -> bool:
    """
    May read every club, private ones included: superusers and staff who curate clubs
    (staff status and the permission: only staff are asked, so members cost no query).
    Staff status alone is not enough: a club's lead given admin access sees their own.
    """
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.has_perm(CURATE_CLUBS)))
    )


def curators():
    """The members ``sees_every_club`` lets in, as a subquery of ids (for rows of many)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(holds_permission_q(CURATE_CLUBS), is_staff=True),
            is_active=True,
        )
        .values("pk")
    )


class ClubQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Club.Visibility.PUBLIC)


class Club(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can read its discussions")
        PRIVATE = "private", _("Private: only its members know what it discusses")

    class Joining(models.TextChoices):
        OPEN = "open", _("Anyone can join")
        REQUEST = "request", _("By request, approved by a lead")
        INVITATION = "invitation", _("By invitation only")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=SLUG_LENGTH,
        unique=True,
        help_text=_("The club's address on this site."),
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the club is for, in Markdown.")
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="clubs/logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp", "gif"])],
        help_text=_("A square image (PNG, JPEG, WebP or GIF), at most 1 MB."),
    )
    language = models.CharField(
        _("default language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "Discussions and comments start in this language; their writers may change it."
        ),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    joining = models.CharField(
        _("joining"), max_length=12, choices=Joining.choices, default=Joining.OPEN
    )
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_(
            "Members whose confirmed address is at one of these domains (e.g. "
            "“example.edu”, separated by spaces or commas) join at once."
        ),
    )
    code_of_conduct = models.TextField(
        _("club code of conduct"),
        blank=True,
        help_text=_("The club's own rules, in Markdown, added to the site's code of conduct."),
    )
    premoderation = models.BooleanField(
        _("review every new member's first comment"),
        default=True,
        help_text=_("A moderator reads a new member's first comment before others see it."),
    )
    pseudonyms = models.BooleanField(
        _("members may post under a pseudonym"),
        default=False,
        help_text=_(
            "A member may then post in a discussion under a name of their choosing, the same "
            "throughout that discussion. The club's leads and moderators can see who it is, "
            "and each look is written to the moderation log."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClubQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("club")
        verbose_name_plural = _("clubs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="private", joining="open"),
                name="private_club_not_open",
                violation_error_message=_(
                    "A private club is joined by invitation or by an approved request."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("discussions:club", kwargs={"slug": self.slug})

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE

    @property
    def domains(self) -> list[str]:
        """The email domains whose confirmed addresses join at once, lower-cased."""
        return [
            part.strip().lstrip("@").lower()
            for part in self.email_domains.replace(",", " ").split()
            if part.strip().lstrip("@")
        ]


class Role(models.TextChoices):
    """A member's role in one club, from most to least powerful."""

    LEAD = "lead", _("Lead")
    HOST = "host", _("Host")
    MODERATOR = "moderator", _("Moderator")
    MEMBER = "member", _("Member")


MODERATING_ROLES = (Role.LEAD, Role.MODERATOR)  # who keeps a club's review queue


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(banned_at__isnull=True)

    def banned(self):
        return self.filter(banned_at__isnull=False)

    def leads(self):
        return self.active().filter(role=Role.LEAD)

    def moderating(self):
        """Those who keep the club's review queue: its leads and moderators, not banned."""
        return self.active().filter(role__in=MODERATING_ROLES)


class Membership(models.Model):
    """A member of a club, with their role there; a ban keeps the row, marked."""

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("club")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="club_memberships",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    banned_at = models.DateTimeField(_("banned"), null=True, blank=True)
    ban_reason = models.CharField(_("reason for the ban"), max_length=300, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["club", "joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["club", "member"], name="one_membership_per_club"),
        ]

    def __str__(self):
        return f"{self.member} in {self.club} ({self.get_role_display()})"

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None


class JoinRequest(models.Model):
    """A member asks to join a club; a lead approves or declines, with a message."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a lead")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("club")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="club_join_requests",
        verbose_name=_("member"),
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    response = models.TextField(_("answer"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [
            # One request waiting per member and club; a declined one may be asked again.
            models.UniqueConstraint(
                fields=["club", "member"],
                condition=Q(status="pending"),
                name="one_pending_request_per_club",
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.club} ({self.get_status_display()})"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """Invitations keep only a digest of their token: a leaked table opens no club."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at).filter(
            Q(email="") | Q(used_at__isnull=True)
        )


class Invitation(models.Model):
    """
    An invitation to a club: to one email address (single use, expiring), or a link anyone
    holding it may use (``email`` empty) until it expires or a lead revokes it.
    """

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("club")
    )
    email = models.EmailField(_("email address"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    uses = models.PositiveIntegerField(_("uses"), default=0)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return self.email or str(_("Invite link"))

    @property
    def is_link(self) -> bool:
        return not self.email


class QuestionTemplate(models.Model):
    """One of a club's standard questions, offered when a host opens a discussion."""

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="question_templates", verbose_name=_("club")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.TextField(_("question"), max_length=1000)

    class Meta:
        ordering = ["club", "position", "pk"]
        verbose_name = _("question template")
        verbose_name_plural = _("question templates")

    def __str__(self):
        return self.text[:80]


class NominationQuerySet(models.QuerySet):
    def with_votes(self):
        return self.annotate(vote_count=models.Count("votes", distinct=True))

    def waiting(self):
        return self.filter(status=Nomination.Status.OPEN)


class Nomination(models.Model):
    """A member proposes a paper for a future session of the club; members vote."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for votes")
        CHOSEN = "chosen", _("Chosen")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("club")
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("paper"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("nominated by"),
    )
    reason = models.CharField(_("why this paper"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("nominated"), auto_now_add=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["club", "article"],
                condition=Q(status="open"),
                name="one_open_nomination_per_paper",
            ),
        ]

    def __str__(self):
        return f"{self.article} ({self.club})"


class Vote(models.Model):
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="votes", verbose_name=_("nomination")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="nomination_votes",
        verbose_name=_("member"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "member"], name="one_vote_per_member"),
        ]

    def __str__(self):
        return f"{self.member} for {self.nomination}"
