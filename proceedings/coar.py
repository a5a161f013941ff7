"""
A published deposit announced to a review inbox with COAR Notify: an "Announce Review"
(coarnotify's ``AnnounceReview``) sent to ``JOURNAL_CLUB_COAR_INBOX``.

- origin: this site (its address; ``JOURNAL_CLUB_COAR_ORIGIN_INBOX`` as its inbox);
- target: the inbox's service (``JOURNAL_CLUB_COAR_TARGET_ID``);
- object: the review, the proceedings (their DOI's address, as id and ``ietf:cite-as``);
- context: the paper reviewed (its DOI's address, with ``ietf:cite-as``);
- actor: the club.

The notification's id is kept on the deposit before it is sent and sent again as it is, so
an inbox told twice (a retry after an answer lost on the way) can tell it is one
announcement. coarnotify speaks HTTP through a layer of its own (``requests``); ours is
httpx's, with the timeouts, User-Agent and test transport of every outgoing call here.
"""

import datetime
import logging
import uuid
from urllib.parse import quote

import httpx

# coarnotify ships no type information: its names are Any to mypy.
from coarnotify.client import COARNotifyClient  # type: ignore[import-untyped]
from coarnotify.core.notify import (  # type: ignore[import-untyped]
    NotifyActor,
    NotifyObject,
    NotifyService,
)
from coarnotify.exceptions import NotifyException  # type: ignore[import-untyped]
from coarnotify.exceptions import ValidationError as NotifyValidationError
from coarnotify.http_lib import HttpLayer, HttpResponse  # type: ignore[import-untyped]
from coarnotify.patterns.announce_review import AnnounceReview  # type: ignore[import-untyped]
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from articles.sources.http import user_agent

from .models import Deposit
from .zenodo import TIMEOUT, record_event

logger = logging.getLogger(__name__)

# An announcement is one call: a minute is ample to hold the deposit for it.
LEASE = datetime.timedelta(minutes=1)

# None: httpx's real network transport. Tests install a MockTransport here.
_default_transport: httpx.BaseTransport | None = None


def set_default_transport(transport: httpx.BaseTransport | None) -> None:
    """Route every notification through ``transport`` (tests); None restores the network."""
    global _default_transport
    _default_transport = transport


def is_configured() -> bool:
    return bool(settings.JOURNAL_CLUB_COAR_INBOX)


class HttpxResponse(HttpResponse):
    """An httpx response, as coarnotify's client reads one."""

    def __init__(self, response: httpx.Response):
        self.response = response

    def header(self, header_name: str) -> str:
        return self.response.headers.get(header_name)

    @property
    def status_code(self) -> int:
        return self.response.status_code


class HttpxLayer(HttpLayer):
    """coarnotify's HTTP through httpx; the last answer is kept for the deposit's record."""

    def __init__(self, transport: httpx.BaseTransport | None = None):
        self.transport = transport or _default_transport
        self.last: httpx.Response | None = None

    def _client(self) -> httpx.Client:
        return httpx.Client(
            transport=self.transport, timeout=TIMEOUT, headers={"User-Agent": user_agent()}
        )

    def post(self, url: str, data: str, headers: dict | None = None, *args, **kwargs):
        with self._client() as client:
            self.last = client.post(url, content=data.encode(), headers=headers)
        return HttpxResponse(self.last)

    def get(self, url: str, headers: dict | None = None, *args, **kwargs):
        with self._client() as client:
            self.last = client.get(url, headers=headers)
        return HttpxResponse(self.last)


def doi_url(doi: str) -> str:
    """A DOI's address, escaped where a DOI's characters are not a URL's."""
    return "https://doi.org/" + quote(doi, safe="/:;()")


