"""Forms of a club's tools: its standard questions, and nominating a paper."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import NoSuffix
from .models import Nomination

MAX_QUESTION_TEMPLATES = 30


class QuestionTemplateForm(NoSuffix, forms.Form):
    """One standard question; left empty, it is dropped."""

    text = forms.CharField(
        label=_("Question"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


QuestionTemplateFormSet = forms.formset_factory(
    QuestionTemplateForm,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=MAX_QUESTION_TEMPLATES,
    validate_max=True,
)


class PaperField(forms.CharField):
    """A paper of the catalogue by its DOI or its address here, or a DOI to look up."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Paper"))
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault(
            "help_text",
            _(
                "Its DOI (e.g. 10.1186/s12913-020-05145-1: a paper not yet on file is looked "
                "up and added), or its address on this site."
            ),
        )
        super().__init__(**kwargs)


class NominationForm(NoSuffix, forms.Form):
    paper = PaperField()
    reason = forms.CharField(
        label=_("Why this paper?"),
        max_length=Nomination._meta.get_field("reason").max_length,
        help_text=_("A sentence or two for the other members: what the club would gain."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CatalogueSearchForm(NoSuffix, forms.Form):
    q = forms.CharField(label=_("Find a paper in the catalogue"), max_length=200, required=False)
