from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.crypto import get_random_string
from django.utils.translation import gettext

from .signals import member_changed

MEMBERS_ROLE = "Members"


class AccountAdapter(DefaultAccountAdapter):
    """Members sign up with a display name; their username (handle) is derived from it."""

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        return super().save_user(request, user, form, commit)

    def populate_username(self, request, user):
        if not user.username:
            user.username = self.generate_unique_username([user.display_name, user.email, "member"])

    def confirm_email(self, request, email_address):
        """Confirming an address makes the account a member: the role that may post."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            members, _created = Group.objects.get_or_create(name=MEMBERS_ROLE)
            email_address.user.groups.add(members)
            member_changed.send(sender=type(email_address.user), member=email_address.user)
        return confirmed

    def send_account_already_exists_mail(self, email):
        """
        Signing up with an address already registered answers like a new sign-up, and
        must take as long: creating an account hashes its password, which is nearly all
        of its cost (about a quarter of a second), so this path hashes one too. Without
        it the answer came twenty times faster, telling anyone who is a member.
        """
        make_password(get_random_string(32))
        super().send_account_already_exists_mail(email)

    def send_mail(self, template_prefix, email, context):
        """
        Links in account emails (confirmation, password reset, "you already have an
        account") start from ``JOURNAL_CLUB_BASE_URL``, never from the Host header of the
        request that caused them: a forged Host must not put its own address in a
        password-reset email.
        """
        base = settings.JOURNAL_CLUB_BASE_URL + "/"
        request = context.get("request") or self.request
        if request is not None:
            origin = request.build_absolute_uri("/")
            context = {
                key: base + value[len(origin) :]
                if isinstance(value, str) and value.startswith(origin)
                else value
                for key, value in context.items()
            }
        site = SimpleNamespace(domain=urlsplit(base).netloc, name=gettext("Journal Club"))
        return super().send_mail(template_prefix, email, {**context, "current_site": site})
