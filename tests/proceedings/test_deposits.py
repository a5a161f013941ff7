"""
Publishing a discussion's proceedings on Zenodo (proceedings.zenodo, proceedings.deposits),
against a fake Zenodo that answers with recorded responses in Zenodo's documented shapes
(tests/proceedings/data/zenodo-*.json) through httpx.MockTransport: no test reaches the
network. The fake keeps what a real Zenodo would (the depositions made, the files, the
metadata, whether it is published), so that a fault at any step can be followed by a retry
and what was done counted.
"""

import datetime
import hashlib
import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from discussions.models import Discussion, Pseudonym
from discussions.services import NotAllowed
from proceedings import coar, deposit_tasks, deposits, zenodo
from proceedings.models import Deposit, DepositEvent
from tests.factories import (
    ArticleFactory,
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    SubjectFactory,
    UserFactory,
)

DATA = Path(__file__).parent / "data"
BASE = "https://sandbox.zenodo.org/api"
BUCKET = "https://sandbox.zenodo.org/api/files/568377dd-daf8-4235-85e1-a56011ad454b"
DEPOSITION = 1234567
DOI = "10.5072/zenodo.1234567"
TOKEN = "zenodo-secret-token"
PDF = b"%PDF-1.7\n% the proceedings, as the exports make them\n%%EOF\n"
CC_BY = "CC-BY-4.0"
ORCID = "0000-0002-1825-0097"
# ``User.orcid_verified`` arrives with ORCID sign-in (another change); without it no iD is
# vouched for, and none is deposited.
HAS_VERIFIED_ORCID = hasattr(User, "orcid_verified")

ORDER = ["create", "upload", "metadata", "check", "publish"]
ATTEMPTS = 8  # racing at once


def recorded(name: str) -> dict:
    return json.loads((DATA / name).read_text())


