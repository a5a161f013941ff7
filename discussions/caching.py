"""
What the discussion page caches, and how a change makes it stale.

Every cache key is built from the data the entry shows, so a change makes the old entry
unreachable at once, in every process, with nothing to delete and no delete to race (but
for the two things kept to spare the database, whose renewal is bounded in time: a
discussion's version for visitors' pages, and what is a member's own):

- **A comment** (``comment_key``): the comment's id and ``version``, its author's
  name and handle, what the reader may do with it (the *variant*), the language and the
  time zone. Services raise a comment's version in the transaction that changes it.
- **A thread** (``thread_key``): an answer with its replies, keyed by their comments'
  keys in order, so any change to one of them, or a new reply, is a new thread.
- **What the page shows besides the reader's own bits** (``page_data_key``): the
  discussion's ``version`` and the sort; the questions, threads and counts are read once
  per change, whoever reads.
- **The whole page for readers who are not signed in** (``page_key``): the discussion's
  version and the parameters that change the page, normalised (the sort, the language,
  the time zone). Unknown or junk parameters are not part of it: ``?x=<random>`` is
  served from the same entry. The version itself is kept too (``page_version_key``), so
  that a visitor's page needs no database at all: ``discussions_changed`` lets go of it
  when it changes (the one delete here), and should a visitor's read race the change's
  commit, it is stale for at most ``VERSION_TIMEOUT`` seconds.
- **What is a member's own on a discussion** (``reader_key``, ``selectors.Reader``): their
  rights, marks, follows, last visit and comments awaiting review, read in six queries
  and kept for ``READER_TIMEOUT``, under the discussion's version (marks and comments
  raise it) and a stamp of the member's own that ``reader_changed`` renews whenever
  something else of theirs changes (a follow, a suspension, their roles, their address
  confirmed, their profile). Their last visit is recorded to the minute, so a minute's
  staleness is what it already had.
- **A member's whole page** (``reader_page_key``): the same, plus everything of theirs
  it shows (``selectors.Reader``: rights, marks, follows, comments awaiting review, and
  their last visit, which with the version decides what is new to them), what the
  header shows of them (their name, the bell's count) and their CSRF secret, which its
  forms carry. A reload, or a return to a page where nothing changed for them, is
  served whole, without reading the page's shared data.

Every key also carries ``RELEASE``, a digest of the code and templates that shape what is
cached: after a deploy that changes a template or the shape of ``selectors.PageData``,
entries written by the previous release are never read (a template edit would otherwise
show for a day in the comments rendered before it, and an old pickle would not fit the
new dataclass).

Whatever changes what a page shows says so where it happens: the services, the admin's
saves and the demo call ``discussions_changed`` or ``comments_changed`` (and, for what
other apps own, discussions listens to their announcements in ``receivers``). Nothing here
listens to model signals.
"""

import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from .models import Comment, Discussion

# Time-dependent parts (a session moving from "upcoming" to "past") are at most this stale.
PAGE_TIMEOUT = 300
# Rendered comments change only with their version: they may stay as long as the cache likes.
FRAGMENT_TIMEOUT = 24 * 3600
# What is a member's own on a discussion: at most as stale as their last visit is.
READER_TIMEOUT = 60
# A discussion's version, as visitors' pages read it: let go of when it changes, and at
# most this stale should a visitor's read race a change's commit.
VERSION_TIMEOUT = 5


def discussions_changed(discussions: QuerySet | Iterable[int]) -> None:
    """
    Raise the version of these discussions (a queryset of them, or their ids), and let go
    of their versions kept for visitors' pages (``page_version_key``): now, and again
    when the transaction commits (a visitor may have read the old one in between).
    """
    if not isinstance(discussions, QuerySet):
        discussions = Discussion.objects.filter(pk__in=list(discussions))
    keys = [page_version_key(slug) for slug in discussions.values_list("slug", flat=True)]
    discussions.update(version=F("version") + 1)
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def comments_changed(comments: QuerySet | Iterable[int]) -> None:
    """
    Raise the version of these comments (their rendering changes) and of their
    discussions (their pages change).
    """
    ids = list(
        comments.values_list("pk", flat=True) if isinstance(comments, QuerySet) else comments
    )
    Comment.objects.filter(pk__in=ids).update(version=F("version") + 1)
    discussions_changed(Discussion.objects.filter(questions__comments__in=ids))