def announcement(deposit: Deposit) -> AnnounceReview:
    """The Announce Review of a published deposit (with its discussion, paper and club)."""
    discussion = deposit.discussion
    article = discussion.article
    notification = AnnounceReview()
    notification.id = deposit.announcement_id or f"urn:uuid:{uuid.uuid4()}"

    origin = NotifyService()
    origin.id = f"{settings.JOURNAL_CLUB_BASE_URL}/"
    origin.inbox = settings.JOURNAL_CLUB_COAR_ORIGIN_INBOX
    notification.origin = origin

    target = NotifyService()
    target.id = settings.JOURNAL_CLUB_COAR_TARGET_ID
    target.inbox = settings.JOURNAL_CLUB_COAR_INBOX
    notification.target = target

    review = NotifyObject()
    review.id = doi_url(deposit.doi)
    review.cite_as = doi_url(deposit.doi)
    review.type = ["Document", "sorg:Review"]
    notification.object = review

    paper = NotifyObject()
    if article.doi:
        paper.id = doi_url(article.doi)
        paper.cite_as = doi_url(article.doi)
    else:  # a paper without a DOI: its page here stands for it
        paper.id = _absolute(article.get_absolute_url())
    paper.type = ["Document", "sorg:ScholarlyArticle"]
    notification.context = paper

    club = NotifyActor()
    club.id = _absolute(discussion.club.get_absolute_url())
    club.name = discussion.club.name
    club.type = "Group"
    notification.actor = club
    return notification


def _absolute(path: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.JOURNAL_CLUB_BASE_URL + path


def deposit_announce(*, deposit: Deposit, transport: httpx.BaseTransport | None = None) -> Deposit:
    """
    Announce a published deposit to the configured inbox, once: SENT, or FAILED with the
    reason (the publishing is not touched, and a retry sends only this). A deposit not
    published, already announced, being announced by another attempt, or on a site with no
    inbox is returned as it is.
    """
    if not is_configured():
        return deposit
    lease = _take(deposit)
    if lease is None:
        deposit.refresh_from_db()
        return deposit
    deposit = Deposit.objects.select_related("discussion__article", "discussion__club").get(
        pk=deposit.pk
    )
    layer = HttpxLayer(transport)
    inbox = settings.JOURNAL_CLUB_COAR_INBOX
    error = detail = ""
    try:
        notification = announcement(deposit)
        # Kept before it is sent: a retry sends the same notification, with the same id.
        _owned(deposit, lease).update(announcement_id=notification.id)
        response = COARNotifyClient(inbox_url=inbox, http_layer=layer).send(notification)
    except NotifyValidationError as problem:
        error = _("The announcement is not valid COAR Notify: %(errors)s") % {
            "errors": problem.errors
        }
    except ValueError as problem:  # a property refused as it was set (not a URL...)
        error = _("The announcement is not valid COAR Notify: %(errors)s") % {"errors": problem}
    except httpx.TimeoutException as problem:
        error = _("The inbox did not answer within %(seconds)d seconds.") % {
            "seconds": TIMEOUT.read
        }
        detail = repr(problem)
    except httpx.HTTPError as problem:
        error, detail = _("The inbox could not be reached."), repr(problem)
    except NotifyException:
        # coarnotify takes 201 and 202 only; anything else is the inbox's refusal.
        status = layer.last.status_code if layer.last is not None else None
        error = _("The inbox did not accept the announcement (HTTP %(status)s).") % {
            "status": status
        }
    except Exception:
        logger.exception("Deposit %s could not be announced.", deposit.pk)
        error = _("Something went wrong on this site while announcing; its log says what.")
    else:
        logger.info("Deposit %s announced to %s (%s).", deposit.pk, inbox, response.action)
    record_event(
        deposit,
        step="announce",
        method="POST",
        url=inbox,
        response=layer.last,
        error=f"{error} {detail}".strip(),
    )
    _owned(deposit, lease).update(
        announcement=Deposit.Announcement.FAILED if error else Deposit.Announcement.SENT,
        announcement_error=error,
        leased_until=None,
        updated_at=timezone.now(),
    )
    deposit.refresh_from_db()
    return deposit


def _take(deposit: Deposit) -> datetime.datetime | None:
    """The lease on a published deposit not yet announced, if no attempt holds it."""
    with transaction.atomic():
        current = Deposit.objects.select_for_update(no_key=True).get(pk=deposit.pk)
        now = timezone.now()
        if current.state != Deposit.State.PUBLISHED:
            return None
        if current.announcement == Deposit.Announcement.SENT:
            return None
        if current.leased_until is not None and current.leased_until > now:
            return None
        lease = now + LEASE
        Deposit.objects.filter(pk=deposit.pk).update(leased_until=lease, updated_at=now)
    return lease


def _owned(deposit: Deposit, lease: datetime.datetime):
    return Deposit.objects.filter(pk=deposit.pk, leased_until=lease)
