"""
A discussion's proceedings deposited on Zenodo for a DOI (Zenodo's REST deposit API).

``deposit_publish`` runs four steps, each recorded on the ``Deposit`` before the next, so
that an attempt stopped anywhere is resumed by the next one from the first step not done,
and nothing is ever published twice:

1. create a deposition (``POST /deposit/depositions``): its id and file bucket are saved
   at once, in their own transaction;
2. upload the PDF into the bucket (``PUT <bucket>/<slug>.pdf``): ``file_uploaded``;
3. describe it (``PUT /deposit/depositions/<id>``): the metadata sent is kept, and sent
   again only if it changed;
4. publish it (``POST /deposit/depositions/<id>/actions/publish``): the DOI, the record's
   address, and the DOI on the discussion (``discussions.hosting.discussion_doi_set``).

Before step 4, and at the start of any attempt that finds a deposition already made (the
last attempt may have got further than it recorded), the deposition is read
(``GET /deposit/depositions/<id>``): one Zenodo says is published gives its DOI, and is
never published again. A time-out on the publish itself is answered the same way.

Every call has a timeout (5 s to connect, 30 s to read), a User-Agent giving the site's
contact, the token as ``Authorization: Bearer`` (never in an address), and is kept as a
``DepositEvent`` with its answer shortened. What cannot have reached Zenodo (no
connection, a 429) is tried again after a growing pause; so are time-outs, 5xx and
unreadable answers on the calls that are safe to repeat (GET, PUT), never on a create or a
publish. A deposit Zenodo refuses (4xx) fails with Zenodo's own reasons. A lease on the
deposit (``leased_until``, renewed by every step and checked by every write) keeps two
attempts from running at once.

Tests replace the transport (``set_default_transport``) and the pause (``sleep``).
"""

import datetime
import hashlib
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from articles.sources.http import user_agent
from core.markdown import render_markdown
from discussions import hosting
from discussions.models import Comment, Discussion, public_comment_q
from discussions.services import COMMENT_LICENCE

from .models import Deposit, DepositEvent

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
ATTEMPTS = 3  # per call: the first, then two more after a pause
BACKOFF_SECONDS = 2.0  # doubled at each pause
RETRY_AFTER_LIMIT = 60  # seconds: a 429 asking for longer fails the attempt instead
# Longer than an attempt's worst case between two steps (three tries of 35 s, and pauses).
LEASE = datetime.timedelta(minutes=10)
RESPONSE_KEPT = 4000  # characters of each answer kept in its DepositEvent
ISO_639_3 = {"en": "eng", "fr": "fra"}
KEYWORD = "journal club"
SECRET_PARAMETERS = {"access_token", "token"}

# None: httpx's real network transport. Tests install a MockTransport here.
_default_transport: httpx.BaseTransport | None = None
sleep = time.sleep


def set_default_transport(transport: httpx.BaseTransport | None) -> None:
    """Route every call to Zenodo through ``transport`` (tests); None restores the network."""
    global _default_transport
    _default_transport = transport


def is_configured() -> bool:
    return bool(settings.ZENODO_TOKEN)


class ZenodoError(Exception):
    """
    A call to Zenodo failed; the message says why, for the host and the admin.
    ``may_have_happened``: Zenodo may have done what was asked all the same (a time-out).
    """

    def __init__(self, message: str, *, may_have_happened: bool = False):
        super().__init__(message)
        self.may_have_happened = may_have_happened


class Refused(ZenodoError):
    """Zenodo refused the request (4xx): asking again as it is would change nothing."""


class LeaseLost(Exception):
    """Another attempt holds the deposit now: this one stops, writing nothing more."""


# --- What is deposited ----------------------------------------------------------------------


def licensed_comments(discussion: Discussion):
    """The comments that go into the proceedings: public, and under the licence agreed to."""
    return Comment.objects.for_discussion(discussion).filter(
        public_comment_q(), licence=COMMENT_LICENCE
    )


