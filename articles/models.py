import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from core.identifiers import (
    doi_url,
    field_errors,
    normalize_doi,
    normalize_issn,
    normalize_orcid,
    validate_issn,
    validate_orcid,
)

# A BCP 47 language tag as records give it: "en", "fr", "fr-CA", "zh-Hant".
LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")


class Journal(models.Model):
    """A journal or series in which papers are published."""

    title = models.CharField(_("title"), max_length=300, unique=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    issn_print = models.CharField(
        _("print ISSN"), max_length=9, blank=True, validators=[validate_issn]
    )
    issn_electronic = models.CharField(
        _("electronic ISSN"), max_length=9, blank=True, validators=[validate_issn]
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("journal")
        verbose_name_plural = _("journals")

    def __str__(self):
        return self.title

    def clean(self):
        with field_errors("issn_print"):
            self.issn_print = normalize_issn(self.issn_print) if self.issn_print else ""
        with field_errors("issn_electronic"):
            self.issn_electronic = (
                normalize_issn(self.issn_electronic) if self.issn_electronic else ""
            )

    @property
    def issns(self) -> list[str]:
        return [issn for issn in (self.issn_print, self.issn_electronic) if issn]


class Subject(models.Model):
    """A subject heading or keyword attached to papers."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def with_citation_data(self):
        """Everything a citation line needs, in a fixed number of queries."""
        return self.select_related("journal").prefetch_related("authors")


class Article(models.Model):
    """
    A published paper with its full bibliographic record.

    Papers exist independently of discussions: curators may add them before a journal-club
    edition about them is scheduled.
    """

    class DatePrecision(models.TextChoices):
        YEAR = "year", _("year")
        MONTH = "month", _("month")
        DAY = "day", _("day")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("The paper's address on this site, e.g. albers-2020-implementation-support."),
    )
    doi = models.CharField(  # noqa: DJ001 - NULL, not "", so that DOI-less papers never collide
        _("DOI"),
        max_length=255,
        blank=True,
        null=True,
        help_text=_("Any common form: 10.1186/…, doi:10.1186/…, https://doi.org/10.1186/…"),
    )
    journal = models.ForeignKey(
        Journal,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("journal or series"),
        null=True,
        blank=True,
    )
    volume = models.CharField(_("volume"), max_length=30, blank=True)
    issue = models.CharField(_("issue"), max_length=30, blank=True)
    article_number = models.CharField(_("article number"), max_length=30, blank=True)
    pages = models.CharField(_("pages"), max_length=30, blank=True, help_text=_("e.g. 1–10"))
    published_on = models.DateField(_("publication date"))
    published_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the publication date is known."),
    )
    url = models.URLField(_("full text link"), max_length=500, blank=True)
    language = models.CharField(
        _("language"), max_length=35, default="en", help_text=_("Language code, e.g. en, fr.")
    )
    is_open_access = models.BooleanField(_("open access"), default=False)
    licence = models.CharField(
        _("licence"), max_length=100, blank=True, help_text=_("e.g. CC BY 4.0")
    )
    licence_url = models.URLField(_("licence link"), max_length=500, blank=True)
    subjects = models.ManyToManyField(
        Subject, related_name="articles", blank=True, verbose_name=_("subjects and keywords")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        constraints = [
            models.UniqueConstraint(
                Lower("doi"),
                name="article_doi_unique_ci",
                violation_error_message=_("A paper with this DOI already exists."),
            ),
        ]
        indexes = [models.Index(fields=["published_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        with field_errors("doi"):
            self.doi = normalize_doi(self.doi) if self.doi and self.doi.strip() else None
        if not self.slug and self.title:
            self.slug = slugify(self.title)[:120].strip("-")

    @property
    def doi_url(self) -> str:
        return doi_url(self.doi) if self.doi else ""

    @property
    def year(self) -> int:
        return self.published_on.year

    @property
    def content_language(self) -> str:
        """
        The paper's language as a page's ``lang`` attribute takes it ("en", "fr-CA"), or ""
        when what the record holds is no language tag.
        """
        return self.language if LANGUAGE_TAG.fullmatch(self.language or "") else ""

    @property
    def language_name(self) -> str:
        """The language's name in the reader's language, or its code if Django lacks it."""
        try:
            return str(get_language_info(self.language)["name_translated"])
        except KeyError:
            return self.language

    @property
    def short_authors(self) -> str:
        """Family names for a listing: "Albers, Metz & Burke", or "Albers et al." past three."""
        names = [author.family_name for author in self.authors.all()]
        if len(names) > 3:
            return _("%(first)s et al.") % {"first": names[0]}
        if len(names) > 1:
            return _("%(most)s & %(last)s") % {"most": ", ".join(names[:-1]), "last": names[-1]}
        return names[0] if names else ""

    @property
    def link(self) -> str:
        """Where a reader should go for the full text: the DOI resolver, else the link."""
        return self.doi_url or self.url


class Author(models.Model):
    """One author of one paper, in byline order, with the affiliations given in that paper."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="authors", verbose_name=_("paper")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    given_name = models.CharField(_("given name"), max_length=200, blank=True)
    family_name = models.CharField(
        _("family name"),
        max_length=200,
        help_text=_("For an organisation as author, its full name."),
    )
    orcid = models.CharField(_("ORCID iD"), max_length=40, blank=True, validators=[validate_orcid])
    affiliations = models.TextField(
        _("affiliations"), blank=True, help_text=_("One affiliation per line.")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authorships",
        verbose_name=_("member"),
        help_text=_(
            "The member who is this author, once staff have checked it: their comments on "
            'this paper then carry an "author of the paper" badge.'
        ),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.full_name

    def clean(self):
        if self.orcid:
            with field_errors("orcid"):
                self.orcid = normalize_orcid(self.orcid)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def reference_name(self) -> str:
        """The name as a reference list gives it: "Albers, B." (initials of given names)."""
        initials = " ".join(f"{part[0]}." for part in self.given_name.replace("-", " ").split())
        return f"{self.family_name}, {initials}" if initials else self.family_name

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""

    @property
    def affiliation_list(self) -> list[str]:
        return [line.strip() for line in self.affiliations.splitlines() if line.strip()]


class AbstractSection(models.Model):
    """
    One section of a paper's abstract, in order.

    Structured abstracts have a heading per section (Background, Main body, Conclusion);
    an unstructured abstract is a single section without heading.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="abstract_sections", verbose_name=_("paper")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    heading = models.CharField(_("heading"), max_length=100, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("abstract section")
        verbose_name_plural = _("abstract sections")

    def __str__(self):
        return self.heading or _("Abstract")

    def clean(self):
        if not self.body.strip():
            raise ValidationError({"body": _("An abstract section needs some text.")})
