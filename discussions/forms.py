from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Comment
from .services import render_comment_body


class CommentForm(forms.Form):
    """The text of an answer, a reply or an edit. The rules themselves live in the services."""

    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH,
        help_text=_(
            "Markdown works: **bold**, *italic*, [a link](https://…), > a quote, - a list, "
            "`code`, $maths$ ($$…$$ on a line of its own for a display). Mention a member "
            "with @name. Up to 10,000 characters."
        ),
        error_messages={
            "required": _("Write something before posting."),
            "max_length": _(
                "A comment can be at most %(limit_value)d characters long; "
                "this one has %(show_value)d."
            ),
        },
    )
    label = forms.ChoiceField(
        label=_("Label (optional)"),
        choices=[("", _("No label")), *Comment.Label.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Written in"),
        choices=settings.LANGUAGES,
        required=False,
    )

    as_pseudonym = forms.BooleanField(label=_("Post under a pseudonym"), required=False)
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=40,
        required=False,
        help_text=_(
            "Your name in this discussion only, the same for everything you post here. "
            "Other members cannot find out who you are; the club's leads and moderators "
            "can, and each time they look it is logged."
        ),
    )

    def __init__(self, *args, label=None, language="", pseudonym=None, **kwargs):
        """
        ``pseudonym``: None where the writer may not post under one (the fields go), ""
        for a writer who has none in this discussion yet (they choose it), or the one they
        have (they only tick to use it).
        """
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language or settings.LANGUAGE_CODE
        self.pseudonym_name = pseudonym
        if pseudonym is None:
            del self.fields["as_pseudonym"], self.fields["pseudonym"]
        elif pseudonym:
            del self.fields["pseudonym"]
            self.fields["as_pseudonym"].label = _("Post as “%(name)s”, your pseudonym here") % {
                "name": pseudonym
            }
        if label:
            self.fields["body"].label = label
        self.limit = settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH
        attrs = self.fields["body"].widget.attrs
        # No maxlength: a browser would cut a long paste silently. The counter of
        # static/js/compose.js says how far over the limit a text is; the server refuses it.
        attrs.pop("maxlength", None)
        attrs["data-limit"] = str(self.limit)
        attrs["data-mentions"] = reverse("accounts:mentions")

    def pseudonym_choice(self) -> str | None:
        """For ``comment_post``: None for the writer's own name, else the pseudonym asked for."""
        if not self.cleaned_data.get("as_pseudonym"):
            return None
        return self.cleaned_data.get("pseudonym", "")

    @property
    def preview_html(self) -> str:
        """When asked for, the text as it would be posted, by the renderer comments use."""
        if not self.is_bound or "preview" not in self.data:
            return ""
        body = self.data.get(self.add_prefix("body"), "")
        return render_comment_body(body) if body.strip() else ""


class SynthesisForm(forms.Form):
    """The host's synthesis of a question's answers."""

    synthesis = forms.CharField(
        label=_("Synthesis"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH,
        help_text=_("What the answers add up to so far, in Markdown. Shown above the answers."),
    )
    is_answered = forms.BooleanField(label=_("Mark the question as answered"), required=False)
