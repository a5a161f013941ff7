"""
``manage.py check_open_access``: look for free copies of papers at Unpaywall (again).

    manage.py check_open_access                  # never looked up, or not for 30 days
    manage.py check_open_access --stale-days 7
    manage.py check_open_access 10.1186/s12913-020-05145-1 …   # these papers, now

Scheduled daily, it also retries what failed before: a failed lookup writes nothing, so
the paper stays due.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from articles.models import Article
from articles.openaccess import OpenAccessOutcome, open_access_check_many

from ._checks import PaperCheckCommand


class Command(PaperCheckCommand):
    help = (
        "Look for free copies of papers at Unpaywall and record them: the papers given by "
        "DOI, else every paper with a DOI never looked up or not for --stale-days days. "
        "Prints a line per paper (* where what readers see changed), then a summary. Exit "
        "status: 0 when every lookup worked, 1 when any failed (the others are still "
        "recorded; a later run retries them), 2 for bad arguments."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--stale-days",
            type=int,
            default=30,
            metavar="N",
            help="Look again at papers looked up more than N days ago (default: %(default)s).",
        )

    def handle(self, *args, **options):
        if options["stale_days"] < 0:
            raise CommandError(_("--stale-days cannot be negative."), returncode=2)
        usual = Article.objects.open_access_due(stale_days=options["stale_days"])
        articles, failed = self.papers(options["dois"], usual)
        found = changed = 0
        for outcome in open_access_check_many(articles):
            if outcome.failed:
                failed += 1
                self.failure(outcome.article.slug, outcome.error)
                continue
            found += outcome.copy is not None
            changed += outcome.changed
            self.stdout.write(self._line(outcome))
        summary = _(
            "%(checked)s looked up: %(found)s with a free copy, %(changed)s changed, "
            "%(failed)s failed."
        ) % {"checked": len(articles), "found": found, "changed": changed, "failed": failed}
        self.finish(summary, failed=failed)

    def _line(self, outcome: OpenAccessOutcome) -> str:
        values = {
            "changed": "*" if outcome.changed else " ",
            "slug": outcome.article.slug,
        }
        if outcome.copy is None:
            return _("No copy %(changed)s %(slug)s") % values
        values["url"] = outcome.copy.url
        values["detail"] = outcome.copy.description or "–"
        return _("Free    %(changed)s %(slug)s  %(url)s  (%(detail)s)") % values
