"""
Announcing a published deposit with COAR Notify (proceedings.coar): the Announce Review as
coarnotify builds and checks it, sent to an inbox that answers through httpx.MockTransport.
"""

import json

import httpx
import pytest
from coarnotify.patterns.announce_review import AnnounceReview

from proceedings import coar, deposit_tasks, deposits
from proceedings.models import Deposit, DepositEvent
from tests.factories import UserFactory
from tests.proceedings import test_deposits
from tests.proceedings.test_deposits import DOI, closed_discussion, publish

fake_zenodo = test_deposits.fake_zenodo  # the fixture: Zenodo as recorded

INBOX = "https://inbox.example.net/ldn/inbox"


class Inbox:
    """A COAR Notify inbox: ``answer`` is what it does next (a status, "down", "timeout")."""

    def __init__(self):
        self.received: list[dict] = []
        self.requests: list[httpx.Request] = []
        self.answer: object = 201
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answer == "down":
            raise httpx.ConnectError("Connection refused", request=request)
        if self.answer == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if self.answer == "garbage":
            return httpx.Response(200, text="<html>It works!</html>")
        self.received.append(json.loads(request.content))
        if self.answer == 201:
            return httpx.Response(201, headers={"Location": f"{INBOX}/notifications/1"})
        return httpx.Response(self.answer, text="")


@pytest.fixture
def inbox(fake_zenodo, settings):
    settings.JOURNAL_CLUB_COAR_INBOX = INBOX
    settings.JOURNAL_CLUB_COAR_TARGET_ID = "https://inbox.example.net/"
    settings.JOURNAL_CLUB_COAR_ORIGIN_INBOX = "https://club.example.org/"
    fake = Inbox()
    coar.set_default_transport(fake.transport)
    yield fake
    coar.set_default_transport(None)


@pytest.fixture
def published(db, fake_zenodo):
    """A published deposit, not announced yet."""
    discussion = closed_discussion()
    return Deposit.objects.create(
        discussion=discussion,
        state=Deposit.State.PUBLISHED,
        doi=DOI,
        record_url="https://sandbox.zenodo.org/records/1234567",
    )


def test_the_announcement_is_an_announce_review_of_the_doi_about_the_paper(published, inbox):
    notification = coar.announcement(published)

    assert isinstance(notification, AnnounceReview)
    assert notification.validate()
    document = notification.to_jsonld()
    assert document["@context"] == [
        "https://www.w3.org/ns/activitystreams",
        "https://coar-notify.net",
    ]
    assert document["type"] == ["Announce", "coar-notify:ReviewAction"]
    assert document["id"].startswith("urn:uuid:")
    assert document["origin"] == {
        "id": "https://club.example.org/",
        "inbox": "https://club.example.org/",
        "type": "Service",
    }
    assert document["target"] == {
        "id": "https://inbox.example.net/",
        "inbox": INBOX,
        "type": "Service",
    }
    assert document["object"] == {
        "id": f"https://doi.org/{DOI}",
        "ietf:cite-as": f"https://doi.org/{DOI}",
        "type": ["Document", "sorg:Review"],
    }
    assert document["context"] == {
        "id": "https://doi.org/10.1186/s12913-020-05145-1",
        "ietf:cite-as": "https://doi.org/10.1186/s12913-020-05145-1",
        "type": ["Document", "sorg:ScholarlyArticle"],
    }
    club = published.discussion.club
    assert document["actor"] == {
        "id": f"https://club.example.org/clubs/{club.slug}/",
        "name": club.name,
        "type": "Group",
    }


