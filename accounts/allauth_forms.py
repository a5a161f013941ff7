"""
allauth's forms, with their labels in sentence case, as everywhere on the site.

allauth labels some fields in title case ("Remember Me", "New Password (again)"); the
templates cannot reach a field's label, so these subclasses replace it, and the
placeholder allauth copies from it. Registered in ``settings.ACCOUNT_FORMS``.
"""

from allauth.account import forms as account_forms
from django import forms
from django.utils.translation import gettext_lazy as _


class SentenceCaseLabelsMixin:
    """Relabel the fields named in ``sentence_case_labels`` (those allauth title-cases)."""

    fields: dict[str, forms.Field]  # the form's, once allauth's __init__ has built them
    sentence_case_labels: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.sentence_case_labels.items():
            field = self.fields.get(name)  # "remember" is absent when SESSION_REMEMBER is set
            if field is None:
                continue
            if field.widget.attrs.get("placeholder") == field.label:
                field.widget.attrs["placeholder"] = label
            field.label = label


class LoginForm(SentenceCaseLabelsMixin, account_forms.LoginForm):
    sentence_case_labels = {"remember": _("Remember me")}


class ChangePasswordForm(SentenceCaseLabelsMixin, account_forms.ChangePasswordForm):
    sentence_case_labels = {
        "oldpassword": _("Current password"),
        "password1": _("New password"),
        "password2": _("New password (again)"),
    }


class ResetPasswordKeyForm(SentenceCaseLabelsMixin, account_forms.ResetPasswordKeyForm):
    sentence_case_labels = {
        "password1": _("New password"),
        "password2": _("New password (again)"),
    }