def comment_counts(discussion: Discussion) -> tuple[int, int]:
    """How many public comments are included, and how many are left out (no licence)."""
    counts = (
        Comment.objects.for_discussion(discussion)
        .filter(public_comment_q())
        .aggregate(
            included=Count("pk", filter=Q(licence=COMMENT_LICENCE)),
            total=Count("pk"),
        )
    )
    return counts["included"], counts["total"] - counts["included"]


def creators(discussion: Discussion) -> list[dict[str, str]]:
    """
    The proceedings' authors: the host first, then, by their first comment, the members who
    agreed to be named in proceedings (``named_in_proceedings``) and have a licensed public
    comment in it under their own name. Nobody is named for a comment posted under a
    pseudonym. An ORCID iD is given only when ORCID vouched for it (ORCID sign-in).
    """
    firsts = (
        licensed_comments(discussion)
        .filter(pseudonym__isnull=True, author__named_in_proceedings=True)
        .exclude(author_id=discussion.host_id)
        .values("author_id")
        .annotate(first=Min("created_at"))
        .order_by("first", "author_id")
    )
    ids = [row["author_id"] for row in firsts]
    members = User.objects.in_bulk(ids)
    return [_creator(person) for person in [discussion.host, *(members[pk] for pk in ids)]]


def _creator(member: User) -> dict[str, str]:
    creator = {"name": member.name}
    if member.affiliation:
        creator["affiliation"] = member.affiliation
    # ``orcid_verified`` comes with ORCID sign-in (accounts); an iD a member typed is theirs
    # to claim on their profile, not ours to deposit.
    if member.orcid and getattr(member, "orcid_verified", False):
        creator["orcid"] = member.orcid
    return creator


def discussion_url(discussion: Discussion) -> str:
    """The discussion's public address, in the site's default language (no /fr/ prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.JOURNAL_CLUB_BASE_URL + discussion.get_absolute_url()


def deposition_metadata(
    discussion: Discussion,
    *,
    today: datetime.date | None = None,
    counts: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """
    The deposition's metadata, in Zenodo's terms: a peer review of the paper, under CC BY
    4.0, by its creators, in the discussion's language, described by the host's commentary
    and syntheses. ``discussion`` comes with its paper, host and club; ``counts``, the
    ``comment_counts`` when already read.
    """
    article = discussion.article
    url = discussion_url(discussion)
    included, left_out = counts or comment_counts(discussion)
    questions = [
        (question.text, render_markdown(question.synthesis, heading_level=4))
        for question in discussion.questions.all()
    ]
    with translation.override(discussion.language):
        title = _("Journal club discussion: %(title)s") % {"title": article.title}
        description = render_to_string(
            "proceedings/deposit_description.html",
            {
                "discussion": discussion,
                "article": article,
                "url": url,
                "commentary": render_markdown(discussion.commentary),
                "questions": questions,
                "included": included,
                "left_out": left_out,
            },
        ).strip()
    related = []
    if article.doi:
        related.append(
            {
                "identifier": article.doi,
                "relation": "reviews",
                "resource_type": "publication-article",
                "scheme": "doi",
            }
        )
    related.append({"identifier": url, "relation": "isIdenticalTo", "scheme": "url"})
    keywords = [subject.name for subject in article.subjects.all()]
    if KEYWORD not in {keyword.lower() for keyword in keywords}:
        keywords.append(KEYWORD)
    metadata: dict[str, Any] = {
        "upload_type": "publication",
        "publication_type": "peerreview",
        "title": title,
        "description": description,
        "creators": creators(discussion),
        "access_right": "open",
        "license": "cc-by-4.0",
        "related_identifiers": related,
        "keywords": keywords,
        "publication_date": (today or timezone.localdate()).isoformat(),
    }
    if discussion.language in ISO_639_3:
        metadata["language"] = ISO_639_3[discussion.language]
    if settings.JOURNAL_CLUB_ZENODO_COMMUNITY:
        metadata["communities"] = [{"identifier": settings.JOURNAL_CLUB_ZENODO_COMMUNITY}]
    return metadata


def pdf_filename(discussion: Discussion) -> str:
    return f"{discussion.slug}.pdf"


def render_pdf(discussion: Discussion) -> bytes:
    """The proceedings as deposited: licensed comments only, in the discussion's language."""
    # The exports' PDF (documents.py), imported when needed: WeasyPrint is heavy to load
    # and only the worker's run needs it.
    from .documents import render_pdf as render

    return render(discussion, language=discussion.language, licensed_only=True)


