"""``manage.py rerender_comments``: bring every comment's stored HTML up to date."""

from django.core.management.base import BaseCommand
from django.db import transaction

from discussions import caching
from discussions.models import Comment
from discussions.services import render_comment_body


class Command(BaseCommand):
    """
    Re-render every comment's ``body_html`` from its Markdown ``body``.

    Pages show the HTML stored when a comment was saved; they never render Markdown. Run
    this after changing the renderer (core/markdown.py, the sanitiser's allow-list, how
    @mentions are linked) so that old comments look like new ones. It is idempotent: only
    comments whose HTML would change are written, so a second run writes nothing. It works
    in batches of primary keys, each in its own transaction with the batch's rows locked,
    so that an author editing a comment meanwhile is never overwritten with stale HTML.
    Deleted comments (tombstones without text) are left alone.
    """

    help = "Re-render the stored HTML of every comment from its Markdown, in batches."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Comments per transaction (500)."
        )

    def handle(self, *args, batch_size: int, verbosity: int, **options):
        checked = changed = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Comment.objects.filter(pk__gt=last_pk, deleted_at__isnull=True)
                    .order_by("pk")
                    .only("pk", "body", "body_html")
                    .select_for_update()[:batch_size]
                )
                if not batch:
                    break
                stale = []
                for comment in batch:
                    html = render_comment_body(comment.body)
                    if html != comment.body_html:
                        comment.body_html = html
                        stale.append(comment)
                Comment.objects.bulk_update(stale, ["body_html"])
                caching.comments_changed([comment.pk for comment in stale])
            checked += len(batch)
            changed += len(stale)
            last_pk = batch[-1].pk
            if verbosity >= 2:
                self.stdout.write(f"… {checked} checked, {changed} re-rendered")
        deleted = Comment.objects.filter(deleted_at__isnull=False).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{checked} comments checked: {changed} re-rendered, "
                f"{checked - changed} already up to date; {deleted} deleted skipped."
            )
        )
