from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


class TokenForm(forms.Form):
    """Naming a new API token: what it is for, so that it can be told apart and revoked."""

    name = forms.CharField(
        label=_("What is it for?"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("A name you will recognise, e.g. “Our club's website”."),
    )
