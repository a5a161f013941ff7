"""Forms for opening a discussion in a club: the paper, the commentary, the questions."""

from django import forms
from django.conf import settings
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
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        required=False,  # left out: the club's
        help_text=_(
            "The language of the commentary and questions. Members write their comments in "
            "either language; you can add a translation once the draft is saved."
        ),
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


class TranslationForm(NoSuffix, forms.Form):
    """A discussion's commentary and questions (and syntheses) in another language."""

    commentary = forms.CharField(
        label=_("Translation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("In Markdown, as the original."),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = []
        for question in questions:
            text = forms.CharField(
                label=_("Translation"),
                max_length=1000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"question_{question.pk}"] = text
            names = [f"question_{question.pk}"]
            if question.synthesis:
                self.fields[f"synthesis_{question.pk}"] = forms.CharField(
                    label=_("The synthesis, translated"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
                names.append(f"synthesis_{question.pk}")
            self.questions.append((question, [self[name] for name in names]))

    def translated_questions(self) -> dict[int, tuple[str, str]]:
        """Each question's (text, synthesis), by question id, as the host wrote them."""
        data = self.cleaned_data
        return {
            question.pk: (
                data.get(f"question_{question.pk}", ""),
                data.get(f"synthesis_{question.pk}", ""),
            )
            for question, _fields in self.questions
        }
