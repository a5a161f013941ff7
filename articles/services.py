"""
Writing bibliographic records to the database.

Every way a paper comes in (Add by DOI, Import records, ``manage.py import_articles``)
ends here, in one of three functions:

* ``article_create_from_record`` and ``article_update_from_record`` write one record,
  atomically: the paper, its journal (found by ISSN, then by title, else created), its
  authors and abstract sections (replaced in full) and its subjects. Everything is
  validated with ``full_clean()`` first; a ValidationError leaves the database untouched.
* ``article_import`` writes a batch: each record in its own transaction, so a bad record
  is reported and skipped without stopping or half-saving the others. A record whose DOI
  is already on file is skipped, unless the caller asks for that paper to be updated.

Once a paper with a DOI is saved, a background task looks for a free copy of it
(``tasks.open_access_check``, Unpaywall); the paper is saved whatever Unpaywall does.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.identifiers import normalize_issn
from core.slugs import free_slug

from .models import AbstractSection, Article, Author, Journal, Subject
from .records import ArticleRecord, ParsedEntry
from .signals import papers_changed
from .tasks import open_access_check_on_commit

# Words skipped when a title's first words go into a paper's slug.
_SLUG_STOP_WORDS = {"a", "an", "the", "of", "on", "in", "and", "for", "to", "with", "at"}


@dataclass
class ImportOutcome:
    """What happened to one record of a batch."""

    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"
    FAILED = "failed"

    label: str
    status: str
    article: Article | None = None
    reason: str = ""


@dataclass
class ImportSummary:
    """The outcomes of a batch, in input order, with a count per status."""

    outcomes: list[ImportOutcome] = field(default_factory=list)

    def add(self, outcome: ImportOutcome) -> ImportOutcome:
        self.outcomes.append(outcome)
        return outcome

    def fail(self, label: str, reason: str) -> ImportOutcome:
        return self.add(ImportOutcome(label=label, status=ImportOutcome.FAILED, reason=reason))

    def _with(self, status: str) -> list[ImportOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def created(self) -> list[ImportOutcome]:
        return self._with(ImportOutcome.CREATED)

    @property
    def updated(self) -> list[ImportOutcome]:
        return self._with(ImportOutcome.UPDATED)

    @property
    def skipped(self) -> list[ImportOutcome]:
        return self._with(ImportOutcome.SKIPPED)

    @property
    def failed(self) -> list[ImportOutcome]:
        return self._with(ImportOutcome.FAILED)


@transaction.atomic
def article_create_from_record(*, record: ArticleRecord) -> Article:
    """
    Create a paper from a record, with its journal, authors, abstract and subjects.

    The slug is made from the first author's family name, the year and the title's first
    words ("albers-2020-implementation-support-practitioners"), numbered if taken. Raises
    ValidationError (nothing saved) for a record without title or date, a DOI already on
    file, a malformed identifier or a value too long for its field.
    """
    _require_complete(record)
    article = Article(slug=_unique_slug(Article, _article_slug_base(record), max_length=120))
    return _save(article, record)


@transaction.atomic
def article_update_from_record(*, article: Article, record: ArticleRecord) -> Article:
    """
    Bring an existing paper up to date with a record; its slug (its address) is kept.

    What the record gives replaces what is on file (authors, abstract sections and subjects
    as whole lists); what it lacks is kept. Raises ValidationError, leaving the paper as it
    was, under the same conditions as creating.
    """
    _require_complete(record)
    return _save(article, record)


def article_import_record(*, record: ArticleRecord, update_existing: bool) -> ImportOutcome:
    """
    Import one record of a batch in its own transaction; never raises for bad data.

    A record whose DOI is on file updates that paper when ``update_existing``, else it is
    skipped. Validation and database errors make the outcome FAILED with the reason.
    """
    label = record.label or record.title or record.doi
    existing = Article.objects.filter(doi=record.doi).first() if record.doi else None
    try:
        if existing and not update_existing:
            return ImportOutcome(
                label=label,
                status=ImportOutcome.SKIPPED,
                article=existing,
                reason=_("A paper with this DOI is already on file: “%(title)s”.")
                % {"title": existing.title},
            )
        with transaction.atomic():
            if existing:
                article = article_update_from_record(article=existing, record=record)
                return ImportOutcome(label=label, status=ImportOutcome.UPDATED, article=article)
            article = article_create_from_record(record=record)
            return ImportOutcome(label=label, status=ImportOutcome.CREATED, article=article)
    except ValidationError as error:
        return ImportOutcome(label=label, status=ImportOutcome.FAILED, reason=describe(error))
    except DatabaseError as error:
        return ImportOutcome(
            label=label,
            status=ImportOutcome.FAILED,
            reason=_("The database refused this record: %s") % error,
        )


def article_import(
    *,
    records: Iterable[ArticleRecord | ParsedEntry],
    update_existing: bool = False,
    update_dois: Collection[str] = (),
) -> ImportSummary:
    """
    Import a batch, each record in its own transaction, and summarise what happened.

    ``records`` may be a parser's ParsedEntry items as they come: an entry that could not
    be read is counted as failed, with its reason, in its place. A record whose DOI is
    already on file is updated when ``update_existing`` is true or its DOI is in
    ``update_dois`` (the duplicates a curator ticked), and skipped otherwise. The batch
    is consumed lazily, so a progress bar wrapped around it moves record by record.
    """
    summary = ImportSummary()
    for item in records:
        if isinstance(item, ParsedEntry):
            if item.record is None:
                summary.fail(item.label, item.error)
                continue
            item = item.record
        update = update_existing or (bool(item.doi) and item.doi in update_dois)
        summary.add(article_import_record(record=item, update_existing=update))
    return summary


@dataclass
class PreviewRow:
    """One record of an import as the curator sees it before confirming."""

    number: int
    label: str
    record: ArticleRecord | None
    problems: list[str]
    duplicate: Article | None = None  # the paper on file with the same DOI
    repeated: bool = False  # the same DOI came earlier in this input

    @property
    def importable(self) -> bool:
        return not self.problems and not self.repeated


def article_import_preview(*, entries: list[ParsedEntry]) -> list[PreviewRow]:
    """
    What importing ``entries`` would do, without writing: each record's problems and the
    paper on file with its DOI, if any (one query for the whole batch).
    """
    dois = {entry.record.doi for entry in entries if entry.record and entry.record.doi}
    on_file = {article.doi: article for article in Article.objects.filter(doi__in=dois)}
    rows, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        record = entry.record
        problems = [entry.error] if record is None else record.problems()
        doi = record.doi if record else ""
        rows.append(
            PreviewRow(
                number=number,
                label=entry.label,
                record=record,
                problems=problems,
                duplicate=on_file.get(doi) if doi else None,
                repeated=bool(doi) and doi in seen,
            )
        )
        if doi:
            seen.add(doi)
    return rows


def describe(error: ValidationError) -> str:
    """A ValidationError as one line for a summary: "DOI: A paper with this DOI …"."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        if name == "__all__":
            parts.append(text)
            continue
        try:
            label = str(Article._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            label = name
        parts.append(f"{label[:1].upper()}{label[1:]}: {text}")
    return " ".join(parts)


# --- The parts of a write ----------------------------------------------------------------


def _require_complete(record: ArticleRecord) -> None:
    problems = record.problems()
    if problems:
        raise ValidationError(problems)


def _save(article: Article, record: ArticleRecord) -> Article:
    """
    Write the record onto the paper. For a paper on file, what the record does not give
    (an empty field, no authors, no abstract) is kept: sources differ in what they carry,
    and an update must never blank what a curator or a richer source put there.
    """
    new = article.pk is None
    previous_doi = article.doi

    def pick(value, current):
        return value if value or new else current

    article.title = record.title.strip()
    article.doi = record.doi or article.doi or None
    article.journal = pick(_journal_for(record), article.journal if not new else None)
    for name in ("volume", "issue", "article_number", "pages", "url", "licence", "licence_url"):
        setattr(article, name, pick(getattr(record, name), getattr(article, name)))
    article.published_on = record.published_on
    article.published_precision = record.published_precision
    article.language = record.language or (article.language if not new else "") or "en"
    article.is_open_access = record.is_open_access or (article.is_open_access and not new)
    article.full_clean()
    article.save()

    authors = [
        Author(
            article=article,
            position=position,
            given_name=author.given,
            family_name=author.family,
            orcid=author.orcid,
            affiliations="\n".join(author.affiliations),
        )
        for position, author in enumerate(record.authors, start=1)
    ]
    for author in authors:
        try:
            author.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("Author %(position)s (%(name)s): %(reason)s")
                % {"position": author.position, "name": author.full_name, "reason": describe(error)}
            ) from error
    sections = [
        AbstractSection(article=article, position=position, heading=heading, body=body)
        for position, (heading, body) in enumerate(record.abstract_sections, start=1)
    ]
    for section in sections:
        try:
            section.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("Abstract section %(position)s: %(reason)s")
                % {"position": section.position, "reason": describe(error)}
            ) from error
    if authors or new:
        article.authors.all().delete()
        Author.objects.bulk_create(authors)
    if sections or new:
        article.abstract_sections.all().delete()
        AbstractSection.objects.bulk_create(sections)
    if record.subjects or new:
        article.subjects.set([_subject(name) for name in dict.fromkeys(record.subjects)])
    # The search index, author pages and discussion pages follow, in this transaction.
    papers_changed.send(sender=Article, articles=[article.pk])
    if article.doi and (new or article.doi != previous_doi or not article.open_access_checked_at):
        # Where it can be read free, asked of Unpaywall in the background once saved.
        open_access_check_on_commit(article.pk)
    return article