def reader_changed(member_id: int) -> None:
    """Something of this member's own changed (a follow, a suspension, their roles...)."""
    cache.set(_reader_stamp_key(member_id), uuid.uuid4().hex[:12], READER_TIMEOUT)


def reader_key(*, member_id: int, discussion_id: int, version: int) -> str:
    """What is this member's own on this discussion (``selectors.Reader``), as it stands."""
    stamp = cache.get(_reader_stamp_key(member_id)) or "-"
    return f"discussion-reader:{RELEASE}:{member_id}:{discussion_id}:{version}:{stamp}"


def _reader_stamp_key(member_id: int) -> str:
    return f"reader-stamp:{member_id}"


def _release() -> str:
    """A digest of the templates and of this app's code: what shapes every cached entry."""
    digest = hashlib.blake2b(digest_size=5)
    for root in (Path(settings.BASE_DIR) / "templates", Path(__file__).resolve().parent):
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".py"} and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()


RELEASE = _release()


def enabled() -> bool:
    return settings.DISCUSSION_PAGE_CACHE


def rendering_context() -> str:
    """What every rendering depends on: the release, the language and the time zone."""
    return f"{RELEASE}:{get_language()}:{timezone.get_current_timezone_name()}"


def page_version_key(slug: str) -> str:
    """A discussion's id, version and status, kept for visitors' pages (by its slug)."""
    return f"discussion-version:{slug}"


def page_key(*, discussion_id: int, version: int, sort: str) -> str:
    """The whole page for readers who are not signed in."""
    return f"discussion-page:{discussion_id}:{version}:{sort}:{rendering_context()}"


def page_data_key(*, discussion_id: int, version: int, sort: str) -> str:
    """What the page shows whoever reads (``selectors.PageData``)."""
    return f"discussion-data:{RELEASE}:{discussion_id}:{version}:{sort}"


def comment_key(row, variant: str) -> str:
    """
    A comment rendered for a reader of this variant (what they may do with it, and the
    ``rendering_context``), as it shows now.
    """
    shown = f"{row.author_username}\n{row.author_display_name}\n{row.author_affiliation}"
    author = hashlib.blake2b(shown.encode(), digest_size=6).hexdigest()
    return f"comment:{row.pk}:{row.version}:{author}:{variant}"


def thread_key(root_id: int, comment_keys: list[str]) -> str:
    """An answer and its replies, as their comments show (their keys, in order)."""
    digest = hashlib.blake2b("\n".join(comment_keys).encode(), digest_size=12).hexdigest()
    return f"thread:{root_id}:{digest}"


def reader_page_key(discussion, reader, *, sort: str, csrf_secret: str, chrome: tuple = ()) -> str:
    """
    A member's discussion page, as everything it shows stands now: the discussion (its
    version), what is theirs on it (``selectors.Reader``, with their last visit, which
    with the version decides what is new to them), ``chrome``, what the header shows of
    them (their name, the bell's count: ``core.pages``), and the CSRF secret its forms
    carry.
    """
    suspension = reader.suspension
    parts = [
        reader.user_id,
        reader.verified,
        reader.can_participate,
        reader.can_moderate,
        reader.can_lock,
        reader.can_host,
        suspension and (suspension.pk, suspension.until),
        sorted(reader.helpful_ids),
        sorted(reader.follows),
        sorted(reader.pending_ids),
        reader.last_visit,
        csrf_secret,
        chrome,
    ]
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return (
        f"discussion-member:{discussion.pk}:{discussion.version}:{sort}:"
        f"{rendering_context()}:{digest}"
    )
