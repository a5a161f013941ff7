"""
``manage.py import_articles``: add papers in bulk from files or DOIs.

    manage.py import_articles library.bib export.ris doaj.json record.txt
    manage.py import_articles 10.1186/s12913-020-05145-1 https://doi.org/10.1000/xyz
    manage.py import_articles --update library.bib

Each argument is a file (BibTeX, RIS, CSL-JSON, DOAJ JSON, DOAJ catalogue text; detected
from its extension or content, or as given by --format) or a DOI (looked up at Crossref,
with DOAJ for a missing abstract). Records go through the same service as the admin's
imports, each in its own transaction.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from articles import services, sources
from articles.records import ParsedEntry
from core.identifiers import normalize_doi


class Command(BaseCommand):
    help = (
        "Import papers from BibTeX, RIS, CSL-JSON or DOAJ files, or from DOIs (looked up at "
        "Crossref and DOAJ). A paper whose DOI is already on file is skipped unless --update "
        "is given. Prints a line per record that was skipped or failed, then a summary. "
        "Exit status: 0 when no record failed, 1 when any failed (the others are still "
        "imported), 2 for bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sources", nargs="+", metavar="FILE_OR_DOI", help="Files to read or DOIs to look up."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Update papers already on file (same DOI) instead of skipping them.",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            default="auto",
            choices=[key for key, _label in sources.FORMAT_CHOICES],
            help="The format of the files (default: detected from each file).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, **options):
        jobs = [self._job(source, options["fmt"]) for source in options["sources"]]
        total = sum(len(job) if isinstance(job, list) else 1 for job in jobs)
        progress = tqdm(
            self._entries(jobs),
            total=total,
            unit=" records",
            file=sys.stderr,
            # On a terminal only (None): no bar in logs, cron mail or CI output.
            disable=True if options["no_progress"] else None,
        )
        summary = services.article_import(records=progress, update_existing=options["update"])
        progress.close()
        self._report(summary)
        if summary.failed:
            raise CommandError(
                _("%(count)s record(s) failed.") % {"count": len(summary.failed)}, returncode=1
            )

    def _job(self, source: str, fmt: str) -> list[ParsedEntry] | str:
        """A file's entries (read now, so the bar knows the total), or a DOI to look up."""
        path = Path(source)
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                text = path.read_text(encoding="cp1252", errors="replace")
            return sources.parse_records(text, fmt=fmt, filename=path.name)
        try:
            return normalize_doi(source)
        except ValidationError as error:
            raise CommandError(
                _("%(source)s: neither a file nor a DOI.") % {"source": source}, returncode=2
            ) from error

    def _entries(self, jobs: list[list[ParsedEntry] | str]) -> Iterator[ParsedEntry]:
        """Every entry in order; DOIs are looked up as the import reaches them."""
        for job in jobs:
            if isinstance(job, list):
                yield from job
                continue
            try:
                yield ParsedEntry(label=job, record=sources.lookup_doi(job))
            except sources.SourceError as error:
                yield ParsedEntry(label=job, error=str(error))

    def _report(self, summary: services.ImportSummary) -> None:
        for outcome in summary.outcomes:
            values = {
                "label": outcome.label,
                "reason": outcome.reason,
                "slug": outcome.article.slug if outcome.article else "",
            }
            if outcome.status == outcome.CREATED:
                self.stdout.write(_("Created  %(slug)s  (%(label)s)") % values)
            elif outcome.status == outcome.UPDATED:
                self.stdout.write(_("Updated  %(slug)s  (%(label)s)") % values)
            elif outcome.status == outcome.SKIPPED:
                self.stdout.write(self.style.WARNING(_("Skipped  %(label)s: %(reason)s") % values))
            else:
                self.stdout.write(self.style.ERROR(_("Failed   %(label)s: %(reason)s") % values))
        line = _(
            "%(created)s created, %(updated)s updated, %(skipped)s skipped, %(failed)s failed."
        ) % {
            "created": len(summary.created),
            "updated": len(summary.updated),
            "skipped": len(summary.skipped),
            "failed": len(summary.failed),
        }
        self.stdout.write(self.style.ERROR(line) if summary.failed else self.style.SUCCESS(line))