def _journal_for(record: ArticleRecord) -> Journal | None:
    """The record's journal: found by any of its ISSNs, else by title, else created."""
    issns = []
    for issn in record.issns:
        try:
            issns.append(normalize_issn(issn))
        except ValidationError as error:
            raise ValidationError({"journal": error.messages}) from error
    title = record.journal_title.strip()
    journal = None
    if issns:
        journal = Journal.objects.filter(
            Q(issn_print__in=issns) | Q(issn_electronic__in=issns)
        ).first()
    if journal is None and title:
        journal = Journal.objects.filter(title__iexact=title).first()
    if journal is None:
        if not title:
            return None
        journal = Journal(
            title=title,
            publisher=record.publisher,
            issn_print=record.issn_print,
            issn_electronic=record.issn_electronic,
            slug=_unique_slug(Journal, slugify(title) or "journal", max_length=120),
        )
    else:
        # Complete what the journal lacks; never overwrite what a curator entered.
        taken = set(journal.issns)
        journal.publisher = journal.publisher or record.publisher
        if not journal.issn_print and record.issn_print not in taken:
            journal.issn_print = record.issn_print
        if not journal.issn_electronic and record.issn_electronic not in taken:
            journal.issn_electronic = record.issn_electronic
    try:
        journal.full_clean()
    except ValidationError as error:
        raise ValidationError({"journal": [describe(error)]}) from error
    journal.save()
    return journal


def _subject(name: str) -> Subject:
    name = name.strip()[:200]
    subject = Subject.objects.filter(name__iexact=name).first()
    if subject is None:
        subject = Subject(name=name, slug=_unique_slug(Subject, slugify(name) or "subject"))
        subject.full_clean()
        subject.save()
    return subject


def _article_slug_base(record: ArticleRecord) -> str:
    """ "albers-2020-implementation-support-practitioners": first author, year, first words."""
    words = [w for w in slugify(record.title).split("-") if w and w not in _SLUG_STOP_WORDS]
    family = slugify(record.authors[0].family) if record.authors else ""
    year = str(record.year) if record.year else ""
    parts = [part for part in (family, year, "-".join(words[:3])) if part]
    return "-".join(parts)[:100].strip("-") or "paper"


def _unique_slug(model: type[Model], base: str, *, max_length: int = 200) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is not taken yet."""
    return free_slug(model._default_manager.all(), base, max_length=max_length)
