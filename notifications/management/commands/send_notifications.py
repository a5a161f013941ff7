from django.core.management.base import BaseCommand

from notifications.services import send_pending_immediate


class Command(BaseCommand):
    help = (
        "Email the notifications due immediately, including earlier failures whose back-off "
        "has passed. The worker does this after every event; schedule this command every "
        "few minutes so that failed emails are retried even when nothing new happens."
    )

    def handle(self, *args, **options):
        report = send_pending_immediate()
        self.stdout.write(f"Sent {report.sent} email(s); {report.failed} failed (will retry).")
