import datetime
from collections.abc import Collection

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Flag
from .selectors import QueueAge, QueueCounts, QueueFilters, QueueOrder, QueueState


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


class QueueFilterForm(forms.Form):
    """
    The review queue's filters: a plain GET form. A value that does not validate is
    ignored (that filter shows everything) rather than refused: links outlive data.
    ``clubs`` are the clubs whose queue the moderator keeps (None: every club); a club
    outside them is ignored like any other unknown value.
    """

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Awaiting review")), *QueueState.choices],
    )
    reason = forms.ChoiceField(
        label=_("Flag reason"),
        required=False,
        choices=[("", _("Any reason")), *Flag.Reason.choices],
    )
    # Any id is valid (a club's is checked against the moderator's clubs); the options,
    # with their counts, come with the counts.
    club = forms.IntegerField(
        label=_("Club"),
        required=False,
        min_value=1,
        widget=forms.Select(choices=[("", _("All clubs"))]),
    )
    discussion = forms.IntegerField(
        label=_("Discussion"),
        required=False,
        min_value=1,
        widget=forms.Select(choices=[("", _("All discussions"))]),
    )
    age = forms.ChoiceField(
        label=_("Waiting"), required=False, choices=[("", _("Any time")), *QueueAge.choices]
    )
    order = forms.ChoiceField(label=_("Order"), required=False, choices=QueueOrder.choices)

    def __init__(self, data=None, *args, clubs: Collection[int] | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, *args, **kwargs)
        self.clubs = clubs

    def clean_club(self):
        club = self.cleaned_data.get("club")
        if club is not None and self.clubs is not None and club not in self.clubs:
            raise forms.ValidationError(_("Choose one of your clubs."), code="invalid_choice")
        return club

    def filters(self) -> QueueFilters:
        """The valid filters asked for; the others are left at "any"."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            state=data.get("state") or "",
            reason=data.get("reason") or "",
            club=data.get("club"),
            discussion=data.get("discussion"),
            age=data.get("age") or "",
            order=data.get("order") or QueueOrder.OLDEST,
        )

    def show_counts(self, counts: QueueCounts) -> None:
        """Put the count of each value in its option's label: "Spam (3)"."""

        def labelled(choices, numbers):
            return [
                (value, _count_label(label, numbers[value]) if value in numbers else label)
                for value, label in choices
            ]

        states = {**counts.states, "": counts.awaiting}
        self.fields["state"].choices = labelled(self.fields["state"].choices, states)
        self.fields["reason"].choices = labelled(self.fields["reason"].choices, counts.reasons)
        self.fields["age"].choices = labelled(self.fields["age"].choices, counts.ages)
        self.fields["discussion"].widget.choices = [
            ("", _("All discussions")),
            *((pk, _count_label(title, n)) for pk, title, n in counts.discussions),
        ]
        self.fields["club"].widget.choices = [
            ("", _("All clubs")),
            *((pk, _count_label(name, n)) for pk, name, n in counts.clubs),
        ]


def _count_label(label, count: int) -> str:
    return _("%(label)s (%(count)s)") % {"label": label, "count": count}


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


class CommentLanguageForm(forms.Form):
    """The language a comment is marked with, corrected by a moderator."""

    language = forms.ChoiceField(label=_("Written in"), choices=settings.LANGUAGES)
