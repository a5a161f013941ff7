import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
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

    def with_doi(self):
        return self.exclude(doi=None)

    def open_access_due(self, *, stale_days: int):
        """Papers with a DOI whose open copy was never looked up, or not for ``stale_days``."""
        since = timezone.now() - datetime.timedelta(days=stale_days)
        return self.with_doi().filter(
            models.Q(open_access_checked_at=None) | models.Q(open_access_checked_at__lt=since)
        )

    def discussed(self):
        """
        Papers that a discussion which is not a draft is about, in any club (a private
        club's readers need to know of a retraction too). The discussions app declares the
        relation and its statuses; they are reached through it, as it sits above this app.
        """
        discussion = self.model._meta.get_field("discussions").related_model
        return self.filter(
            pk__in=discussion._default_manager.exclude(status="draft").values("article_id")
        )


class OpenAccessHost(models.TextChoices):
    """Who hosts an open copy (Unpaywall's ``host_type``)."""

    PUBLISHER = "publisher", _("publisher")
    REPOSITORY = "repository", _("repository")


class OpenAccessVersion(models.TextChoices):
    """Which version of the paper an open copy is (Unpaywall's ``version``)."""

    SUBMITTED = "submittedVersion", _("submitted manuscript")
    ACCEPTED = "acceptedVersion", _("author’s accepted manuscript")
    PUBLISHED = "publishedVersion", _("published version")


@dataclass(frozen=True)
class OpenCopy:
    """Where a reader can read a paper free, and which copy that is."""

    url: str
    host: str = ""  # an OpenAccessHost, or "" when unknown
    version: str = ""  # an OpenAccessVersion, or "" when unknown
    licence: str = ""  # as its source writes it: "cc-by" (Unpaywall), "CC BY 4.0"

    @property
    def description(self) -> str:
        """ "author's accepted manuscript, repository": what the link leads to."""
        parts = []
        if self.version in OpenAccessVersion.values:
            parts.append(str(OpenAccessVersion(self.version).label))
        if self.host in OpenAccessHost.values:
            parts.append(str(OpenAccessHost(self.host).label))
        return ", ".join(parts)

    @property
    def licence_name(self) -> str:
        """A Creative Commons licence as people write it ("CC BY-NC"); "" for others."""
        licence = self.licence.strip()
        if licence.lower().startswith("cc0"):
            return licence.upper()
        if licence.lower().startswith("cc-"):
            kind = licence[3:].upper()
            return f"CC {kind}"
        return licence if licence.upper().startswith("CC ") else ""


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
    # Where the paper can be read free, as Unpaywall last said (articles.openaccess).
    open_access_url = models.URLField(
        _("open copy"),
        max_length=1000,
        blank=True,
        help_text=_("A free, legal copy of the paper, found by Unpaywall."),
    )
    open_access_host = models.CharField(
        _("open copy host"), max_length=20, choices=OpenAccessHost.choices, blank=True
    )
    open_access_version = models.CharField(
        _("open copy version"), max_length=20, choices=OpenAccessVersion.choices, blank=True
    )
    open_access_licence = models.CharField(_("open copy licence"), max_length=100, blank=True)
    open_access_checked_at = models.DateTimeField(_("open copy looked up"), null=True, blank=True)
    # When Crossref was last asked for retractions, corrections and newer versions
    # (articles.updates): a paper never asked has no notices, so pages need not look.
    updates_checked_at = models.DateTimeField(_("updates checked"), null=True, blank=True)
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

    @property
    def open_copy(self) -> OpenCopy | None:
        """
        The copy to send a reader to for free: Unpaywall's best one, else (a paper open
        access from its publisher's record, not yet or never found by Unpaywall) the
        publisher's; None for a paper with no known free copy.
        """
        if self.open_access_url:
            return OpenCopy(
                url=self.open_access_url,
                host=self.open_access_host,
                version=self.open_access_version,
                licence=self.open_access_licence,
            )
        if self.is_open_access and self.link:
            return OpenCopy(
                url=self.url or self.doi_url,
                host=OpenAccessHost.PUBLISHER,
                version=OpenAccessVersion.PUBLISHED,
                licence=self.licence,
            )
        return None


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


