from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from .menus import filter_menus
from .models import SearchEntry
from .search import MAX_QUERY_LENGTH, clean_query


class Menu(BaseChoiceIterator):
    """
    Choices already in (value, label) pairs. Django copies and checks every option of a
    list of choices, twice per field, on every request; it takes these as they are.
    """

    def __init__(self, choices: list[tuple[str, str]]):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


class QueryField(forms.CharField):
    """Search text, cleaned so that any input at all makes a query that cannot fail."""

    def to_python(self, value):
        return clean_query(value)


class SearchForm(forms.Form):
    """
    The search box and its filters. A filter value that is not on offer (an edited URL,
    a subject since removed) is ignored rather than reported: the page still searches.
    """

    STATUS_CHOICES = [("", _("Any")), ("open", _("Open")), ("closed", _("Closed"))]

    q = QueryField(label=_("Search for"), required=False)
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything")), *SearchEntry.Kind.choices],
    )
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    year = forms.TypedChoiceField(
        label=_("Published in"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Discussion"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "maxlength": MAX_QUERY_LENGTH, "autocomplete": "off"}
        )
        subjects, years = filter_menus()
        self.fields["subject"].choices = Menu([("", _("Any subject")), *subjects])
        self.fields["year"].choices = Menu(
            [("", _("Any year")), *((str(year), str(year)) for year in years)]
        )

    def value(self, name: str):
        """The cleaned value of a field, or its empty value if what came was not valid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        default = {"year": None}.get(name, "")
        return self.cleaned_data.get(name, default) or default

    @property
    def has_filters(self) -> bool:
        return any(self.value(name) for name in ("subject", "year", "status"))
