"""
What the accounts app does when allauth says an ORCID account was connected or
disconnected: allauth's own signals, as it offers no adapter method for either.
"""

from allauth.socialaccount.signals import social_account_added, social_account_removed

from . import services
from .orcid import PROVIDER


def on_social_account_added(sender, request, sociallogin, **kwargs) -> None:
    """A member connected their ORCID account: its iD becomes theirs, verified."""
    if sociallogin.account.provider == PROVIDER:
        services.member_orcid_verify(member=sociallogin.user, orcid=sociallogin.account.uid)


def on_social_account_removed(sender, request, socialaccount, **kwargs) -> None:
    """A member disconnected their ORCID account: their iD stays, no longer verified."""
    if socialaccount.provider == PROVIDER:
        services.member_orcid_unverify(member=socialaccount.user, orcid=socialaccount.uid)


def connect() -> None:
    social_account_added.connect(on_social_account_added, dispatch_uid="accounts-orcid-added")
    social_account_removed.connect(on_social_account_removed, dispatch_uid="accounts-orcid-removed")
