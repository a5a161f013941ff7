"""
``manage.py check_paper_updates``: retractions, corrections and newer versions, from Crossref.

    manage.py check_paper_updates              # the papers discussions are about
    manage.py check_paper_updates --all        # every paper with a DOI
    manage.py check_paper_updates 10.1186/s12913-020-05145-1 …

Scheduled daily. Each notice is kept once (per paper, kind and DOI): a second run adds
nothing. A check that fails writes nothing, and the next run asks again.
"""

from django.utils.translation import gettext as _

from articles.models import Article
from articles.updates import updates_check_many

from ._checks import PaperCheckCommand


class Command(PaperCheckCommand):
    help = (
        "Ask Crossref whether papers were retracted, corrected or superseded by a newer "
        "version, and keep each new notice: the papers given by DOI, else those a "
        "discussion (not a draft) is about, or with --all every paper with a DOI. Prints "
        "each new notice and each failure, then a summary. Exit status: 0 when every check "
        "worked, 1 when any failed (the others are still recorded; a later run retries "
        "them), 2 for bad arguments."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--all", action="store_true", help="Check every paper with a DOI, discussed or not."
        )

    def handle(self, *args, **options):
        usual = Article.objects.with_doi()
        if not options["all"]:
            usual = usual.discussed()
        articles, failed = self.papers(options["dois"], usual)
        new = 0
        for outcome in updates_check_many(articles):
            if outcome.failed:
                failed += 1
                self.failure(outcome.article.slug, outcome.error)
                continue
            for notice in outcome.added:
                new += 1
                self.stdout.write(
                    self.style.WARNING(
                        _("New       %(slug)s: %(kind)s %(doi)s%(date)s")
                        % {
                            "slug": outcome.article.slug,
                            "kind": notice.get_kind_display(),
                            "doi": notice.doi,
                            "date": f" ({notice.date.isoformat()})" if notice.date else "",
                        }
                    )
                )
        summary = _("%(checked)s checked: %(new)s new notice(s), %(failed)s failed.") % {
            "checked": len(articles),
            "new": new,
            "failed": failed,
        }
        self.finish(summary, failed=failed)
