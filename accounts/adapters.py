import logging
from types import SimpleNamespace
from typing import NoReturn
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import orcid, services
from .selectors import member_connected_orcid, member_orcid_taken
from .signals import member_changed

logger = logging.getLogger(__name__)

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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """
    Signing up, signing in and connecting an account with ORCID (the one provider):
    the iD ORCID vouches for becomes the member's, verified (``services.member_orcid_verify``);
    an iD another member has verified is refused, with nothing changed.
    """

    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "email_taken": _(
            "An account already exists with this email address. Sign in to it first, then "
            "connect your %s account under Connected accounts."
        ),
    }

    def get_app(self, request, provider, client_id=None):
        """Without an ORCID client configured, the ORCID addresses are not found (404)."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("Signing in with this provider is not configured.") from None

    def get_requests_session(self):
        """allauth's session (its timeout), naming the site and checking ORCID's answers."""
        return orcid.prepare_session(super().get_requests_session())

    def populate_user(self, request, sociallogin, data):
        """A new member is named as on their ORCID record; the sign-up form lets them change it."""
        user = super().populate_user(request, sociallogin, data)
        user.display_name = orcid.record_name(sociallogin.account.extra_data)
        return user

    def get_signup_form_initial_data(self, sociallogin):
        initial = super().get_signup_form_initial_data(sociallogin)
        initial["display_name"] = sociallogin.user.display_name
        return initial

    def pre_social_login(self, request, sociallogin):
        """
        ORCID has vouched for an iD, before allauth signs in, signs up or connects: refuse
        an iD another member has verified, or a second iD for an account that has one;
        signing in to (or reconnecting) the account the iD is connected to verifies it
        again, whatever was typed since. A new connection is verified once made
        (``receivers.on_social_account_added``), a new account once saved (``save_user``).
        """
        uid = sociallogin.account.uid
        connecting = sociallogin.state.get("process") == AuthProcess.CONNECT
        if connecting:
            member = request.user if request.user.is_authenticated else None
        else:
            member = sociallogin.user if sociallogin.is_existing else None
        if not orcid.is_orcid(uid):
            self._refuse(request, connecting, gettext("ORCID did not give a valid ORCID iD."))
        if member is not None and connecting:
            connected = member_connected_orcid(member)
            if connected and connected != uid:
                self._refuse(
                    request,
                    connecting,
                    gettext(
                        "Your account is already connected to ORCID iD %(orcid)s. To use "
                        "another iD, disconnect that one first. Nothing was changed."
                    )
                    % {"orcid": connected},
                )
        if member_orcid_taken(orcid=uid, member=member):
            self._refuse(request, connecting, services.orcid_taken_message(uid))
        if member is not None and sociallogin.account.pk and sociallogin.user.pk == member.pk:
            services.member_orcid_verify(member=member, orcid=uid)

    def _refuse(self, request, connecting: bool, message: str) -> NoReturn:
        """Stop the sign-in here: back to the page it started from, saying why."""
        messages.error(request, message)
        raise ImmediateHttpResponse(
            redirect("socialaccount_connections" if connecting else "account_login")
        )

    def save_user(self, request, sociallogin, form=None):
        """A new account made with ORCID has the iD ORCID vouched for, verified."""
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            try:
                services.member_orcid_verify(member=user, orcid=sociallogin.account.uid)
            except ValidationError as error:  # verified elsewhere since the check above
                messages.error(request, error.messages[0])
                raise ImmediateHttpResponse(redirect("account_login")) from None
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        """Say in the log why a sign-in failed; the member sees allauth's error page."""
        logger.warning(
            "Signing in with %s failed: %s", getattr(provider, "id", provider), exception or error
        )
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
