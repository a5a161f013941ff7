from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

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
        return confirmed