@pytest.mark.parametrize("status", [201, 202])
def test_an_announcement_the_inbox_takes_is_sent(published, inbox, status):
    inbox.answer = status

    deposit = coar.deposit_announce(deposit=published)

    assert deposit.announcement == Deposit.Announcement.SENT
    assert deposit.announcement_error == ""
    assert deposit.leased_until is None
    assert [n["id"] for n in inbox.received] == [deposit.announcement_id]
    request = inbox.requests[0]
    assert request.headers["Content-Type"].startswith("application/ld+json")
    assert "club@example.org" in request.headers["User-Agent"]
    event = DepositEvent.objects.get(deposit=deposit)
    assert (event.step, event.method, event.url, event.status_code) == (
        "announce",
        "POST",
        INBOX,
        status,
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("down", "The inbox could not be reached."),
        ("timeout", "The inbox did not answer within 30 seconds."),
        ("garbage", "The inbox did not accept the announcement (HTTP 200)."),
        (500, "The inbox did not accept the announcement (HTTP 500)."),
        (400, "The inbox did not accept the announcement (HTTP 400)."),
    ],
)
def test_an_announcement_that_fails_says_why_and_is_sent_again_on_its_own(
    published,
    inbox,
    fake_zenodo,
    django_capture_on_commit_callbacks,
    answer,
    reason,
):
    inbox.answer = answer
    deposit = coar.deposit_announce(deposit=published)

    assert deposit.announcement == Deposit.Announcement.FAILED
    assert deposit.announcement_error == reason
    assert deposit.state == Deposit.State.PUBLISHED  # the DOI is not touched
    first_id = deposit.announcement_id
    assert first_id.startswith("urn:uuid:")

    inbox.answer = 202
    host = deposit.discussion.host
    with django_capture_on_commit_callbacks(execute=True):
        deposits.deposit_announce_request(deposit=deposit, member=host)
    deposit.refresh_from_db()

    assert deposit.announcement == Deposit.Announcement.SENT
    assert deposit.announcement_error == ""
    assert deposit.announcement_id == first_id  # the same notification, sent again
    assert inbox.received[-1]["id"] == first_id
    assert fake_zenodo.calls == []  # Zenodo is not asked anything
    assert deposit.events.filter(step="announce").count() == 2


def test_an_announcement_is_never_sent_twice(published, inbox):
    coar.deposit_announce(deposit=published)
    coar.deposit_announce(deposit=published)
    deposit_tasks.announce.enqueue(deposit_id=published.pk)

    assert len(inbox.requests) == 1


def test_nothing_is_announced_where_no_inbox_is_set_up(published, fake_zenodo):
    deposit = coar.deposit_announce(deposit=published)

    assert deposit.announcement == Deposit.Announcement.NONE
    assert not deposit.events.exists()
    with pytest.raises(deposits.NotAllowed, match="not set up"):
        deposits.deposit_announce_request(deposit=deposit, member=deposit.discussion.host)


def test_a_deposit_not_published_is_not_announced(published, inbox):
    Deposit.objects.filter(pk=published.pk).update(state=Deposit.State.FAILED)
    published.refresh_from_db()

    deposit = coar.deposit_announce(deposit=published)

    assert inbox.requests == []
    assert deposit.announcement == Deposit.Announcement.NONE
    with pytest.raises(deposits.NotAllowed, match="Only published"):
        deposits.deposit_announce_request(deposit=deposit, member=deposit.discussion.host)


def test_only_those_who_publish_may_announce_again(published, inbox):
    with pytest.raises(deposits.NotAllowed):
        deposits.deposit_announce_request(deposit=published, member=UserFactory())


def test_publishing_announces_the_doi_once_published(
    db,
    inbox,
    fake_zenodo,
    django_capture_on_commit_callbacks,
):
    discussion = closed_discussion()

    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert deposit.announcement == Deposit.Announcement.SENT
    assert inbox.received[0]["object"]["id"] == f"https://doi.org/{DOI}"
    assert list(deposit.events.values_list("step", flat=True)) == [
        "create",
        "upload",
        "metadata",
        "check",
        "publish",
        "announce",
    ]


def test_a_failed_publishing_announces_nothing(
    db,
    inbox,
    fake_zenodo,
    django_capture_on_commit_callbacks,
):
    fake_zenodo.fail("create", 500)

    deposit = publish(closed_discussion(), django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.FAILED
    assert inbox.requests == []


def test_a_paper_without_a_doi_is_announced_by_its_page(published, inbox):
    article = published.discussion.article
    article.doi = None
    article.save()

    document = coar.announcement(published).to_jsonld()

    assert document["context"]["id"] == f"https://club.example.org/papers/{article.slug}/"
    assert "ietf:cite-as" not in document["context"]
