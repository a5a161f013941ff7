from django.core.management.base import BaseCommand

from notifications.models import Delivery
from notifications.services import send_digest


class Command(BaseCommand):
    help = (
        "Email each member the digest of their notifications for a period. Safe to re-run: "
        "what was sent is never sent again, and failures are retried by the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", choices=[Delivery.DAILY.value, Delivery.WEEKLY.value], required=True
        )

    def handle(self, *args, period, **options):
        report = send_digest(period=period)
        self.stdout.write(
            f"Sent {report.sent} {period} digest(s) covering {report.notifications} "
            f"notification(s); {report.failed} failed (will retry)."
        )
