"""Forms for opening a discussion in a club: the paper, the commentary, the questions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clubs.forms import NoSuffix
from clubs.tool_forms import PaperField

MAX_QUESTIONS = 30


class DiscussionDraftForm(NoSuffix, forms.Form):
    """The paper (unless it comes from a nomination) and the host's commentary."""

    paper = PaperField()
    commentary = forms.CharField(
        label=_("Commentary"),
        required=False,
        help_text=_("Your introduction to the paper, in Markdown. You can also write it later."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, nomination=None, paper=True, **kwargs):
        super().__init__(*args, **kwargs)
        if nomination is not None or not paper:
            del self.fields["paper"]  # the nominated paper, or the draft's, shown above


class QuestionForm(forms.Form):
    """One question of the discussion; left empty, it is dropped."""

    text = forms.CharField(
        label=_("Question"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Room for a few questions beyond the club's standard ones; more can be added once the
# draft is saved (its questions are edited in the admin, or the draft saved again).
QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=3, max_num=MAX_QUESTIONS, validate_max=True
)
