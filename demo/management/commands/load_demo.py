"""``manage.py load_demo``: fill an empty site with demo papers and live discussions."""

from django.core.management.base import BaseCommand

from core.languages import language_url
from demo.content import load_demo


class Command(BaseCommand):
    """
    Load the demo papers, members, clubs, discussions and conversations.

    Safe to run on every start: a re-run brings the paper up to date but never duplicates
    rows, and never adds comments to a discussion that already has some.
    """

    help = (
        "Load demo content: papers, demo members, clubs and threaded discussions, one of "
        "them in French (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=(
                "Give every demo member this password, to sign in locally with their "
                "@example.org address. Without it, new demo members cannot sign in."
            ),
        )

    def handle(self, *args, password=None, **options):
        summary = load_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {summary.paper_count} papers; the main discussion has "
                f"{summary.question_count} questions, {summary.comment_count} comments "
                f"({summary.comments_added} added) at "
                f"{summary.discussion.get_absolute_url()}"
            )
        )
        clubs = ", ".join(
            f"{club.name} ({club.get_visibility_display().split(':')[0].lower()})"
            for club in summary.clubs
        )
        self.stdout.write(f"Clubs: {clubs}")
        self.stdout.write(
            f"The private club's discussion, for its members (demo-priya@example.org): "
            f"{summary.private_discussion.get_absolute_url()}"
        )
        self.stdout.write(
            f"A discussion in French, in a French-speaking club, with an English translation: "
            f"{language_url(summary.french_discussion.get_absolute_url(), 'fr')}"
        )
        if password:
            emails = ", ".join(member.email for member in summary.members)
            self.stdout.write(f"Demo members, with the password you gave: {emails}")
