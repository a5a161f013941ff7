import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Flag


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “Other”; optional otherwise. Only moderators see it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Please say what is wrong."))
        return cleaned


class ReasonForm(forms.Form):
    """One moderation decision about a comment."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("approve", _("Approve")),
            ("approve_member", _("Approve, and trust the member: publish their other first posts")),
            ("hide", _("Hide")),
            ("restore", _("Restore")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required to hide: it is shown in place of the comment."),
    )


class BulkForm(ReasonForm):
    comments = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, comment_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comments"].choices = [(pk, pk) for pk in comment_ids]


class LockForm(forms.Form):
    note = forms.CharField(
        label=_("Lock note"),
        required=False,
        max_length=300,
        help_text=_("Why it is locked; shown to everyone. Leave empty to unlock."),
    )


class SuspendForm(forms.Form):
    DURATIONS = [
        ("1", _("1 day")),
        ("7", _("1 week")),
        ("30", _("30 days")),
        ("", _("Indefinitely")),
    ]

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member sees this."),
    )
    duration = forms.ChoiceField(label=_("For how long"), choices=DURATIONS, required=False)

    def until(self):
        days = self.cleaned_data.get("duration")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None
