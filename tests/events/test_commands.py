import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from discovery.models import SearchEntry
from discussions.models import Discussion
from tests.factories import DiscussionFactory

pytestmark = pytest.mark.django_db


def hours(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=n)


def run(capsys) -> tuple[str, str]:
    call_command("open_close_discussions")
    captured = capsys.readouterr()
    return captured.out, captured.err


def status(discussion) -> str:
    discussion.refresh_from_db()
    return discussion.status


def test_opens_due_drafts_and_closes_due_discussions_once(capsys):
    due = DiscussionFactory(status=Discussion.Status.DRAFT, opens_at=hours(-1), closes_at=hours(48))
    later = DiscussionFactory(status=Discussion.Status.DRAFT, opens_at=hours(2))
    unscheduled = DiscussionFactory(status=Discussion.Status.DRAFT, opens_at=None)
    ending = DiscussionFactory(opens_at=hours(-72), closes_at=hours(-0.1))
    running = DiscussionFactory(opens_at=hours(-72), closes_at=hours(24))
    closed = DiscussionFactory(
        status=Discussion.Status.CLOSED, opens_at=hours(-100), closes_at=hours(-50)
    )

    out, err = run(capsys)
    assert out.splitlines() == [f"Opened {due.slug}", f"Closed {ending.slug}"]
    assert err == ""
    assert status(due) == Discussion.Status.OPEN
    assert due.opens_at < timezone.now() < due.closes_at  # planned times kept
    assert status(ending) == Discussion.Status.CLOSED
    assert status(later) == status(unscheduled) == Discussion.Status.DRAFT
    assert status(running) == Discussion.Status.OPEN
    assert status(closed) == Discussion.Status.CLOSED

    out, err = run(capsys)  # idempotent
    assert out == "Nothing to open or close.\n"


def test_a_draft_whose_window_has_passed_is_reported_not_opened(capsys):
    missed = DiscussionFactory(
        status=Discussion.Status.DRAFT, opens_at=hours(-10), closes_at=hours(-1)
    )
    _out, err = run(capsys)
    assert f"Not opened {missed.slug}" in err
    assert status(missed) == Discussion.Status.DRAFT


def test_opening_indexes_the_commentary_for_search(capsys):
    due = DiscussionFactory(
        status=Discussion.Status.DRAFT, opens_at=hours(-1), commentary="Serendipity."
    )
    run(capsys)
    assert SearchEntry.objects.filter(key=f"commentary:{due.pk}").exists()
