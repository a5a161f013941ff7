"""
HTML for comments and threads, built in Python.

A thread page renders hundreds or thousands of comments. Measured here, Django's template
engine costs about 0.15 to 0.5 ms per comment (variable resolution, filters, ``{% url %}``),
9 to 30 times the cost of joining pre-formatted strings; so, as Django's own admin does for
its change-list rows, the per-comment markup is assembled here, with every value escaped.
Everything the same for the whole request (who reads, what they may do, translated
labels, URL patterns) is computed once in ``ThreadView``; per comment there is only string
formatting. The same functions render the full page and the fragments htmx swaps in, so a
comment looks the same however it arrived.
"""

import dataclasses
from functools import cache
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from .models import Comment
from .threads import ThreadEntry

_SAMPLE_PK = 2147483647  # stands in for a comment id when deriving URL patterns


@dataclasses.dataclass(frozen=True, slots=True)
class ThreadView:
    """What the reader may do, decided once per request rather than once per comment."""

    viewer_id: int | None = None
    can_post: bool = False  # a confirmed, unsuspended member in an open, unlocked thread
    can_moderate: bool = False
    is_open: bool = False
    helpful_ids: frozenset[int] = frozenset()  # comments this reader marked helpful
    csrf_token: str = ""
    # Threads (top-level comments) this reader follows; None: no follow buttons.
    followed_thread_ids: frozenset[int] | None = None
    page_path: str = ""  # where a follow button brings the reader back (no JavaScript)
    # Set when rendering the page shared by many members (``member_pages``): each
    # per-member place in a comment is then marked rather than filled in.
    marker: str = ""


def marker(nonce: str, kind: str, argument: object = "") -> str:
    """A place in a shared page that ``member_pages`` fills in for each member."""
    return f"<!--{nonce}:{kind}:{argument}-->"


def render_thread(entries: list[ThreadEntry], view: ThreadView, *, thread_id: str) -> SafeString:
    """A question's whole thread as nested lists, in one pass over the flattened entries."""
    strings = _strings()
    parts = [f'<ol class="thread" id="{thread_id}">']
    for entry in entries:
        if entry.opens:
            parts.append(f'<ol class="replies" id="replies-{entry.comment.parent_id}">')
        parts.append(_item(entry, view, strings))
        if not entry.has_replies:
            parts.append("</li>" + "</ol></li>" * entry.closes)
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped in _article


def render_item(entry: ThreadEntry, view: ThreadView) -> SafeString:
    """One comment's complete ``<li>``, for adding a new comment to a page in place."""
    return mark_safe(_item(entry, view, _strings()) + "</li>")  # noqa: S308


def render_comment(comment: Comment, view: ThreadView, **entry) -> SafeString:
    """One comment's ``<article>``, for swapping a changed comment in place."""
    return mark_safe(_article(ThreadEntry(comment, 0, **entry), view, _strings()))  # noqa: S308


def _item(entry: ThreadEntry, view: ThreadView, strings: dict) -> str:
    pk = entry.comment.pk
    # The toggle sits outside the article, so that swapping the article in place (after an
    # edit or a helpful mark) leaves it alone. thread.js reveals it.
    toggle = ""
    if entry.has_replies:
        toggle = (
            f'<button type="button" class="thread-toggle link-button" aria-expanded="true" '
            f'aria-controls="replies-{pk}" hidden data-show="{strings["show_replies"]}" '
            f'data-hide="{strings["hide_replies"]}">{strings["hide_replies"]}</button>'
        )
    slot = f'<div class="reply-slot" id="reply-slot-{pk}"></div>' if view.can_post else ""
    return f'<li class="thread__item" id="item-{pk}">{_article(entry, view, strings)}{toggle}{slot}'


