"""
Check that a restored database holds what the backup held.

Before a backup, write the counts: ``manage.py verify_restore --snapshot counts.json``.
After restoring it elsewhere: ``manage.py verify_restore --against counts.json``. The
command also checks that every thread is whole (every reply's parent and thread root are
present, on the same question). It exits with status 1 on any difference.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Q

from articles.models import Article
from discussions.models import Comment, CommentRevision, Discussion, Question

COUNTED = {
    "papers": Article.objects,
    "discussions": Discussion.objects,
    "questions": Question.objects,
    "comments": Comment.objects,
    "revisions": CommentRevision.objects,
}


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--snapshot", type=Path, help="write the current counts to this file")
        group.add_argument("--against", type=Path, help="compare with counts from this file")

    def handle(self, *args, snapshot=None, against=None, **options):
        counts = {name: manager.count() for name, manager in COUNTED.items()}
        for name, count in counts.items():
            self.stdout.write(f"{name:>12}: {count}")
        if snapshot:
            snapshot.write_text(json.dumps(counts, indent=2) + "\n")
            self.stdout.write(self.style.SUCCESS(f"Counts written to {snapshot}."))
            return
        problems = self._broken_threads()
        if against:
            expected = json.loads(against.read_text())
            problems += [
                f"{name}: expected {expected[name]}, found {counts.get(name)}"
                for name in expected
                if expected[name] != counts.get(name)
            ]
        if problems:
            raise CommandError("The restored database differs:\n  " + "\n  ".join(problems))
        self.stdout.write(self.style.SUCCESS("The database is complete and its threads are whole."))

    def _broken_threads(self) -> list[str]:
        replies = Comment.objects.filter(parent__isnull=False)
        problems = []
        mismatched = replies.exclude(question=F("parent__question")).count()
        if mismatched:
            problems.append(f"{mismatched} replies sit on another question than their parent")
        rootless = replies.filter(Q(root__isnull=True) | ~Q(root__question=F("question"))).count()
        if rootless:
            problems.append(f"{rootless} replies have no thread root on their question")
        return problems
