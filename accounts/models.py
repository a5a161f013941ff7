import functools
import zoneinfo
from typing import ClassVar, cast

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.identifiers import field_errors, normalize_orcid, validate_orcid


@functools.cache
def time_zone_choices() -> list:
    """Every IANA zone Python knows, grouped by region ("America" → "Toronto"), blank first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        region, _sep, place = name.partition("/")
        groups.setdefault(region if place else "", []).append(
            (name, (place or name).replace("_", " "))
        )
    other = groups.pop("", [])
    return [("", _("The site's time zone")), *groups.items(), (_("Other"), other)]


def holds_permission_q(permission: str) -> Q:
    """
    The condition for a member who holds ``permission`` ("app_label.codename"): a
    superuser, or given it directly or through a group. ``user.has_perm`` asks it of one
    member; this asks it of many in one query (it joins both ways in, so use it in a
    subquery, ``Exists`` or ``__in``, or with ``distinct``).
    """
    app_label, codename = permission.split(".")
    right = {"codename": codename, "content_type__app_label": app_label}
    return (
        Q(is_superuser=True)
        | Q(**{f"user_permissions__{name}": value for name, value in right.items()})
        | Q(**{f"groups__permissions__{name}": value for name, value in right.items()})
    )


class UserManager(DjangoUserManager):
    @transaction.atomic
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """
        An administrator who can sign in at once: ``manage.py createsuperuser`` gives the
        address it asks for as a confirmed, primary one, as signing in (through allauth,
        admin included) requires.
        """
        from allauth.account.models import EmailAddress

        extra_fields.setdefault("display_name", username)
        user = cast("User", super().create_superuser(username, email, password, **extra_fields))
        if user.email:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user


class User(AbstractUser):
    """
    A member of the club.

    Members sign in with their email address (allauth); the username is derived from the
    display name at sign-up and serves as the stable handle in profile URLs and @mentions.
    """

    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("How your name appears next to your comments."),
    )
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("Organisation or role, e.g. “Knowledge broker, Research Impact Canada”."),
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=40,
        blank=True,
        validators=[validate_orcid],
        help_text=_("Optional, e.g. 0000-0002-1825-0097."),
    )
    # True only while ``orcid`` is the iD of the member's connected ORCID account: ORCID's
    # sign-in proved it theirs. Set and cleared by the services (accounts/services.py).
    orcid_verified = models.BooleanField(
        _("ORCID iD verified"),
        default=False,
        help_text=_("The iD came through signing in with ORCID, not typed."),
    )
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        choices=time_zone_choices,
        help_text=_("Times of live sessions are shown in this zone. Empty: the site's zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the site and of the emails we send you. Empty: your browser's."
        ),
    )

    named_in_proceedings = models.BooleanField(
        _("name me in published proceedings"),
        default=False,
        help_text=_(
            "When a club publishes a discussion's proceedings with a DOI, list me among its "
            "authors (with my ORCID iD if verified). Comments under a pseudonym never name you."
        ),
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # An iD ORCID vouched for belongs to one account.
            models.UniqueConstraint(
                fields=["orcid"],
                condition=Q(orcid_verified=True),
                name="accounts_user_verified_orcid_unique",
            )
        ]

    def __str__(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"username": self.username})

    def clean(self):
        super().clean()
        self.display_name = self.display_name.strip()
        if self.orcid:
            with field_errors("orcid"):
                self.orcid = normalize_orcid(self.orcid)

    @property
    def name(self) -> str:
        """The name shown to other members."""
        return str(self)


class SuspensionQuerySet(models.QuerySet):
    def in_force(self, at=None):
        at = at or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=at))


class Suspension(models.Model):
    """
    A member may not post, edit, react or flag until ``until`` (forever when empty).
    Part of a member's standing, so it lives with the account; moderators create it.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="suspensions",
        verbose_name=_("member"),
    )
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: indefinitely.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when moderation owned the model.
        db_table = "moderation_suspension"
        ordering = ["-created_at"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self):
        return f"{self.member} ({self.until or _('indefinitely')})"


class CodeOfConductAgreement(models.Model):
    """When a member agreed to the code of conduct, and to which version."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="code_of_conduct",
        verbose_name=_("member"),
    )
    version = models.CharField(_("version"), max_length=20)
    agreed_at = models.DateTimeField(_("agreed"), default=timezone.now)

    class Meta:
        db_table = "moderation_codeofconductagreement"
        verbose_name = _("code of conduct agreement")
        verbose_name_plural = _("code of conduct agreements")

    def __str__(self):
        return f"{self.member} ({self.version})"
