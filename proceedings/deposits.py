"""
A DOI for a discussion: its proceedings deposited on Zenodo, then announced with COAR
Notify. The services the pages and the admin call:

- ``deposit_preview``: what publishing would deposit, for the host to read first;
- ``deposit_request``: the host asks; the deposit is made PUBLISHING and the worker runs
  ``deposit_publish`` (``proceedings.zenodo``), then ``deposit_announce``
  (``proceedings.coar``); both may also be called directly, and run at once;
- ``deposit_announce_request``: an announcement that failed is sent again, on its own.

Who may: the discussion's host, the club's leads and staff who curate discussions
(``discussions.services.can_host``), once the discussion is closed.
"""

import dataclasses
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from discussions.models import Discussion
from discussions.services import NotAllowed, can_host

from . import coar, deposit_tasks, zenodo
from .coar import deposit_announce
from .models import Deposit
from .zenodo import deposit_publish

__all__ = [
    "Preview",
    "can_publish",
    "deposit_announce",
    "deposit_announce_request",
    "deposit_preview",
    "deposit_publish",
    "deposit_request",
    "is_configured",
    "is_stalled",
]


def is_configured() -> bool:
    """Is publishing to Zenodo set up on this site (``ZENODO_TOKEN``)?"""
    return zenodo.is_configured()


def can_publish(user: User, discussion: Discussion) -> bool:
    """The discussion's host, the club's leads, staff who curate discussions."""
    return can_host(user, discussion)


@dataclasses.dataclass(frozen=True)
class Preview:
    """What publishing a discussion's proceedings deposits (``deposit_preview``)."""

    metadata: dict[str, Any]
    included: int  # public comments under the licence: in the PDF
    left_out: int  # public comments posted before the licence was asked for
    filename: str


def deposit_preview(*, discussion: Discussion) -> Preview:
    """The metadata as it would be sent now, and the comments the PDF includes."""
    included, left_out = counts = zenodo.comment_counts(discussion)
    return Preview(
        metadata=zenodo.deposition_metadata(discussion, counts=counts),
        included=included,
        left_out=left_out,
        filename=zenodo.pdf_filename(discussion),
    )


def is_stalled(deposit: Deposit) -> bool:
    """
    Publishing, but stopped without saying so: the attempt's lease has run out (its worker
    died), or no attempt took it up within a lease's time (its task was lost).
    """
    if deposit.state != Deposit.State.PUBLISHING:
        return False
    now = timezone.now()
    if deposit.leased_until is not None:
        return deposit.leased_until < now
    return deposit.updated_at < now - zenodo.LEASE


def _check(member: User, discussion: Discussion) -> None:
    if not can_publish(member, discussion):
        raise NotAllowed(
            _("Only the discussion's host, the club's leads and staff may publish its proceedings.")
        )
    if discussion.status != Discussion.Status.CLOSED:
        raise NotAllowed(_("The proceedings can be published once the discussion is closed."))


def deposit_request(*, discussion: Discussion, member: User) -> Deposit:
    """
    Publish the discussion's proceedings: its deposit (made the first time), PUBLISHING,
    and the worker asked to run it once this is saved. A deposit already publishing (a
    double click) or published is returned as it is; one that failed, or stalled, is
    resumed where it stopped.

    Raises NotAllowed unless the member may publish (``can_publish``), the discussion is
    closed and publishing is set up on this site.
    """
    _check(member, discussion)
    if not is_configured():
        raise NotAllowed(_("Publishing with a DOI is not set up on this site."))
    with transaction.atomic():
        deposit, _created = Deposit.objects.get_or_create(
            discussion=discussion, defaults={"requested_by": member}
        )
        deposit = Deposit.objects.select_for_update(no_key=True).get(pk=deposit.pk)
        if deposit.state == Deposit.State.PUBLISHED:
            return deposit
        if deposit.state == Deposit.State.PUBLISHING and not is_stalled(deposit):
            return deposit
        deposit.state = Deposit.State.PUBLISHING
        deposit.requested_by = member
        deposit.error = ""
        deposit.leased_until = None
        deposit.save(update_fields=["state", "requested_by", "error", "leased_until", "updated_at"])
        deposit_tasks.publish_on_commit(deposit.pk)
    return deposit


def deposit_announce_request(*, deposit: Deposit, member: User) -> Deposit:
    """
    Send the announcement of published proceedings again (after it failed): the worker
    sends it; Zenodo is not asked anything. One already sent is not sent again.

    Raises NotAllowed unless the member may publish the discussion's proceedings, they are
    published and an inbox is set up on this site.
    """
    if not can_publish(member, deposit.discussion):
        raise NotAllowed(
            _("Only the discussion's host, the club's leads and staff may publish its proceedings.")
        )
    if not coar.is_configured():
        raise NotAllowed(_("Announcing with COAR Notify is not set up on this site."))
    with transaction.atomic():
        deposit = Deposit.objects.select_for_update(no_key=True).get(pk=deposit.pk)
        if deposit.state != Deposit.State.PUBLISHED:
            raise NotAllowed(_("Only published proceedings are announced."))
        if deposit.announcement == Deposit.Announcement.SENT:
            return deposit
        # "Not announced" again, so that the page says it is on its way.
        deposit.announcement = Deposit.Announcement.NONE
        deposit.announcement_error = ""
        deposit.save(update_fields=["announcement", "announcement_error", "updated_at"])
        deposit_tasks.announce_on_commit(deposit.pk)
    return deposit


def announcement_due(deposit: Deposit) -> bool:
    """Published, to be announced, and not announced yet (nor failed): on its way."""
    return (
        coar.is_configured()
        and deposit.state == Deposit.State.PUBLISHED
        and deposit.announcement == Deposit.Announcement.NONE
    )
