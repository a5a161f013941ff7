"""
A member's own data: everything they wrote, as JSON, and deleting their account.

Deleting an account keeps the conversation readable for everyone else: the member's
comments stay in place as "Deleted member" (or, if they choose, with their text removed,
as tombstones), replies keep their parents, and counts stay right. What identifies them
(email addresses, connected ORCID account, username, name, affiliation, ORCID iD, bio,
password) is erased, so that afterwards no table holds their email address or username.

Accounts is the lowest app: the apps above it hold the rest of what a member wrote and
set, and say how to export and forget it. An app's ``AppConfig`` may define

- ``member_export(member) -> dict``: sections of the member's export, by name;
- ``member_forget(member, *, remove_text: bool)``: run inside the deletion's transaction,
  before the account's own fields are erased.

Both are called in ``INSTALLED_APPS`` order; neither may depend on another app's having run.
"""

from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.identifiers import normalize_orcid

from .models import CodeOfConductAgreement, User
from .selectors import member_orcid_is_connected, member_orcid_taken
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
    the pages that show the member follow (``signals.member_changed``). A typed ORCID iD
    is verified only when it is the iD of their connected ORCID account.
    """
    with transaction.atomic():
        member = form.save(commit=False)
        if member.orcid != form.initial.get("orcid", ""):
            member.orcid_verified = member_orcid_is_connected(member)
        member.save()
        form.save_m2m()
        member_changed.send(sender=User, member=member)
    return member


def orcid_taken_message(orcid: str) -> str:
    """Why an iD is refused: another member has it verified (``member_orcid_taken``)."""
    return _(
        "ORCID iD %(orcid)s is already verified on another member's account, and an iD "
        "belongs to one account only. Nothing was changed."
    ) % {"orcid": orcid}


def member_orcid_verify(*, member: User, orcid: str) -> User:
    """
    Make ``orcid`` the member's iD, verified: signing up, signing in or connecting with
    ORCID proved it theirs (the socialaccount adapter and ``receivers`` call this). An iD
    another member has verified is refused (``ValidationError``), and nothing changes.
    """
    orcid = normalize_orcid(orcid)
    with transaction.atomic():
        current = (
            User.objects.select_for_update(no_key=True)
            .filter(pk=member.pk)
            .values_list("orcid", "orcid_verified")
            .get()
        )
        if member_orcid_taken(orcid=orcid, member=member):
            raise ValidationError(orcid_taken_message(orcid), code="orcid_taken")
        changed = current != (orcid, True)  # signing in again changes nothing
        if changed:
            try:
                with transaction.atomic():  # another member may verify it at this very moment
                    User.objects.filter(pk=member.pk).update(orcid=orcid, orcid_verified=True)
            except IntegrityError:
                raise ValidationError(orcid_taken_message(orcid), code="orcid_taken") from None
        member.orcid, member.orcid_verified = orcid, True
        if changed:
            member_changed.send(sender=User, member=member)
    return member


def member_orcid_unverify(*, member: User, orcid: str) -> None:
    """
    The member disconnected their ORCID account ``orcid``: their iD, if it is that one,
    stays on their profile but is no longer verified.
    """
    with transaction.atomic():
        changed = User.objects.filter(pk=member.pk, orcid=orcid, orcid_verified=True).update(
            orcid_verified=False
        )
        if changed:
            member.orcid_verified = False
            member_changed.send(sender=User, member=member)


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
            "orcid_verified": member.orcid_verified,
            "bio": member.bio,
            "time_zone": member.time_zone,
            "language": member.language,
            "joined": member.date_joined.isoformat(),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in member.emailaddress_set.all()
        ],
        "connected_accounts": [
            {"provider": account.provider, "uid": account.uid}
            for account in SocialAccount.objects.filter(user=member).order_by("pk")
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
        SocialAccount.objects.filter(user=member).delete()  # an ORCID record, with its tokens
        member.username = f"deleted-{member.pk}"
        member.email = ""
        member.display_name = _("Deleted member")
        member.first_name = member.last_name = ""
        member.affiliation = member.orcid = member.bio = ""
        member.orcid_verified = False
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
