"""What ``check_open_access`` and ``check_paper_updates`` share: choosing papers, reporting."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.models import Article, ArticleQuerySet
from core.identifiers import normalize_doi


class PaperCheckCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "dois",
            nargs="*",
            metavar="DOI",
            help="Check these papers (by DOI, in any common form) instead of the usual ones.",
        )

    def papers(self, dois: list[str], usual: ArticleQuerySet) -> tuple[list[Article], int]:
        """
        The papers to check, and how many DOIs named none: the papers given by DOI (each
        unknown DOI reported as a failure), else ``usual``, in the order they were added.
        """
        if not dois:
            return list(usual.order_by("pk")), 0
        wanted = []
        for value in dois:
            try:
                wanted.append(normalize_doi(value))
            except ValidationError as error:
                raise CommandError(
                    _("%(value)s is not a DOI.") % {"value": value}, returncode=2
                ) from error
        on_file = {article.doi: article for article in Article.objects.filter(doi__in=wanted)}
        missing = [doi for doi in dict.fromkeys(wanted) if doi not in on_file]
        for doi in missing:
            self.failure(doi, _("No paper with this DOI is on file."))
        return [on_file[doi] for doi in dict.fromkeys(wanted) if doi in on_file], len(missing)

    def failure(self, label: str, reason: str) -> None:
        self.stdout.write(
            self.style.ERROR(
                _("Failed    %(label)s: %(reason)s") % {"label": label, "reason": reason}
            )
        )

    def finish(self, summary: str, *, failed: int) -> None:
        """The summary line; exit status 1 when anything failed (CommandError's message)."""
        self.stdout.write(self.style.ERROR(summary) if failed else self.style.SUCCESS(summary))
        if failed:
            raise CommandError(
                _("%(count)s paper(s) could not be checked; the next run tries again.")
                % {"count": failed},
                returncode=1,
            )