def _article(entry: ThreadEntry, view: ThreadView, strings: dict) -> str:
    comment = entry.comment
    pk = comment.pk
    urls = _url_patterns()
    classes = "comment"
    if comment.deleted_at or comment.status == Comment.Status.HIDDEN:
        if comment.deleted_at:
            text = strings["deleted"]
        else:
            text = f"{strings['hidden']} {escape(comment.moderation_note)}"
        body = f'<p class="comment__tombstone">{text}</p>'
        meta = ""
        actions = (
            f'<footer class="comment__actions"><a href="{urls["moderate"].format(pk)}">'
            f"{strings['moderate']}</a></footer>"
            if view.can_moderate
            else ""
        )
        classes += " comment--deleted"
    else:
        own = view.viewer_id is not None and comment.author_id == view.viewer_id
        if view.marker:
            classes += marker(view.marker, "class", pk)
        if own:
            classes += " comment--own"
        if entry.is_new:
            classes += " comment--new"
        if comment.status == Comment.Status.PENDING:
            classes += " comment--pending"
        meta = _meta(entry, view, urls, strings)
        body = f'<div class="comment__body prose">{comment.body_html}</div>'
        if comment.status == Comment.Status.PENDING:
            body += f'<p class="comment__note">{strings["pending_note"]}</p>'
        actions = _actions(comment, own, view, urls, strings)
        if view.marker:
            actions = (
                f"{marker(view.marker, 'actions', pk)}{actions}{marker(view.marker, '/actions')}"
            )
    return f'<article class="{classes}" id="comment-{pk}">{meta}{body}{actions}</article>'


def _meta(entry: ThreadEntry, view: ThreadView, urls: dict, strings: dict) -> str:
    comment = entry.comment
    author = comment.author
    parts = [
        f'<header class="comment__meta"><a class="comment__author" '
        f'href="{urls["profile"].format(quote(author.username))}">{escape(author.name)}</a>'
        f'<span class="comment__handle">@{escape(author.username)}</span>'
    ]
    if comment.label:
        parts.append(
            f'<span class="label label--{comment.label}">{strings["labels"][comment.label]}</span>'
        )
    parts.append(
        f'<a class="comment__permalink" href="#comment-{comment.pk}" '
        f'title="{strings["permalink"]}">{_time(comment.created_at, strings)}</a>'
    )
    if comment.edited_at:
        parts.append(
            f'<a class="comment__edited" href="{urls["revisions"].format(comment.pk)}">'
            f"{strings['edited']} {_time(comment.edited_at, strings)}</a>"
        )
    if entry.in_reply_to is not None:
        parent = entry.in_reply_to
        parts.append(
            f'<span class="comment__in-reply">{strings["in_reply_to"]} '
            f'<a href="#comment-{parent.pk}">@{escape(parent.author.username)}</a></span>'
        )
    if view.marker:
        parts.append(marker(view.marker, "new", comment.pk))
    if entry.is_new:
        parts.append(new_badge())
    if comment.status == Comment.Status.PENDING:
        parts.append(f'<span class="badge badge--pending">{strings["pending"]}</span>')
    parts.append("</header>")
    return "".join(parts)


def new_badge() -> str:
    return f'<span class="comment__new">{_strings()["new"]}</span>'


def render_actions(comment, view: ThreadView, *, own: bool) -> str:
    """
    A comment's actions footer. ``comment`` needs only ``pk``, ``status``,
    ``helpful_count`` and ``parent_id``: a ``Comment`` or ``member_pages.CommentFacts``.
    """
    return _actions(comment, own, view, _url_patterns(), _strings())


def _actions(comment, own: bool, view: ThreadView, urls: dict, strings: dict) -> str:
    pk = comment.pk
    parts = []
    if comment.status == Comment.Status.PENDING:
        view = dataclasses.replace(view, can_post=False)  # nobody else sees it yet
    if view.can_post and not own:
        pressed = pk in view.helpful_ids
        helpful_url = urls["helpful"].format(pk)
        parts.append(
            f'<form class="helpful" method="post" action="{helpful_url}" '
            f'hx-post="{helpful_url}" hx-target="#comment-{pk}" hx-swap="outerHTML">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{view.csrf_token}">'
            f'<button type="submit" class="helpful__button" name="helpful" '
            f'value="{"0" if pressed else "1"}" aria-pressed="{"true" if pressed else "false"}">'
            f"{strings['helpful']}</button>"
            f"{_helpful_count(comment.helpful_count)}</form>"
        )
    elif comment.helpful_count:
        parts.append(_helpful_count(comment.helpful_count))
    if view.can_post:
        reply_url = urls["reply"].format(pk)
        slot = f"#reply-slot-{pk}"
        parts.append(
            f'<a href="{reply_url}" hx-get="{reply_url}" hx-target="{slot}">{strings["reply"]}</a>'
            f'<a class="quote-link" href="{reply_url}?quote=1" hx-get="{reply_url}?quote=1" '
            f'hx-target="{slot}" data-comment="{pk}">{strings["quote"]}</a>'
        )
    if own:
        target = f'hx-target="#comment-{pk}" hx-swap="outerHTML"'
        if view.is_open:
            edit_url = urls["edit"].format(pk)
            parts.append(f'<a href="{edit_url}" hx-get="{edit_url}" {target}>{strings["edit"]}</a>')
        delete_url = urls["delete"].format(pk)
        parts.append(
            f'<a href="{delete_url}" hx-get="{delete_url}" {target}>{strings["delete"]}</a>'
        )
    if view.followed_thread_ids is not None and comment.parent_id is None:
        parts.append(_follow_form(pk, pk in view.followed_thread_ids, view, urls, strings))
    if view.can_post and not own:
        parts.append(f'<a href="{urls["flag"].format(pk)}">{strings["flag"]}</a>')
    if view.can_moderate:
        parts.append(f'<a href="{urls["moderate"].format(pk)}">{strings["moderate"]}</a>')
    if not parts:
        return ""
    return f'<footer class="comment__actions">{"".join(parts)}</footer>'