class PaperNotice(models.Model):
    """
    Something published about a paper after it that its readers should know of: a
    retraction, a correction, an expression of concern, a newer version. Found at Crossref
    by ``manage.py check_paper_updates`` (articles.updates), once per paper, kind and DOI;
    kept when Crossref stops listing it, as a notice once published stays published.
    """

    class Kind(models.TextChoices):
        RETRACTION = "retraction", _("retraction")
        PARTIAL_RETRACTION = "partial_retraction", _("partial retraction")
        WITHDRAWAL = "withdrawal", _("withdrawal")
        REMOVAL = "removal", _("removal")
        EXPRESSION_OF_CONCERN = "expression_of_concern", _("expression of concern")
        CORRECTION = "correction", _("correction")
        ERRATUM = "erratum", _("erratum")
        CORRIGENDUM = "corrigendum", _("corrigendum")
        ADDENDUM = "addendum", _("addendum")
        CLARIFICATION = "clarification", _("clarification")
        NEW_VERSION = "new_version", _("newer version")
        NEW_EDITION = "new_edition", _("new edition")
        OTHER_VERSION = "other_version", _("other version")
        UPDATE = "update", _("other update")

    # How loudly each kind is shown, most serious first (templates/articles/_paper_status.html).
    SERIOUS = "serious"
    CAUTION = "caution"
    VERSION = "version"
    INFO = "info"
    SEVERITY: dict[str, str] = {
        Kind.RETRACTION: SERIOUS,
        Kind.PARTIAL_RETRACTION: SERIOUS,
        Kind.WITHDRAWAL: SERIOUS,
        Kind.REMOVAL: SERIOUS,
        Kind.EXPRESSION_OF_CONCERN: CAUTION,
        Kind.NEW_VERSION: VERSION,
        Kind.NEW_EDITION: VERSION,
        Kind.OTHER_VERSION: VERSION,
    }
    SEVERITY_ORDER = (SERIOUS, CAUTION, VERSION, INFO)
    # What the page says, and the link's words.
    HEADLINES: dict[str, Promise] = {
        Kind.RETRACTION: _("This paper has been retracted."),
        Kind.PARTIAL_RETRACTION: _("Part of this paper has been retracted."),
        Kind.WITHDRAWAL: _("This paper has been withdrawn."),
        Kind.REMOVAL: _("This paper has been removed by its publisher."),
        Kind.EXPRESSION_OF_CONCERN: _("An expression of concern about this paper was published."),
        Kind.CORRECTION: _("A correction to this paper was published."),
        Kind.ERRATUM: _("An erratum to this paper was published."),
        Kind.CORRIGENDUM: _("A corrigendum to this paper was published."),
        Kind.ADDENDUM: _("An addendum to this paper was published."),
        Kind.CLARIFICATION: _("A clarification of this paper was published."),
        Kind.NEW_VERSION: _("A newer version of this paper exists."),
        Kind.NEW_EDITION: _("A new edition of this paper exists."),
        Kind.OTHER_VERSION: _("Another version of this paper exists."),
        Kind.UPDATE: _("An update to this paper was published."),
    }
    LINK_TEXTS: dict[str, Promise] = {
        Kind.RETRACTION: _("Read the retraction notice"),
        Kind.EXPRESSION_OF_CONCERN: _("Read the expression of concern"),
        Kind.NEW_VERSION: _("Read the newer version"),
        Kind.NEW_EDITION: _("Read the new edition"),
        Kind.OTHER_VERSION: _("Read the other version"),
    }

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="notices", verbose_name=_("paper")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    doi = models.CharField(
        _("DOI"), max_length=255, help_text=_("The notice's DOI, or the other version's.")
    )
    date = models.DateField(_("date"), null=True, blank=True)
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("As Crossref names it.")
    )
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-first_seen_at"]
        verbose_name = _("paper notice")
        verbose_name_plural = _("paper notices")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind", "doi"], name="papernotice_unique_per_paper"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.doi}"

    @property
    def doi_url(self) -> str:
        return doi_url(self.doi)

    @property
    def severity(self) -> str:
        return self.SEVERITY.get(self.kind, self.INFO)

    @property
    def headline(self) -> str:
        return str(self.HEADLINES.get(self.kind, self.HEADLINES[self.Kind.UPDATE]))

    @property
    def link_text(self) -> str:
        return str(self.LINK_TEXTS.get(self.kind, _("Read the notice")))

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Most serious first, then newest first (a notice without date last), then by kind."""
        day = self.date or datetime.date.min
        return (
            self.SEVERITY_ORDER.index(self.severity),
            -day.toordinal(),
            self.Kind.values.index(self.kind) if self.kind in self.Kind.values else 0,
        )
