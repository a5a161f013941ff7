"""
A member's own data: everything they wrote, as JSON, and deleting their account.

Deleting an account keeps the conversation readable for everyone else: the member's
comments stay in place as "Deleted member" (or, if they choose, with their text removed,
as tombstones), replies keep their parents, and counts stay right. What identifies them
(email addresses, username, name, affiliation, ORCID iD, bio, password) is erased, so that
afterwards no table holds their email address or username.

Accounts is the lowest app: the apps above it hold the rest of what a member wrote and
set, and say how to export and forget it. An app's ``AppConfig`` may define

- ``member_export(member) -> dict``: sections of the member's export, by name;
- ``member_forget(member, *, remove_text: bool)``: run inside the deletion's transaction,
  before the account's own fields are erased.

Both are called in ``INSTALLED_APPS`` order; neither may depend on another app's having run.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CodeOfConductAgreement, User
from .signals import member_changed


def code_of_conduct_agree(*, member: User) -> CodeOfConductAgreement:
    """Record that the member agreed to the current code of conduct, and when."""
    agreement, _created = CodeOfConductAgreement.objects.update_or_create(
        member=member,
        defaults={
            "version": settings.JOURNAL_CLUB_CODE_OF_CONDUCT_VERSION,
            "agreed_at": timezone.now(),
        },
    )
    return agreement


def profile_update(*, form) -> User:
    """
    Save a member's profile form (name, affiliation, ORCID iD, bio, time zone) and say so:
    the pages that show the member follow (``signals.member_changed``).
    """
    with transaction.atomic():
        member = form.save()
        member_changed.send(sender=User, member=member)
    return member


def member_language_set(*, member: User, language: str) -> None:
    """Remember the language a member chose with the switcher (one of ``settings.LANGUAGES``)."""
    if member.language != language:
        User.objects.filter(pk=member.pk).update(language=language)
        member.language = language
        member_changed.send(sender=User, member=member)


def member_export(*, member: User) -> dict:
    """Everything the member wrote and set, as JSON-ready data."""
    agreement = CodeOfConductAgreement.objects.filter(member=member).first()
    data = {
        "profile": {
            "username": member.username,
            "display_name": member.display_name,
            "affiliation": member.affiliation,
            "orcid": member.orcid,
            "bio": member.bio,
            "time_zone": member.time_zone,
            "language": member.language,
            "joined": member.date_joined.isoformat(),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in member.emailaddress_set.all()
        ],
        "code_of_conduct": {"version": agreement.version, "agreed": agreement.agreed_at.isoformat()}
        if agreement
        else None,
    }
    for export in _hooks("member_export"):
        data.update(export(member))
    return data


def member_delete(*, member: User, remove_text: bool) -> None:
    """
    Delete the member's account: erase what identifies them, keep the conversation whole.

    With ``remove_text`` their comments become tombstones (text and earlier versions
    removed); without it they stay, signed "Deleted member".
    """
    with transaction.atomic():
        member = User.objects.select_for_update(no_key=True).get(pk=member.pk)
        for forget in _hooks("member_forget"):
            forget(member, remove_text=remove_text)
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(member.pk)
        ).update(object_repr=_("Deleted member"), change_message="")
        member.emailaddress_set.all().delete()
        member.username = f"deleted-{member.pk}"
        member.email = ""
        member.display_name = _("Deleted member")
        member.first_name = member.last_name = ""
        member.affiliation = member.orcid = member.bio = ""
        member.time_zone = member.language = ""
        member.is_active = False
        member.is_staff = member.is_superuser = False
        member.set_unusable_password()
        member.save()
        member.groups.clear()
        member.user_permissions.clear()
        member_changed.send(sender=User, member=member)


def _hooks(name: str) -> list:
    """The apps' ``member_export`` or ``member_forget`` methods (see the module's docstring)."""
    return [getattr(config, name) for config in apps.get_app_configs() if hasattr(config, name)]
