from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import User
from .orcid import is_configured


class SignupForm(forms.Form):
    """Extra sign-up fields, mixed into allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("How your name appears next to your comments."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    agree_to_code = forms.BooleanField(
        label=_("I agree to the site's code of conduct"),
        error_messages={"required": _("Please read and agree to the code of conduct to join.")},
    )

    field_order = ["display_name", "email", "password1", "password2", "agree_to_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A link in the help text, not the label: the label stays what is agreed to, and
        # the help text is the checkbox's description (aria-describedby).
        self.fields["agree_to_code"].help_text = format_html(
            gettext(
                '<a href="{url}">Read the code of conduct</a>: '
                "be respectful, stay on topic, no spam."
            ),
            url=reverse("code-of-conduct"),
        )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter a display name."))
        return name

    def signup(self, request, user):
        """allauth calls this after saving the user: record the code-of-conduct agreement."""
        from .services import code_of_conduct_agree  # forms load before the services can

        code_of_conduct_agree(member=user)


class OrcidOnceMixin:
    """
    For model forms of the member: an invalid ORCID iD is reported once.

    The model checks the iD twice (its field's validator, then ``User.clean()``, which also
    normalises it), and a model form would show both errors. Checked here first, a bad
    value never reaches the model (a field that failed the form is not validated again,
    and the model keeps its previous value), so only this one error is shown.
    """

    def clean_orcid(self):
        orcid = self.cleaned_data["orcid"].strip()
        if orcid:
            User._meta.get_field("orcid").run_validators(orcid)
        return orcid


class ProfileForm(OrcidOnceMixin, forms.ModelForm):
    """What a member may change about how others see them."""

    class Meta:
        model = User
        fields = [
            "display_name",
            "affiliation",
            "orcid",
            "bio",
            "time_zone",
            "language",
            "named_in_proceedings",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            # The zones' own names (IANA's "America/New_York"), the same in every language.
            "time_zone": forms.Select(attrs={"translate": "no"}),
        }
        help_texts = {
            "bio": _(
                "Markdown works: **bold**, *italic*, [a link](https://…). Up to 1,000 characters."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orcid"].help_text = orcid_hint(self.instance)


def orcid_hint(member: User) -> str:
    """The ORCID field's help: whether the iD is verified, and how to verify one."""
    if member.orcid and member.orcid_verified:
        return gettext(
            "Verified: it came through signing in with ORCID. Changing it removes the verification."
        )
    if not is_configured():
        return (
            gettext("Unverified: you typed it.")
            if member.orcid
            else gettext("Optional, e.g. 0000-0002-1825-0097.")
        )
    url = reverse("socialaccount_connections")
    if member.orcid:
        return format_html(
            gettext(
                'Unverified: you typed it. <a href="{url}">Connect your ORCID account</a> '
                "to show it verified."
            ),
            url=url,
        )
    return format_html(
        gettext(
            'Optional, e.g. 0000-0002-1825-0097. <a href="{url}">Connect your ORCID '
            "account</a> to add it verified."
        ),
        url=url,
    )


class DeleteAccountForm(forms.Form):
    """Deleting an account is confirmed with the password, and says what happens to comments."""

    remove_text = forms.TypedChoiceField(
        label=_("Your comments"),
        choices=[
            ("", _("Keep them, signed “Deleted member”, so the threads stay readable")),
            ("1", _("Remove their text too, leaving “deleted” notes where they were")),
        ],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