# --- Calls ----------------------------------------------------------------------------------


def public_url(url: str) -> str:
    """The address as it may be kept: without any token in its query."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in SECRET_PARAMETERS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def record_event(
    deposit: Deposit,
    *,
    step: str,
    method: str,
    url: str,
    response: httpx.Response | None = None,
    error: str = "",
) -> None:
    """Keep one call and what came back (shortened), in its own transaction: never lost."""
    text = ""
    if response is not None:
        text = response.text if response.content else ""
        if len(text) > RESPONSE_KEPT:
            text = text[:RESPONSE_KEPT] + "…"
    DepositEvent.objects.create(
        deposit=deposit,
        step=step,
        method=method,
        url=public_url(url)[:500],
        status_code=response.status_code if response is not None else None,
        response=text,
        error=error,
    )


class Client:
    """Zenodo's deposit API for one deposit: every call kept as one of its events."""

    def __init__(self, *, deposit: Deposit, transport: httpx.BaseTransport | None = None):
        self.deposit = deposit
        self.base_url = settings.JOURNAL_CLUB_ZENODO_URL
        self.transport = transport or _default_transport

    def create(self) -> dict:
        return self._call("create", "POST", f"{self.base_url}/deposit/depositions", json={})

    def upload(self, bucket_url: str, filename: str, content: bytes) -> dict:
        return self._call(
            "upload",
            "PUT",
            f"{bucket_url}/{filename}",
            content=content,
            headers={"Content-Type": "application/octet-stream"},
            repeatable=True,
        )

    def describe(self, deposition_id: int, metadata: dict) -> dict:
        return self._call(
            "metadata",
            "PUT",
            f"{self.base_url}/deposit/depositions/{deposition_id}",
            json={"metadata": metadata},
            repeatable=True,
        )

    def read(self, deposition_id: int) -> dict:
        return self._call(
            "check",
            "GET",
            f"{self.base_url}/deposit/depositions/{deposition_id}",
            repeatable=True,
        )

    def publish(self, deposition_id: int) -> dict:
        return self._call(
            "publish",
            "POST",
            f"{self.base_url}/deposit/depositions/{deposition_id}/actions/publish",
        )

    def _call(
        self,
        step: str,
        method: str,
        url: str,
        *,
        repeatable: bool = False,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict:
        """
        The JSON object Zenodo answers, after as many tries as may safely be made; else
        ZenodoError (Refused for a 4xx). ``repeatable``: asking twice does what asking
        once does (GET, PUT), so a time-out or a 5xx may be asked again too.
        """
        for attempt in range(1, ATTEMPTS + 1):
            pause = BACKOFF_SECONDS * 2 ** (attempt - 1)
            try:
                with httpx.Client(
                    transport=self.transport,
                    timeout=TIMEOUT,
                    headers={
                        "User-Agent": user_agent(),
                        "Accept": "application/json",
                        "Authorization": f"Bearer {settings.ZENODO_TOKEN}",
                    },
                ) as client:
                    response = client.request(
                        method, url, json=json, content=content, headers=headers
                    )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                # Nothing reached Zenodo: asking again is always safe.
                record_event(self.deposit, step=step, method=method, url=url, error=repr(error))
                failure = ZenodoError(_("Zenodo could not be reached."))
                again = True
            except httpx.TimeoutException as error:
                record_event(self.deposit, step=step, method=method, url=url, error=repr(error))
                failure = ZenodoError(
                    _("Zenodo did not answer within %(seconds)d seconds.")
                    % {"seconds": TIMEOUT.read},
                    may_have_happened=True,
                )
                again = repeatable
            except httpx.HTTPError as error:
                record_event(self.deposit, step=step, method=method, url=url, error=repr(error))
                failure = ZenodoError(
                    _("The connection to Zenodo broke off."), may_have_happened=True
                )
                again = repeatable
            else:
                record_event(self.deposit, step=step, method=method, url=url, response=response)
                status = response.status_code
                if status == 429:
                    failure = ZenodoError(_("Zenodo asked us to slow down (HTTP 429)."))
                    pause = max(pause, _retry_after(response))
                    again = pause <= RETRY_AFTER_LIMIT
                elif status >= 500:
                    failure = ZenodoError(
                        _("Zenodo answered with an error of its own (HTTP %(status)d).")
                        % {"status": status},
                        may_have_happened=True,
                    )
                    again = repeatable
                elif status >= 400:
                    raise _refusal(response)
                else:
                    body = _json_object(response)
                    if body is not None:
                        return body
                    failure = ZenodoError(
                        _("Zenodo sent an answer that could not be read (HTTP %(status)d).")
                        % {"status": status},
                        may_have_happened=True,
                    )
                    again = repeatable
            if not again or attempt == ATTEMPTS:
                raise failure
            sleep(pause)
        raise AssertionError("unreachable")  # the loop returns or raises


def _json_object(response: httpx.Response) -> dict | None:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else 0.0


def _refusal(response: httpx.Response) -> Refused:
    """Zenodo's own reasons for a 4xx, as it gives them (``errors: [{field, message(s)}]``)."""
    body = _json_object(response) or {}
    reasons = []
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        field = str(error.get("field") or "")
        messages = error.get("messages") or [error.get("message")]
        if not isinstance(messages, list):
            messages = [messages]
        for message in messages:
            if message:
                text = message if isinstance(message, str) else json.dumps(message)
                reasons.append(f"{field}: {text}" if field else text)
    reason = "; ".join(reasons) or str(body.get("message") or "") or f"HTTP {response.status_code}"
    if response.status_code in (401, 403):
        return Refused(
            _("Zenodo refused this site's token (ZENODO_TOKEN): %(reason)s") % {"reason": reason}
        )
    if response.status_code == 404:
        return Refused(
            _("Zenodo has no such deposition (was it deleted there?): %(reason)s")
            % {"reason": reason}
        )
    return Refused(_("Zenodo refused the deposit: %(reason)s") % {"reason": reason})


# --- The run --------------------------------------------------------------------------------


def deposit_publish(*, deposit: Deposit) -> Deposit:
    """
    Take the deposit's steps that are not done yet, and publish it: PUBLISHED with its
    DOI, or FAILED with the reason. Only a deposit asked to be published (PUBLISHING) and
    held by no other attempt is run; any other is returned as it is.
    """
    lease = _take(deposit)
    if lease is not None:
        run = _Run(Deposit.objects.select_related(*_RELATED).get(pk=deposit.pk), lease)
        try:
            run.steps()
        except LeaseLost:
            logger.warning("Deposit %s: another attempt took over; this one stopped.", deposit.pk)
        except ZenodoError as error:
            run.fail(str(error))
        except Exception:
            # A fault of ours (the PDF, a bug): said plainly, never left "publishing".
            logger.exception("Deposit %s could not be published.", deposit.pk)
            run.fail(_("Something went wrong on this site while publishing; its log says what."))
    deposit.refresh_from_db()
    return deposit


_RELATED = ("discussion__article", "discussion__host", "discussion__club")


def _take(deposit: Deposit) -> datetime.datetime | None:
    """The lease on the deposit, if it is to be published and no attempt holds it."""
    with transaction.atomic():
        current = Deposit.objects.select_for_update(no_key=True).get(pk=deposit.pk)
        now = timezone.now()
        if current.state != Deposit.State.PUBLISHING:
            return None
        if current.leased_until is not None and current.leased_until > now:
            return None
        lease = now + LEASE
        Deposit.objects.filter(pk=deposit.pk).update(
            leased_until=lease, attempts=F("attempts") + 1, updated_at=now
        )
    return lease


class _Run:
    """One attempt at the steps, holding the deposit's lease."""

    def __init__(self, deposit: Deposit, lease: datetime.datetime):
        self.deposit = deposit
        self.lease = lease
        self.client = Client(deposit=deposit)

    def steps(self) -> None:
        deposit = self.deposit
        if not is_configured():
            raise Refused(_("Publishing to Zenodo is not set up on this site."))
        deposition_id = deposit.zenodo_id
        if deposition_id is None:
            body = self.client.create()
            deposition_id = body.get("id")
            if not isinstance(deposition_id, int):
                raise ZenodoError(_("Zenodo made a deposition but did not say which."))
            self._save(zenodo_id=deposition_id, bucket_url=_bucket(body))
        else:
            # A deposition made by an earlier attempt, which may have got further than it
            # recorded (a publish that timed out): Zenodo's word first.
            body = self.client.read(deposition_id)
            if _is_published(body):
                return self._published(body)
            if not deposit.bucket_url:
                self._save(bucket_url=_bucket(body))
        if not deposit.bucket_url:
            raise ZenodoError(_("Zenodo did not give the deposition's file bucket."))
        if not deposit.file_uploaded:
            pdf = render_pdf(deposit.discussion)
            filename = pdf_filename(deposit.discussion)
            body = self.client.upload(deposit.bucket_url, filename, pdf)
            sent = "md5:" + hashlib.md5(pdf, usedforsecurity=False).hexdigest()
            if body.get("checksum") not in (None, sent):
                raise ZenodoError(_("Zenodo received a file other than the one sent."))
            self._save(file_uploaded=True)
        metadata = deposition_metadata(deposit.discussion)
        if metadata != deposit.metadata:
            self.client.describe(deposition_id, metadata)
            self._save(metadata=metadata)
        self._published(self._publish(deposition_id))

    def _publish(self, deposition_id: int) -> dict:
        """Publish, unless Zenodo says it is published already: asked before each try."""
        for attempt in range(1, ATTEMPTS + 1):
            body = self.client.read(deposition_id)
            if _is_published(body):
                return body
            try:
                return self.client.publish(deposition_id)
            except Refused:
                raise
            except ZenodoError as error:
                if not error.may_have_happened or attempt == ATTEMPTS:
                    raise
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _published(self, body: dict) -> None:
        doi = body.get("doi") or (body.get("metadata") or {}).get("doi")
        if not isinstance(doi, str) or not doi.strip():
            raise ZenodoError(_("Zenodo published the deposit but its answer gave no DOI."))
        links = body.get("links") or {}
        record_url = links.get("record_html") or body.get("doi_url") or links.get("doi") or ""
        now = timezone.now()
        with transaction.atomic():
            published = self._owned().update(
                state=Deposit.State.PUBLISHED,
                doi=doi.strip(),
                record_url=str(record_url)[:500],
                published_at=now,
                leased_until=None,
                error="",
                updated_at=now,
            )
            if not published:
                raise LeaseLost
            hosting.discussion_doi_set(discussion=self.deposit.discussion, doi=doi)

    def fail(self, reason: str) -> None:
        self._owned().update(
            state=Deposit.State.FAILED,
            error=reason,
            leased_until=None,
            updated_at=timezone.now(),
        )

    def _save(self, **fields) -> None:
        """What a step learnt, written at once with the lease renewed."""
        now = timezone.now()
        lease = now + LEASE
        if not self._owned().update(**fields, leased_until=lease, updated_at=now):
            raise LeaseLost
        self.lease = lease
        for name, value in fields.items():
            setattr(self.deposit, name, value)

    def _owned(self):
        """The deposit, while this attempt holds it (else an update changes nothing)."""
        return Deposit.objects.filter(
            pk=self.deposit.pk, state=Deposit.State.PUBLISHING, leased_until=self.lease
        )


def _bucket(body: dict) -> str:
    bucket = (body.get("links") or {}).get("bucket")
    return bucket.rstrip("/") if isinstance(bucket, str) else ""


def _is_published(body: dict) -> bool:
    """Zenodo says the deposition is published (``submitted``; "done" once it is)."""
    return body.get("submitted") is True