class FakeZenodo:
    """
    Zenodo's deposit API as far as we use it, answering from the recorded responses.

    ``fail(step, fault)`` makes every call of that step fail until ``heal()``: "down" (no
    connection: nothing done), "timeout" (no answer, nothing done), "timeout-after" (done,
    but the answer is lost), a status (500, 429: nothing done), "garbage" (200 with a page
    that is not JSON, nothing done) or ``(status, body)`` (a refusal, nothing done).
    ``once=True``: only the next call fails.
    """

    def __init__(self):
        self.requests: list[httpx.Request] = []
        self.calls: list[str] = []
        self.faults: dict[str, tuple[object, bool]] = {}
        self.depositions = 0
        self.published = 0
        self.files: dict[str, bytes] = {}
        self.metadata: dict | None = None
        self.transport = httpx.MockTransport(self.handle)
        self.during: dict[str, object] = {}  # step -> callable run while the call is made

    def fail(self, step: str, fault, *, once: bool = False) -> None:
        self.faults[step] = (fault, once)

    def heal(self) -> None:
        self.faults.clear()

    @staticmethod
    def step_of(request: httpx.Request) -> str:
        path = request.url.path
        if request.method == "POST" and path == "/api/deposit/depositions":
            return "create"
        if request.method == "PUT" and path.startswith("/api/files/"):
            return "upload"
        if request.method == "PUT":
            return "metadata"
        if request.method == "GET":
            return "check"
        if path.endswith("/actions/publish"):
            return "publish"
        raise AssertionError(f"unexpected call {request.method} {request.url}")

    def handle(self, request: httpx.Request) -> httpx.Response:
        step = self.step_of(request)
        self.requests.append(request)
        self.calls.append(step)
        if step in self.during:
            self.during[step]()
        fault, once = self.faults.get(step, (None, False))
        if once:
            self.faults.pop(step)
        if fault == "down":
            raise httpx.ConnectError("Connection refused", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "garbage":
            return httpx.Response(200, text="<html><body>Bad gateway, maybe</body></html>")
        if isinstance(fault, int):
            headers = {"Retry-After": "1"} if fault == 429 else {}
            return httpx.Response(fault, json={"status": fault, "message": "Oops"}, headers=headers)
        if isinstance(fault, tuple):
            status, body = fault
            return httpx.Response(status, json=body)
        response = self.answer(step, request)
        if fault == "timeout-after":
            raise httpx.ReadTimeout("timed out after doing it", request=request)
        return response

    def answer(self, step: str, request: httpx.Request) -> httpx.Response:
        if step == "create":
            self.depositions += 1
            return httpx.Response(201, json=recorded("zenodo-create.json"))
        if step == "upload":
            name = request.url.path.rsplit("/", 1)[1]
            self.files[name] = request.content
            body = recorded("zenodo-upload.json")
            body.update(
                key=name,
                size=len(request.content),
                checksum="md5:" + hashlib.md5(request.content, usedforsecurity=False).hexdigest(),
            )
            return httpx.Response(201, json=body)
        if step == "metadata":
            self.metadata = json.loads(request.content)["metadata"]
            body = recorded("zenodo-deposition.json")
            body["metadata"].update(self.metadata)
            return httpx.Response(200, json=body)
        if step == "check":
            name = "zenodo-published.json" if self.published else "zenodo-deposition.json"
            return httpx.Response(200, json=recorded(name))
        assert self.files, "Zenodo refuses to publish a deposition without a file"
        assert self.metadata, "Zenodo refuses to publish a deposition without metadata"
        self.published += 1
        return httpx.Response(202, json=recorded("zenodo-published.json"))


@pytest.fixture
def fake_zenodo(settings, monkeypatch):
    """Publishing set up on this site, with Zenodo (the sandbox) answering as recorded."""
    settings.ZENODO_TOKEN = TOKEN
    settings.JOURNAL_CLUB_ZENODO_URL = BASE
    settings.JOURNAL_CLUB_ZENODO_COMMUNITY = ""
    settings.JOURNAL_CLUB_COAR_INBOX = ""
    settings.JOURNAL_CLUB_BASE_URL = "https://club.example.org"
    settings.JOURNAL_CLUB_CONTACT_EMAIL = "club@example.org"
    fake = FakeZenodo()
    fake.pauses = []
    zenodo.set_default_transport(fake.transport)
    monkeypatch.setattr(zenodo, "sleep", fake.pauses.append)
    monkeypatch.setattr(zenodo, "render_pdf", lambda discussion: PDF)
    # An inbox nobody set up is never written to; a test that sets one installs its own.
    coar.set_default_transport(httpx.MockTransport(_no_inbox))
    yield fake
    zenodo.set_default_transport(None)
    coar.set_default_transport(None)


def _no_inbox(request):
    raise AssertionError(f"no inbox should be told: {request.url}")


def closed_discussion(**fields) -> Discussion:
    """A closed discussion of a paper with a DOI and two subjects."""
    article = ArticleFactory(
        title="Implementation support practitioners", doi="10.1186/s12913-020-05145-1"
    )
    article.subjects.add(
        SubjectFactory(name="Knowledge brokering", slug="knowledge-brokering"),
        SubjectFactory(name="Implementation science", slug="implementation-science"),
    )
    host = UserFactory(
        display_name="Maren Host",
        affiliation="Harbour Health Network",
        roles=["Hosts"],
        **verified_orcid(ORCID),
    )
    fields.setdefault("status", Discussion.Status.CLOSED)
    fields.setdefault("closes_at", timezone.now() - datetime.timedelta(hours=1))
    fields.setdefault("opens_at", timezone.now() - datetime.timedelta(days=10))
    return DiscussionFactory(article=article, host=host, **fields)


def verified_orcid(orcid: str) -> dict:
    fields = {"orcid": orcid}
    if HAS_VERIFIED_ORCID:
        fields["orcid_verified"] = True
    return fields


def at(minutes: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(minutes=minutes)


@pytest.fixture
def discussion(db):
    """
    A closed discussion with every kind of comment: licensed ones by members named in
    proceedings (one with a verified ORCID iD, one with an iD of their own typing) and by
    one who is not, one under a pseudonym, one from before the licence, one deleted, one
    awaiting review, and the host's own.
    """
    discussion = closed_discussion()
    first, second, _third = discussion.questions.all()
    first.synthesis = "We agreed that **roles** matter."
    first.save()
    people = {
        "ada": UserFactory(
            display_name="Ada Named",
            affiliation="Uni of Alpha",
            named_in_proceedings=True,
            **verified_orcid("0000-0001-5109-3700"),
        ),
        "ben": UserFactory(
            display_name="Ben Typed", named_in_proceedings=True, orcid="0000-0002-9079-593X"
        ),
        "cy": UserFactory(display_name="Cy Unnamed", affiliation="Nowhere"),
        "dee": UserFactory(display_name="Dee Hidden", named_in_proceedings=True),
        "eve": UserFactory(display_name="Eve Early", named_in_proceedings=True),
        "fay": UserFactory(display_name="Fay Gone", named_in_proceedings=True),
        "gus": UserFactory(display_name="Gus Waiting", named_in_proceedings=True),
    }
    pseudonym = Pseudonym.objects.create(discussion=discussion, member=people["dee"], name="Heron")
    CommentFactory(question=second, author=people["ben"], licence=CC_BY, created_at=at(2))
    answer = CommentFactory(question=first, author=people["ada"], licence=CC_BY, created_at=at(3))
    CommentFactory(parent=answer, author=people["ben"], licence=CC_BY, created_at=at(4))
    CommentFactory(question=first, author=people["cy"], licence=CC_BY, created_at=at(1))
    CommentFactory(
        question=first, author=people["dee"], pseudonym=pseudonym, licence=CC_BY, created_at=at(5)
    )
    CommentFactory(question=first, author=people["eve"], licence="", created_at=at(0))
    CommentFactory(question=first, author=people["fay"], licence=CC_BY, deleted_at=timezone.now())
    CommentFactory(question=first, author=people["gus"], licence=CC_BY, status="pending")
    CommentFactory(question=second, author=discussion.host, licence=CC_BY, created_at=at(6))
    discussion.people = people
    return discussion


def expected_metadata(discussion, *, today=None) -> dict:
    """The metadata as the brief specifies it, written out by hand."""
    host = {"name": "Maren Host", "affiliation": "Harbour Health Network"}
    ada = {"name": "Ada Named", "affiliation": "Uni of Alpha"}
    if HAS_VERIFIED_ORCID:
        host["orcid"] = ORCID
        ada["orcid"] = "0000-0001-5109-3700"
    return {
        "upload_type": "publication",
        "publication_type": "peerreview",
        "title": "Journal club discussion: Implementation support practitioners",
        "description": zenodo.deposition_metadata(discussion)["description"],
        "creators": [host, {"name": "Ben Typed"}, ada],
        "access_right": "open",
        "license": "cc-by-4.0",
        "related_identifiers": [
            {
                "identifier": "10.1186/s12913-020-05145-1",
                "relation": "reviews",
                "resource_type": "publication-article",
                "scheme": "doi",
            },
            {
                "identifier": f"https://club.example.org/discussions/{discussion.slug}/",
                "relation": "isIdenticalTo",
                "scheme": "url",
            },
        ],
        "language": "eng",
        "keywords": ["Implementation science", "Knowledge brokering", "journal club"],
        "publication_date": (today or timezone.localdate()).isoformat(),
    }


def publish(discussion, django_capture_on_commit_callbacks, member=None) -> Deposit:
    """The host asks, and the worker runs the task (at once, as the tests' backend does)."""
    with django_capture_on_commit_callbacks(execute=True):
        deposit = deposits.deposit_request(discussion=discussion, member=member or discussion.host)
    deposit.refresh_from_db()
    return deposit


# --- The happy path ---------------------------------------------------------------------------


def test_publishing_creates_uploads_describes_checks_and_publishes_in_order(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    version = discussion.version
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert fake_zenodo.calls == ORDER
    assert deposit.state == Deposit.State.PUBLISHED
    assert deposit.doi == DOI
    assert deposit.record_url == "https://sandbox.zenodo.org/records/1234567"
    assert deposit.published_at is not None
    assert (deposit.zenodo_id, deposit.bucket_url, deposit.file_uploaded) == (
        DEPOSITION,
        BUCKET,
        True,
    )
    assert deposit.attempts == 1
    assert deposit.error == ""
    assert deposit.leased_until is None
    assert deposit.requested_by == discussion.host
    # The DOI is the discussion's, and its pages are out of date (their version raised).
    discussion.refresh_from_db()
    assert discussion.doi == DOI
    assert discussion.version > version
    # What Zenodo got: the PDF under the discussion's name, and the metadata, exactly.
    assert fake_zenodo.files == {f"{discussion.slug}.pdf": PDF}
    assert fake_zenodo.metadata == expected_metadata(discussion)
    assert deposit.metadata == fake_zenodo.metadata
    assert fake_zenodo.depositions == 1
    assert fake_zenodo.published == 1


def test_every_call_carries_the_token_as_a_bearer_a_user_agent_and_is_recorded(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    for request in fake_zenodo.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert "club@example.org" in request.headers["User-Agent"]
        assert TOKEN not in str(request.url)
    assert json.loads(fake_zenodo.requests[0].content) == {}
    events = list(deposit.events.all())
    assert [(e.step, e.method, e.status_code) for e in events] == [
        ("create", "POST", 201),
        ("upload", "PUT", 201),
        ("metadata", "PUT", 200),
        ("check", "GET", 200),
        ("publish", "POST", 202),
    ]
    assert events[0].url == f"{BASE}/deposit/depositions"
    assert events[1].url == f"{BUCKET}/{discussion.slug}.pdf"
    assert events[4].url == f"{BASE}/deposit/depositions/{DEPOSITION}/actions/publish"
    assert json.loads(events[4].response)["doi"] == DOI
    assert all(TOKEN not in e.url + e.response for e in events)


def test_the_description_gives_the_commentary_syntheses_and_what_is_left_out(discussion):
    description = zenodo.deposition_metadata(discussion)["description"]

    assert "<strong>commentary</strong>" in description
    assert "Question number 1?" in description
    assert "We agreed that <strong>roles</strong> matter." in description
    assert "https://doi.org/10.1186/s12913-020-05145-1" in description
    # Public comments: six licensed (the host's, Ada's, Ben's two, Cy's, the pseudonym's)
    # and one from before the licence; the deleted and the pending one are not public.
    assert "6 comments are included" in description
    assert "1 comment posted before that agreement is left out" in description


def test_creators_are_the_host_then_members_named_by_their_consent(discussion):
    names = [creator["name"] for creator in zenodo.creators(discussion)]

    # Ben commented first (a licensed answer), then Ada. Not Cy (no consent to be named),
    # not Dee (under a pseudonym), not Eve (no licence), not Fay (deleted), not Gus
    # (awaiting review), and the host once.
    assert names == ["Maren Host", "Ben Typed", "Ada Named"]


def test_an_orcid_id_is_deposited_only_when_orcid_vouched_for_it(discussion):
    by_name = {creator["name"]: creator for creator in zenodo.creators(discussion)}

    assert "orcid" not in by_name["Ben Typed"]  # typed on a profile: not vouched for
    if HAS_VERIFIED_ORCID:
        assert by_name["Ada Named"]["orcid"] == "0000-0001-5109-3700"
    else:
        assert "orcid" not in by_name["Ada Named"]


def test_comment_counts(discussion):
    assert zenodo.comment_counts(discussion) == (6, 1)


def test_metadata_of_a_french_discussion_without_a_paper_doi_and_with_a_community(db, settings):
    settings.JOURNAL_CLUB_ZENODO_COMMUNITY = "journal-clubs"
    discussion = closed_discussion(language="fr")
    discussion.article.doi = None
    discussion.article.save()

    metadata = zenodo.deposition_metadata(discussion, today=datetime.date(2025, 3, 14))

    assert metadata["language"] == "fra"
    assert metadata["communities"] == [{"identifier": "journal-clubs"}]
    assert metadata["publication_date"] == "2025-03-14"
    assert [r["relation"] for r in metadata["related_identifiers"]] == ["isIdenticalTo"]
    # The address is the discussion's own, not its French page's.
    assert "/fr/" not in metadata["related_identifiers"][0]["identifier"]


# --- Faults at each step: FAILED with a reason, nothing lost, the retry resumes ----------------

FAULTS = {
    "down": "Zenodo could not be reached.",
    "timeout": "Zenodo did not answer within 30 seconds.",
    500: "Zenodo answered with an error of its own (HTTP 500).",
    "garbage": "Zenodo sent an answer that could not be read (HTTP 200).",
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("step", ORDER)
def test_a_fault_at_any_step_fails_with_its_reason_and_the_retry_resumes_there(
    discussion, fake_zenodo, django_capture_on_commit_callbacks, step, fault
):
    fake_zenodo.fail(step, fault)
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.FAILED
    assert deposit.error == FAULTS[fault]
    assert deposit.leased_until is None
    # Nothing lost: what the steps before learnt is kept.
    done = ORDER[: ORDER.index(step)]
    assert (deposit.zenodo_id is not None) == ("create" in done)
    assert deposit.bucket_url == (BUCKET if "create" in done else "")
    assert deposit.file_uploaded == ("upload" in done)
    assert bool(deposit.metadata) == ("metadata" in done)
    # Every call, failed ones too, is in the record.
    assert deposit.events.count() == len(fake_zenodo.calls)
    assert deposit.events.filter(step=step).exists()
    assert fake_zenodo.published == 0

    fake_zenodo.heal()
    fake_zenodo.calls.clear()
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert deposit.attempts == 2
    assert deposit.error == ""
    assert fake_zenodo.depositions == 1  # never a second deposition
    assert fake_zenodo.published == 1
    assert fake_zenodo.calls.count("create") == (0 if "create" in done else 1)
    assert fake_zenodo.calls.count("upload") == (0 if "upload" in done else 1)
    assert fake_zenodo.calls.count("publish") == 1
    discussion.refresh_from_db()
    assert discussion.doi == DOI


@pytest.mark.parametrize("fault", ["down", 500, "garbage", "timeout"])
def test_calls_safe_to_repeat_are_tried_again_after_a_pause(
    discussion, fake_zenodo, django_capture_on_commit_callbacks, fault
):
    fake_zenodo.fail("upload", fault, once=True)
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls.count("upload") == 2
    assert fake_zenodo.pauses == [zenodo.BACKOFF_SECONDS]


@pytest.mark.parametrize("fault", [500, "timeout", "garbage"])
def test_a_create_is_never_repeated_when_it_may_have_happened(
    discussion, fake_zenodo, django_capture_on_commit_callbacks, fault
):
    fake_zenodo.fail("create", fault, once=True)
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.FAILED
    assert fake_zenodo.calls == ["create"]


def test_no_connection_is_tried_again_even_for_a_create(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    fake_zenodo.fail("create", "down", once=True)
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls.count("create") == 2
    assert fake_zenodo.depositions == 1


def test_a_429_is_waited_for_as_zenodo_asks(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    fake_zenodo.fail("publish", 429, once=True)
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.published == 1
    assert fake_zenodo.pauses == [zenodo.BACKOFF_SECONDS]  # Retry-After: 1 is shorter


# --- Publishing twice: never --------------------------------------------------------------------


def test_a_publish_that_timed_out_after_publishing_is_found_published_not_sent_again(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    fake_zenodo.fail("publish", "timeout-after")
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert deposit.doi == DOI
    assert fake_zenodo.calls == [*ORDER, "check"]  # asked, and found it published
    assert fake_zenodo.published == 1


def test_a_retry_after_a_publish_that_went_through_takes_the_doi_and_publishes_nothing(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    # The publish goes through but its answer is lost, and Zenodo cannot be asked about it.
    fake_zenodo.fail("publish", "timeout-after", once=True)
    fake_zenodo.during["publish"] = lambda: fake_zenodo.fail("check", "down")
    deposit = publish(discussion, django_capture_on_commit_callbacks)
    assert deposit.state == Deposit.State.FAILED
    assert deposit.error == "Zenodo could not be reached."
    assert fake_zenodo.published == 1

    fake_zenodo.heal()
    fake_zenodo.during.clear()
    fake_zenodo.calls.clear()
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED
    assert deposit.doi == DOI
    assert fake_zenodo.calls == ["check"]  # Zenodo's word first: published
    assert fake_zenodo.published == 1
    discussion.refresh_from_db()
    assert discussion.doi == DOI


def test_a_published_deposit_is_never_sent_again(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    deposit = publish(discussion, django_capture_on_commit_callbacks)
    fake_zenodo.calls.clear()

    again = publish(discussion, django_capture_on_commit_callbacks)
    zenodo.deposit_publish(deposit=deposit)
    deposit_tasks.publish.enqueue(deposit_id=deposit.pk)

    assert again.pk == deposit.pk
    assert again.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls == []
    assert Deposit.objects.get().attempts == 1


def test_a_double_click_makes_one_deposit_and_one_task(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = deposits.deposit_request(discussion=discussion, member=discussion.host)
        second = deposits.deposit_request(discussion=discussion, member=discussion.host)

    assert first.pk == second.pk
    assert Deposit.objects.count() == 1
    assert second.state == Deposit.State.PUBLISHING
    assert len(callbacks) == 1


# --- Two attempts at once -----------------------------------------------------------------------


def test_an_attempt_does_nothing_while_another_holds_the_lease(discussion, fake_zenodo):
    deposit = Deposit.objects.create(
        discussion=discussion,
        state=Deposit.State.PUBLISHING,
        leased_until=timezone.now() + datetime.timedelta(minutes=5),
    )

    deposit = zenodo.deposit_publish(deposit=deposit)

    assert fake_zenodo.calls == []
    assert deposit.state == Deposit.State.PUBLISHING
    assert deposit.attempts == 0


def test_a_second_attempt_started_during_the_first_waits_its_turn(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    seen = []
    fake_zenodo.during["upload"] = lambda: seen.append(
        zenodo.deposit_publish(deposit=Deposit.objects.get()).state
    )

    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert seen == [Deposit.State.PUBLISHING]  # the second found the lease held
    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls == ORDER
    assert deposit.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_attempts_racing_on_postgresql_publish_once(fake_zenodo):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")
    deposit = Deposit.objects.create(discussion=closed_discussion(), state=Deposit.State.PUBLISHING)
    fake_zenodo.during["create"] = lambda: time.sleep(0.3)  # the others arrive meanwhile
    start = threading.Barrier(ATTEMPTS)
    outcomes, errors = [], []

    def attempt():
        try:
            start.wait()
            outcomes.append(zenodo.deposit_publish(deposit=deposit).state)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(outcomes) == ATTEMPTS
    # One attempt held the lease and did every step once; the others found it held.
    assert fake_zenodo.calls == ORDER
    assert Deposit.objects.get().attempts == 1
    assert Deposit.objects.get().state == Deposit.State.PUBLISHED


def test_a_lease_that_ran_out_lets_the_next_attempt_resume(discussion, fake_zenodo):
    deposit = Deposit.objects.create(
        discussion=discussion,
        state=Deposit.State.PUBLISHING,
        zenodo_id=DEPOSITION,
        bucket_url=BUCKET,
        leased_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    fake_zenodo.depositions = 1

    deposit = zenodo.deposit_publish(deposit=deposit)

    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls == ["check", "upload", "metadata", "check", "publish"]


def test_an_attempt_that_lost_its_lease_stops_and_writes_nothing_more(discussion, fake_zenodo):
    deposit = Deposit.objects.create(discussion=discussion, state=Deposit.State.PUBLISHING)
    later = timezone.now() + datetime.timedelta(hours=1)
    # While the PDF goes up, another attempt takes the deposit over (its lease ran out).
    fake_zenodo.during["upload"] = lambda: Deposit.objects.update(leased_until=later)

    deposit = zenodo.deposit_publish(deposit=deposit)

    assert fake_zenodo.calls == ["create", "upload"]
    assert deposit.state == Deposit.State.PUBLISHING
    assert deposit.leased_until == later
    assert deposit.file_uploaded is False
    assert deposit.error == ""


def test_a_stalled_deposit_may_be_asked_again(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    deposit = Deposit.objects.create(discussion=discussion, state=Deposit.State.PUBLISHING)
    Deposit.objects.update(updated_at=timezone.now() - zenodo.LEASE * 2)
    deposit.refresh_from_db()
    assert deposits.is_stalled(deposit)

    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED


# --- Refusals -----------------------------------------------------------------------------------


def test_a_refused_deposit_fails_with_zenodos_own_reasons(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    fake_zenodo.fail("metadata", (400, recorded("zenodo-400-metadata.json")))
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.FAILED
    assert deposit.error == (
        "Zenodo refused the deposit: metadata.creators.0.name: Name is required.; "
        "metadata.related_identifiers.0.identifier: Not a valid persistent identifier."
    )
    assert fake_zenodo.calls == ["create", "upload", "metadata"]  # a refusal is not repeated
    assert deposit.metadata == {}  # not sent: sent again on the retry

    fake_zenodo.heal()
    deposit = publish(discussion, django_capture_on_commit_callbacks)
    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls.count("metadata") == 2
    assert fake_zenodo.depositions == 1


def test_a_refused_token_says_so(discussion, fake_zenodo, django_capture_on_commit_callbacks):
    fake_zenodo.fail("create", (401, recorded("zenodo-401.json")))
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.FAILED
    assert deposit.error.startswith("Zenodo refused this site's token (ZENODO_TOKEN): The server")


def test_a_fault_of_ours_fails_plainly_instead_of_publishing_forever(
    discussion, fake_zenodo, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(discussion):
        raise RuntimeError("the PDF could not be laid out")

    monkeypatch.setattr(zenodo, "render_pdf", broken)
    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.FAILED
    assert "went wrong on this site" in deposit.error
    assert deposit.zenodo_id == DEPOSITION  # kept for the retry


def test_a_file_zenodo_received_otherwise_is_sent_again(
    discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    body = recorded("zenodo-upload.json")  # its checksum is not the PDF's
    fake_zenodo.fail("upload", (201, body), once=True)
    deposit = publish(discussion, django_capture_on_commit_callbacks)
    assert deposit.state == Deposit.State.FAILED
    assert deposit.error == "Zenodo received a file other than the one sent."
    assert not deposit.file_uploaded

    deposit = publish(discussion, django_capture_on_commit_callbacks)
    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls.count("upload") == 2


def test_publishing_that_is_not_set_up_fails_saying_so(discussion, fake_zenodo, settings):
    deposit = Deposit.objects.create(discussion=discussion, state=Deposit.State.PUBLISHING)
    settings.ZENODO_TOKEN = ""

    deposit = zenodo.deposit_publish(deposit=deposit)

    assert deposit.state == Deposit.State.FAILED
    assert deposit.error == "Publishing to Zenodo is not set up on this site."
    assert fake_zenodo.calls == []


# --- Who may ask --------------------------------------------------------------------------------


def test_only_a_closed_discussion_is_published(db, fake_zenodo):
    discussion = closed_discussion(status=Discussion.Status.OPEN, closes_at=None)

    with pytest.raises(NotAllowed, match="once the discussion is closed"):
        deposits.deposit_request(discussion=discussion, member=discussion.host)
    assert not Deposit.objects.exists()


def test_only_its_host_the_clubs_leads_and_staff_publish(discussion, fake_zenodo):
    lead = MembershipFactory(club=discussion.club, role="lead").member
    staff = UserFactory(is_staff=True, is_superuser=True)
    club_host = MembershipFactory(club=discussion.club, role="host").member

    for outsider in (UserFactory(), club_host, discussion.people["ada"]):
        with pytest.raises(NotAllowed):
            deposits.deposit_request(discussion=discussion, member=outsider)
    for allowed in (discussion.host, lead, staff):
        assert deposits.can_publish(allowed, discussion)
    assert not Deposit.objects.exists()


def test_nothing_is_asked_where_publishing_is_not_set_up(discussion, fake_zenodo, settings):
    settings.ZENODO_TOKEN = ""

    with pytest.raises(NotAllowed, match="not set up"):
        deposits.deposit_request(discussion=discussion, member=discussion.host)


def test_a_private_clubs_discussion_may_be_published_by_its_host(
    db, fake_zenodo, django_capture_on_commit_callbacks
):
    club = ClubFactory(visibility="private", joining="invitation")
    discussion = closed_discussion(club=club)
    MembershipFactory(club=club, member=discussion.host, role="host")

    deposit = publish(discussion, django_capture_on_commit_callbacks)

    assert deposit.state == Deposit.State.PUBLISHED


# --- Small parts ------------------------------------------------------------------------------


def test_addresses_are_kept_without_tokens():
    assert (
        zenodo.public_url("https://zenodo.org/api/deposit/depositions?access_token=abc&page=2")
        == "https://zenodo.org/api/deposit/depositions?page=2"
    )


def test_long_answers_are_kept_shortened(discussion):
    deposit = Deposit.objects.create(discussion=discussion)
    response = httpx.Response(200, text="x" * 10_000)

    zenodo.record_event(deposit, step="check", method="GET", url=BASE, response=response)

    event = DepositEvent.objects.get()
    assert len(event.response) == zenodo.RESPONSE_KEPT + 1
    assert event.response.endswith("…")
