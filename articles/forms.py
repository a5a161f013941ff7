"""
Forms of the curators' import pages in the admin: Add by DOI and Import records.

The review form shows a fetched record as ordinary, editable fields (and formsets for the
authors and the abstract's sections); what comes back is validated like any form and
then again by the service that saves it. Import records carries the submitted text from
the preview to the confirmation as a signed payload, so the records imported are exactly
those previewed and nothing edited in the browser is trusted.
"""

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.identifiers import normalize_doi, normalize_orcid

from .models import Article
from .records import ArticleRecord, AuthorRecord, licence_name
from .sources import FORMAT_CHOICES

MAX_IMPORT_BYTES = 5 * 1024 * 1024
PAYLOAD_SALT = "articles.import-records"
PAYLOAD_MAX_AGE = 24 * 60 * 60


class DoiForm(forms.Form):
    doi = forms.CharField(
        label=_("DOI"),
        max_length=300,
        help_text=_("Any common form: 10.1186/…, doi:10.1186/…, https://doi.org/10.1186/…"),
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )

    def clean_doi(self) -> str:
        return normalize_doi(self.cleaned_data["doi"])


class RecordForm(forms.Form):
    """A paper's record for review before it is saved; every field may be corrected."""

    title = forms.CharField(
        label=_("Title"), max_length=500, widget=forms.TextInput(attrs={"size": 90})
    )
    doi = forms.CharField(label=_("DOI"), max_length=255, required=False)
    journal_title = forms.CharField(
        label=_("Journal or series"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False)
    issn_print = forms.CharField(label=_("Print ISSN"), max_length=9, required=False)
    issn_electronic = forms.CharField(label=_("Electronic ISSN"), max_length=9, required=False)
    volume = forms.CharField(label=_("Volume"), max_length=30, required=False)
    issue = forms.CharField(label=_("Issue"), max_length=30, required=False)
    article_number = forms.CharField(label=_("Article number"), max_length=30, required=False)
    pages = forms.CharField(label=_("Pages"), max_length=30, required=False)
    published_on = forms.DateField(
        label=_("Publication date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    published_precision = forms.ChoiceField(
        label=_("Date precision"), choices=Article.DatePrecision.choices
    )
    url = forms.URLField(
        label=_("Full text link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 80}),
    )
    language = forms.CharField(label=_("Language"), max_length=35, initial="en")
    licence = forms.CharField(label=_("Licence"), max_length=100, required=False)
    licence_url = forms.URLField(
        label=_("Licence link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 60}),
    )
    is_open_access = forms.BooleanField(label=_("Open access"), required=False)
    subjects = forms.CharField(
        label=_("Subjects and keywords"),
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    @staticmethod
    def initial_for(record: ArticleRecord) -> dict:
        return {
            "title": record.title,
            "doi": record.doi,
            "journal_title": record.journal_title,
            "publisher": record.publisher,
            "issn_print": record.issn_print,
            "issn_electronic": record.issn_electronic,
            "volume": record.volume,
            "issue": record.issue,
            "article_number": record.article_number,
            "pages": record.pages,
            "published_on": record.published_on,
            "published_precision": record.published_precision,
            "url": record.url,
            "language": record.language or "en",
            "licence": record.licence,
            "licence_url": record.licence_url,
            "is_open_access": record.is_open_access,
            "subjects": "\n".join(record.subjects),
        }

    def clean_doi(self) -> str:
        doi = self.cleaned_data["doi"].strip()
        return normalize_doi(doi) if doi else ""

    def to_record(self, authors: "AuthorFormSet", sections: "SectionFormSet") -> ArticleRecord:
        """The reviewed record, authors and sections in the order the curator gave them."""
        data = self.cleaned_data
        return ArticleRecord(
            title=data["title"],
            authors=[
                AuthorRecord(
                    family=form.cleaned_data["family"],
                    given=form.cleaned_data["given"],
                    orcid=form.cleaned_data["orcid"],
                    affiliations=form.cleaned_data["affiliations"],
                )
                for form in authors.ordered_forms
                if form.cleaned_data.get("family")
            ],
            journal_title=data["journal_title"],
            publisher=data["publisher"],
            issn_print=data["issn_print"],
            issn_electronic=data["issn_electronic"],
            volume=data["volume"],
            issue=data["issue"],
            article_number=data["article_number"],
            pages=data["pages"],
            published_on=data["published_on"],
            published_precision=data["published_precision"],
            doi=data["doi"],
            url=data["url"],
            language=data["language"],
            licence=data["licence"] or licence_name(data["licence_url"]),
            licence_url=data["licence_url"],
            is_open_access=data["is_open_access"],
            subjects=[line.strip() for line in data["subjects"].splitlines() if line.strip()],
            abstract_sections=[
                (form.cleaned_data["heading"], form.cleaned_data["body"])
                for form in sections.ordered_forms
                if form.cleaned_data.get("body")
            ],
        )


class AuthorForm(forms.Form):
    given = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family = forms.CharField(label=_("Family name"), max_length=200)
    orcid = forms.CharField(label=_("ORCID iD"), max_length=40, required=False)
    affiliations = forms.CharField(
        label=_("Affiliations"),
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    def clean_orcid(self) -> str:
        orcid = self.cleaned_data["orcid"].strip()
        return normalize_orcid(orcid) if orcid else ""

    def clean_affiliations(self) -> list[str]:
        lines = self.cleaned_data["affiliations"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=100, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


AuthorFormSet = forms.formset_factory(AuthorForm, extra=1, can_order=True, can_delete=True)
SectionFormSet = forms.formset_factory(SectionForm, extra=1, can_order=True, can_delete=True)


def record_formsets(record: ArticleRecord | None = None, data=None):
    """The review page's authors and sections formsets, bound to ``data`` or from ``record``."""
    if data is not None:
        return (
            AuthorFormSet(data, prefix="authors"),
            SectionFormSet(data, prefix="sections"),
        )
    authors = [
        {
            "given": a.given,
            "family": a.family,
            "orcid": a.orcid,
            "affiliations": "\n".join(a.affiliations),
        }
        for a in record.authors
    ]
    sections = [{"heading": h, "body": b} for h, b in record.abstract_sections]
    return (
        AuthorFormSet(initial=authors, prefix="authors"),
        SectionFormSet(initial=sections, prefix="sections"),
    )


class ImportForm(forms.Form):
    """Records to import: pasted or uploaded, in a format detected or chosen."""

    text = forms.CharField(
        label=_("Paste records"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100, "spellcheck": "false"}),
        help_text=_(
            "BibTeX, RIS, CSL-JSON, DOAJ JSON or a DOAJ catalogue record as text; "
            "several records at once."
        ),
    )
    file = forms.FileField(
        label=_("… or upload a file"),
        required=False,
        help_text=_(".bib, .ris, .json or .txt, up to 5 MB (pasted text: up to 2.5 MB)."),
    )
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")

    def clean(self):
        data = super().clean()
        text, upload = data.get("text") or "", data.get("file")
        if bool(text.strip()) == bool(upload):
            raise ValidationError(_("Paste records or upload a file (one of the two)."))
        size = upload.size if upload else len(text.encode())
        if size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _(
                    "This is %(size)s; the limit here is %(limit)s. Split it, or use "
                    "“manage.py import_articles”, which has no limit."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
            )
        if upload:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")  # Windows exports (EndNote)
        data["content"] = text
        data["filename"] = upload.name if upload else ""
        data["payload"] = signing.dumps(
            {"text": text, "fmt": data.get("fmt", "auto"), "filename": data["filename"]},
            salt=PAYLOAD_SALT,
            compress=True,
        )
        # The confirmation posts the payload back, within Django's limit for a form's data.
        limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) - 64 * 1024
        if limit > 0 and len(data["payload"]) > limit:
            raise ValidationError(
                _(
                    "These records are too many to import from this page in one go. Split "
                    "them, or use “manage.py import_articles”."
                )
            )
        return data


class ImportConfirmForm(forms.Form):
    """The confirmation of a preview: the signed input, and the duplicates to update."""

    payload = forms.CharField(widget=forms.HiddenInput)

    def clean_payload(self) -> dict:
        try:
            return signing.loads(
                self.cleaned_data["payload"], salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE
            )
        except signing.BadSignature as error:
            raise ValidationError(
                _("This preview has expired or was altered. Please import the records again.")
            ) from error
