"""Opening and closing discussions at their planned times (run by a scheduler)."""

import dataclasses

from django.db.models import Q
from django.utils import timezone

from discussions.models import Discussion
from discussions.services import discussion_close, discussion_open


@dataclasses.dataclass
class OpenCloseReport:
    opened: list[Discussion] = dataclasses.field(default_factory=list)
    closed: list[Discussion] = dataclasses.field(default_factory=list)
    missed: list[Discussion] = dataclasses.field(default_factory=list)


def discussions_open_and_close_due() -> OpenCloseReport:
    """
    Open drafts whose opening time has come, close open discussions whose closing time
    has passed, through the discussions' own services. Running it again changes nothing.

    A draft whose whole window (opening and closing time) has already passed is left as
    it is and reported as missed: publishing it as closed, with no chance to comment,
    is for a person to decide.
    """
    now = timezone.now()
    report = OpenCloseReport()
    due = Discussion.objects.filter(status=Discussion.Status.DRAFT, opens_at__lte=now)
    for discussion in due.filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now)).order_by("pk"):
        if discussion_open(discussion=discussion):
            report.opened.append(discussion)
    report.missed = list(due.filter(closes_at__lte=now).order_by("pk"))
    ending = Discussion.objects.filter(status=Discussion.Status.OPEN, closes_at__lte=now)
    for discussion in ending.order_by("pk"):
        if discussion_close(discussion=discussion):
            report.closed.append(discussion)
    return report
