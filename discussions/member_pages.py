"""
The discussion page for signed-in members: rendered once per change for all the members
who may do the same things on it, then completed for each member.

One member's page differs from another's in a few places only: the account menu, the
CSRF token, what is new since their last visit, their own comments (edit and delete
rather than helpful and flag), their helpful marks, and what they follow. The shared
rendering, the *shell*, leaves a marker at each of those places (``rendering.marker``)
and is cached, like the page for readers who are not signed in (``caching``), under the
discussion's version, so any change to what the page shows makes it unreachable. It is
also cached under the member's *audience*: the facts that change what the page offers
(a confirmed member, a moderator, the host, ...). Per request, one statement reads all
that is the member's own on the page (``MemberFacts``), one records their visit, and the
markers are filled in.

The result is byte for byte the page a full rendering gives that member (the tests
compare them). Members whose page differs in kind get a full rendering instead: a
suspended member, one with a comment awaiting review, or one with a message waiting.
"""

import dataclasses
import datetime
import functools
import re
import secrets
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import get_language

from . import caching, services
from .models import Comment, Discussion, Reaction
from .rendering import ThreadView, new_badge, render_actions


class CommentFacts(NamedTuple):
    """
    What completing a comment for one member needs; names as on ``Comment``. A tuple:
    a shell holds hundreds, and tuples are the fastest to unpickle from the cache.
    """

    pk: int
    author_id: int
    created_at: datetime.datetime
    parent_id: int | None
    helpful_count: int
    status: str
    tombstone: bool  # deleted or hidden: the same for everyone, with no markers
    deleted: bool
    can_post: bool  # what the shell's rendering of this comment assumed
    # Where its bits go in the shell's pieces: the class, "new" and actions slots.
    slots: tuple[int, int, int] | None = None

    @classmethod
    def of(cls, comment: Comment, *, can_post: bool) -> "CommentFacts":
        return cls(
            pk=comment.pk,
            author_id=comment.author_id,
            created_at=comment.created_at,
            parent_id=comment.parent_id,
            helpful_count=comment.helpful_count,
            status=comment.status,
            tombstone=comment.is_deleted or comment.status == Comment.Status.HIDDEN,
            deleted=comment.deleted_at is not None,
            can_post=can_post,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Shell:
    """
    A rendered page cut at its markers into pieces, encoded as the response sends them.

    Each marker becomes an empty piece, where a member's bit may go, followed by the
    text up to the next marker; ``slots`` finds the empty piece by the marker's kind and
    argument. After an ``actions`` marker the text is the comment's actions as the shell
    renders them; after ``follow`` and ``or``, a follow button's two states. Completing a
    page for a member copies the pieces, fills or replaces the few that are theirs, and
    joins them: the work in Python grows with what the member did, not with the page.
    Comments carry their own slots; the page's other slots are in ``slots``.
    """

    pieces: list[bytes]
    slots: dict[str, int]  # "account", "first-new", "follow:question-12", "or:question-12"
    follow_buttons: list[str]  # "discussion-1", "question-12": each follow button's slots
    csrf_placeholder: bytes
    comments: list[CommentFacts]  # every comment shown, in page order
    can_moderate: bool
    is_open: bool

    @classmethod
    def from_html(cls, html: str, nonce: str, *, comments: list[CommentFacts], **facts) -> "Shell":
        parts = re.compile(rf"<!--{nonce}:([a-z/-]+):([\w-]*)-->").split(html)
        pieces, slots, per_comment = [parts[0].encode()], {}, {}
        for index in range(1, len(parts), 3):
            kind, argument, text = parts[index : index + 3]
            if kind in ("class", "new", "actions"):
                per_comment.setdefault(int(argument), []).append(len(pieces))
            elif not kind.startswith("/"):
                slots[f"{kind}:{argument}" if argument else kind] = len(pieces)
            pieces += [b"", text.encode()]
        comments = [
            facts._replace(slots=tuple(per_comment[facts.pk])) if not facts.tombstone else facts
            for facts in comments
        ]
        buttons = [key.removeprefix("follow:") for key in slots if key.startswith("follow:")]
        return cls(pieces, slots, buttons, placeholder(nonce).encode(), comments, **facts)


def placeholder(nonce: str) -> str:
    """What the shell carries in place of the CSRF token."""
    return f"csrf{nonce}"


def applies(request) -> bool:
    """A plain page view by a signed-in member, with no message waiting."""
    return (
        settings.DISCUSSION_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and request.user.is_authenticated
        and not request.htmx
        and not len(messages.get_messages(request))
    )


RenderShell = Callable[..., tuple[str, list[CommentFacts]]]


def page(request, slug: str, render_shell: RenderShell) -> HttpResponse | None:
    """
    This member's page, from the shared shell (rendered now if missing), or None when
    their page must be rendered in full.

    ``render_shell(request, discussion, nonce=...)`` renders the shell: the page with the
    markers, for a member who owns, marks and follows nothing, with nothing new.
    """
    member = request.user
    facts = MemberFacts.load(member, slug)
    found = facts.discussion
    if found is None or found.status == Discussion.Status.DRAFT:
        return None  # the full look-up answers 404, or shows staff the draft
    if facts.suspended or facts.pending:
        return None  # their page says why they cannot post, or shows their pending comment
    key = caching.page_key(
        request, found.pk, found.version, "member-" + _audience(member, found, facts)
    )
    shell = cache.get(key)
    if shell is None:
        discussion = Discussion.objects.select_related("article__journal", "host").get(pk=found.pk)
        if discussion.version != found.version:
            return None  # changed meanwhile: render in full rather than cache an old page
        nonce = secrets.token_hex(8)  # markers no text on the page can imitate
        html, comments = render_shell(request, discussion, nonce=nonce)
        shell = Shell.from_html(
            html,
            nonce,
            comments=comments,
            can_moderate=facts.has_perm(member, "moderation.moderate_comments"),
            is_open=discussion.is_open,
        )
        cache.set(key, shell, caching.PAGE_TIMEOUT)
    services.discussion_visit_record(
        discussion_id=found.pk, member=member, first=facts.last_visit is None
    )
    request._unread_notifications = facts.unread  # the bell's count, already known
    content = _complete(
        shell,
        request,
        seen_before=facts.last_visit,
        helpful_ids=facts.helpful_ids,
        follows=facts.follows,
    )
    return HttpResponse(content)


@dataclasses.dataclass(frozen=True, slots=True)
class MemberFacts:
    """Everything about one member that their page needs, read in one statement."""

    discussion: "caching.Current | None"
    helpful_ids: frozenset[int]
    pending: bool  # a comment of theirs here awaits review
    follows: frozenset[tuple[str, int]]  # as notifications.services.follows_on_page
    last_visit: datetime.datetime | None
    unread: int  # unread notifications, for the bell
    suspended: bool
    permissions: frozenset[str]  # "app_label.codename", directly and through roles

    @classmethod
    def load(cls, member, slug: str) -> "MemberFacts":
        with connection.cursor() as cursor:
            cursor.execute(_facts_sql(), _facts_params(member, slug))
            rows = cursor.fetchall()
        discussion, helpful, pending, follows = None, set(), False, set()
        last_visit, unread, suspended, permissions = None, 0, False, set()
        for kind, a, b, c, moment, label in rows:
            if kind == "discussion":
                discussion = caching.Current(a, b, label, c)
            elif kind == "helpful":
                helpful.add(a)
            elif kind == "pending":
                pending = True
            elif kind == "follow":
                follows.add(("discussion", a) if a else ("question", b) if b else ("thread", c))
            elif kind == "visit":
                last_visit = _aware(moment)
            elif kind == "unread":
                unread = a
            elif kind == "suspended":
                suspended = a > 0
            elif kind == "permission":
                permissions.add(label)
        return cls(
            discussion,
            frozenset(helpful),
            pending,
            frozenset(follows),
            last_visit,
            unread,
            suspended,
            frozenset(permissions),
        )

    def has_perm(self, member, permission: str) -> bool:
        """``member.has_perm``, as Django's ModelBackend answers it, from these facts."""
        return member.is_active and (member.is_superuser or permission in self.permissions)


def _aware(moment) -> datetime.datetime | None:
    """A timestamp from a raw SQLite row is text in UTC; PostgreSQL's is a datetime."""
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


@functools.cache
def _facts_sql() -> str:
    """
    The member's facts on one discussion page as one UNION ALL of small indexed reads,
    written out: eight ORM queries cost a signed-in page more than everything else it
    does. Each branch mirrors a query the rest of the code makes through the ORM (the
    tests compare the two): ``caching.current``, the reader's reactions, their comments
    awaiting review, ``Follow.objects.on_discussion_page``, ``DiscussionVisit``,
    ``Notification.objects.unread()``, ``Suspension.objects.in_force()`` and the
    permissions of Django's ModelBackend.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from moderation.models import Suspension
    from notifications.models import Follow, Notification

    from .models import DiscussionVisit, Question

    user_model = Discussion._meta.get_field("host").related_model
    tables = {
        "discussion": Discussion,
        "question": Question,
        "comment": Comment,
        "reaction": Reaction,
        "follow": Follow,
        "visit": DiscussionVisit,
        "notification": Notification,
        "suspension": Suspension,
        "permission": Permission,
        "content_type": ContentType,
        "user_permissions": user_model.user_permissions.through,
        "user_groups": user_model.groups.through,
        "group_permissions": Group.permissions.through,
    }
    t = {name: connection.ops.quote_name(model._meta.db_table) for name, model in tables.items()}
    here = "(SELECT id FROM d)"
    return f"""
        WITH d AS (SELECT id, version, status, host_id FROM {t["discussion"]} WHERE slug = %s)
        SELECT 'discussion', id, version, host_id, CAST(NULL AS timestamp with time zone), status
        FROM d
        UNION ALL
        SELECT 'helpful', r.comment_id, NULL, NULL, NULL, NULL FROM {t["reaction"]} r
        JOIN {t["comment"]} c ON c.id = r.comment_id JOIN {t["question"]} q ON q.id = c.question_id
        WHERE r.member_id = %s AND q.discussion_id = {here}
        UNION ALL
        SELECT 'pending', c.id, NULL, NULL, NULL, NULL FROM {t["comment"]} c
        JOIN {t["question"]} q ON q.id = c.question_id
        WHERE c.author_id = %s AND c.status = %s AND c.deleted_at IS NULL
          AND q.discussion_id = {here}
        UNION ALL
        SELECT 'follow', f.discussion_id, f.question_id, f.thread_id, NULL, NULL
        FROM {t["follow"]} f
        LEFT JOIN {t["question"]} fq ON fq.id = f.question_id
        LEFT JOIN {t["comment"]} fc ON fc.id = f.thread_id
        LEFT JOIN {t["question"]} tq ON tq.id = fc.question_id
        WHERE f.member_id = %s AND {here} IN (f.discussion_id, fq.discussion_id, tq.discussion_id)
        UNION ALL
        SELECT 'visit', NULL, NULL, NULL, last_seen_at, NULL FROM {t["visit"]}
        WHERE member_id = %s AND discussion_id = {here}
        UNION ALL
        SELECT 'unread', COUNT(*), NULL, NULL, NULL, NULL FROM {t["notification"]}
        WHERE recipient_id = %s AND read_at IS NULL
        UNION ALL
        SELECT 'suspended', COUNT(*), NULL, NULL, NULL, NULL FROM {t["suspension"]}
        WHERE member_id = %s AND lifted_at IS NULL AND (until IS NULL OR until > %s)
        UNION ALL
        SELECT 'permission', NULL, NULL, NULL, NULL, ct.app_label || '.' || p.codename
        FROM {t["user_permissions"]} up JOIN {t["permission"]} p ON p.id = up.permission_id
        JOIN {t["content_type"]} ct ON ct.id = p.content_type_id
        WHERE up.user_id = %s
        UNION ALL
        SELECT 'permission', NULL, NULL, NULL, NULL, ct.app_label || '.' || p.codename
        FROM {t["user_groups"]} ug JOIN {t["group_permissions"]} gp ON gp.group_id = ug.group_id
        JOIN {t["permission"]} p ON p.id = gp.permission_id
        JOIN {t["content_type"]} ct ON ct.id = p.content_type_id
        WHERE ug.user_id = %s
    """  # noqa: S608 - identifiers from the models, values as parameters


def _facts_params(member, slug: str) -> list:
    pk = member.pk
    return [slug, pk, pk, Comment.Status.PENDING, pk, pk, pk, pk, timezone.now(), pk, pk]


def _audience(member, found: "caching.Current", facts: MemberFacts) -> str:
    """
    What changes the page a member is offered, beyond the discussion itself: the
    checks of ``services.member_is_verified``, ``moderation.services.can_moderate`` and
    ``can_lock``, ``services.can_host``, and the time zone line of the sessions.
    """
    is_host = found.host_id == member.pk
    flags = (
        facts.has_perm(member, "discussions.add_comment"),
        facts.has_perm(member, "moderation.moderate_comments"),
        facts.has_perm(member, "moderation.lock_threads"),
        facts.has_perm(member, "discussions.change_discussion")
        or (is_host and facts.has_perm(member, "discussions.host_discussion")),
        is_host,
        bool(member.time_zone),
    )
    return "".join("1" if flag else "0" for flag in flags)


def _complete(shell: Shell, request, *, seen_before, helpful_ids, follows) -> bytes:
    """The shell with this member's bits in place of its markers."""
    member = request.user
    viewer = member.pk  # request.user is a lazy object: read it once, not per comment
    token = get_token(request)
    followed_threads = frozenset(pk for kind, pk in follows if kind == "thread")
    views = {
        can_post: ThreadView(
            viewer_id=viewer,
            can_post=can_post,
            can_moderate=shell.can_moderate,
            is_open=shell.is_open,
            helpful_ids=helpful_ids,
            csrf_token=shell.csrf_placeholder.decode(),
            followed_thread_ids=followed_threads,
            page_path=request.get_full_path(),
        )
        for can_post in (False, True)
    }
    pieces, slots = shell.pieces.copy(), shell.slots
    first_new = None
    for facts in shell.comments:
        own = facts.author_id == viewer
        new = seen_before is not None and not own and facts.created_at > seen_before
        if new and first_new is None and not facts.deleted:
            first_new = facts
        if facts.tombstone:
            continue  # the same for every reader: no markers
        class_slot, new_slot, actions_slot = facts.slots
        if own:
            pieces[class_slot] = b" comment--own"
        elif new:
            pieces[class_slot] = b" comment--new"
            pieces[new_slot] = new_badge().encode()
        if (
            own
            or (facts.can_post and facts.pk in helpful_ids)
            or (facts.parent_id is None and facts.pk in followed_threads)
        ):
            actions = render_actions(facts, views[facts.can_post], own=own)
            pieces[actions_slot + 1] = actions.encode()
    for button in shell.follow_buttons:  # keep the form that matches: follow, or unfollow
        follow_kind, pk = button.rsplit("-", 1)
        following = (follow_kind, int(pk)) in follows
        pieces[slots[f"{'follow' if following else 'or'}:{button}"] + 1] = b""
    pieces[slots["account"]] = _account_menu(request, shell.csrf_placeholder)
    if first_new is not None:
        pieces[slots["first-new"]] = _first_new_link(first_new).encode()
    return b"".join(pieces).replace(shell.csrf_placeholder, token.encode())


# Account menus rendered in this process, by everything they show.
_account_menus: dict[tuple, bytes] = {}


def _account_menu(request, csrf_placeholder: bytes) -> bytes:
    member = request.user
    key = (
        get_language(),
        member.pk,
        member.username,
        member.name,
        member.is_staff,
        request._unread_notifications,
        csrf_placeholder,
    )
    menu = _account_menus.get(key)
    if menu is None:
        if len(_account_menus) >= 1000:
            _account_menus.clear()
        context = {"user": member, "request": request, "csrf_token": csrf_placeholder.decode()}
        menu = _account_menus[key] = get_template("_account_nav.html").render(context).encode()
    return menu


def _first_new_link(comment: CommentFacts) -> str:
    return get_template("discussions/_first_new.html").render({"first_new": comment})
