from django.core.management.base import BaseCommand

from events.services import discussions_open_and_close_due


class Command(BaseCommand):
    help = (
        "Open draft discussions whose opening time has come and close open ones whose "
        "closing time has passed. Safe to run as often as you like (e.g. every 5 minutes)."
    )

    def handle(self, *args, **options):
        report = discussions_open_and_close_due()
        for discussion in report.opened:
            self.stdout.write(f"Opened {discussion.slug}")
        for discussion in report.closed:
            self.stdout.write(f"Closed {discussion.slug}")
        for discussion in report.missed:
            self.stderr.write(
                f"Not opened {discussion.slug}: its closing time has passed too; "
                "open or close it by hand."
            )
        if not (report.opened or report.closed or report.missed):
            self.stdout.write("Nothing to open or close.")