def _follow_form(pk: int, following: bool, view: ThreadView, urls: dict, strings: dict) -> str:
    """Follow or unfollow a thread; the same form notifications/_follow_button.html makes."""
    url = urls["follow_thread"].format(pk)
    on = " follow__button--on" if following else ""
    label = strings["unfollow_thread"] if following else strings["follow_thread"]
    return (
        f'<form class="follow" method="post" action="{url}" hx-post="{url}" '
        f'hx-swap="outerHTML">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{view.csrf_token}">'
        f'<input type="hidden" name="follow" value="{"0" if following else "1"}">'
        f'<input type="hidden" name="next" value="{escape(view.page_path)}#comment-{pk}">'
        f'<button type="submit" class="button button--small button--secondary '
        f'follow__button{on}">{label}</button></form>'
    )


def _helpful_count(count: int) -> str:
    if not count:
        return ""
    text = ngettext("%(count)d found this helpful", "%(count)d found this helpful", count)
    return f'<span class="helpful__count">{escape(text % {"count": count})}</span>'


def _time(moment, strings: dict) -> str:
    local = timezone.localtime(moment)
    label = f"{local.day} {strings['months'][local.month]} {local.year}, {local:%H:%M}"
    return f'<time datetime="{moment.isoformat()}">{label}</time>'


def _strings() -> dict:
    """Translated labels for the active language, escaped once."""
    return _strings_for(get_language())


@cache
def _strings_for(language: str) -> dict:
    def text(value) -> str:
        return escape(str(value))

    return {
        "deleted": text(gettext("This comment was deleted by its author.")),
        "hidden": text(gettext("Hidden by a moderator:")),
        "pending": text(gettext("Awaiting review")),
        "pending_note": text(
            gettext(
                "Only you see this comment for now: a moderator reads a new member's first "
                "comment before it is published."
            )
        ),
        "flag": text(gettext("Flag")),
        "moderate": text(gettext("Moderate")),
        "permalink": text(gettext("Permanent link to this comment")),
        "edited": text(gettext("edited")),
        "in_reply_to": text(gettext("in reply to")),
        "new": text(gettext("New")),
        "helpful": text(gettext("Helpful")),
        "reply": text(gettext("Reply")),
        "quote": text(gettext("Quote")),
        "edit": text(gettext("Edit")),
        "delete": text(gettext("Delete")),
        "show_replies": text(gettext("Show replies")),
        "follow_thread": text(gettext("Follow this thread")),
        "unfollow_thread": text(gettext("Unfollow this thread")),
        "hide_replies": text(gettext("Hide replies")),
        "labels": {value: text(label) for value, label in Comment.Label.choices},
        "months": {number: text(str(name).title()) for number, name in MONTHS_3.items()},
    }


@cache
def _url_patterns() -> dict[str, str]:
    """URL templates with a ``{}`` for the id, reversed once instead of once per comment."""

    def pattern(name: str) -> str:
        return reverse(name, kwargs={"pk": _SAMPLE_PK}).replace(str(_SAMPLE_PK), "{}")

    return {
        "profile": reverse("accounts:profile", kwargs={"username": "USERNAME"}).replace(
            "USERNAME", "{}"
        ),
        "reply": pattern("discussions:comment-reply"),
        "edit": pattern("discussions:comment-edit"),
        "delete": pattern("discussions:comment-delete"),
        "helpful": pattern("discussions:comment-helpful"),
        "revisions": pattern("discussions:comment-revisions"),
        "flag": pattern("moderation:flag"),
        "follow_thread": reverse(
            "notifications:follow", kwargs={"kind": "thread", "pk": _SAMPLE_PK}
        ).replace(str(_SAMPLE_PK), "{}"),
        "moderate": pattern("moderation:comment"),
    }
