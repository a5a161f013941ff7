import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from notifications.worker import Worker


class Command(BaseCommand):
    help = (
        "Run background tasks (notifications, emails) as they arrive. Unlike db_worker it "
        "survives database restarts and takes up tasks a dead worker left running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to process, separated by commas (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=db_worker.valid_interval,
            default=1,
            help="Seconds to wait when no task is ready (default: %(default)s).",
        )
        parser.add_argument("--batch", action="store_true", help="Run the ready tasks, then exit.")
        parser.add_argument(
            "--max-tasks",
            type=db_worker.valid_max_tasks,
            default=None,
            help="Exit after running this many tasks.",
        )
        parser.add_argument(
            "--backend",
            dest="backend_name",
            type=db_worker.valid_backend_name,
            default="default",
            help="The database task backend (default: %(default)s).",
        )
        parser.add_argument(
            "--lease",
            type=int,
            default=settings.JOURNAL_CLUB_TASK_LEASE,
            help="Seconds after which a running task is taken to be abandoned and run "
            "again (default: JOURNAL_CLUB_TASK_LEASE, %(default)s).",
        )

    def handle(self, *, verbosity, queue_name, lease, **options):
        db_worker.Command(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=get_random_string(32),
            excluded_queue_names=[],
            lease=datetime.timedelta(seconds=lease),
        )
        worker.configure_signals()
        worker.run()
