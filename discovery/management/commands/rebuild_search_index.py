import time

from django.core.management.base import BaseCommand

from discovery import index


class Command(BaseCommand):
    help = (
        "Write the search index (and the authors' browse keys) again from the papers, "
        "discussions and comments on file. Safe to repeat: run it after a bulk import or "
        "on deploy. With --stale, only catch up with what changed outside the services "
        "(e.g. papers or discussions edited in the admin): cheap enough to schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Reindex only what changed since it was indexed, instead of everything.",
        )
        parser.add_argument("--batch-size", type=int, default=index.BATCH_SIZE)

    def handle(self, *args, stale=False, batch_size=index.BATCH_SIZE, **options):
        started = time.monotonic()
        if stale:
            touched = index.refresh_stale()
            if not any(touched.values()):
                self.stdout.write("Nothing was stale.")
                return
            self.stdout.write(
                "Reindexed {paper} papers, {commentary} commentaries, {comment} comments.".format(
                    **touched
                )
            )
            return
        counts = index.rebuild(batch_size=batch_size)
        self.stdout.write(
            "Indexed {paper} papers, {commentary} commentaries and {comment} comments".format(
                **counts
            )
            + f" in {time.monotonic() - started:.1f} s."
        )
