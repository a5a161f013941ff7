"""
Threads rendered from template partials and cached in two sizes: each comment, and each
thread (an answer with its replies).

A page of thousands of comments costs one cache round trip (``get_many``) for its threads
and a rendering of only what is missing: after a change, the changed thread, rebuilt from
its comments' cached renderings (a second round trip) with only the changed comments
rendered again. Keys are built from what the fragment shows (``caching``): a comment's
from its version, its author's name, affiliation and badges, and what the reader may do
with it (the *variant*: signed in, may post in this thread, moderates, discussion open);
a thread's from the keys of its comments. So nothing is ever deleted, and a change
reaches every process at once.

What differs between readers never goes into a cached fragment:

- the reader's own comments, those they marked helpful, the threads they follow and
  their comments awaiting review are rendered for them, and so are the threads holding
  them, and the threads with something new since their last visit (the "new" mark is on
  the list item around the comment);
- the CSRF token is in the page's one action form, which every button posts through.
"""

import dataclasses

from django.core.cache import cache
from django.template.loader import get_template

from . import caching
from .models import Comment, Discussion
from .selectors import Item, QuestionView, Reader

COMMENT = "discussions/_comment.html#comment"
TREE = "discussions/_thread.html#tree"


@dataclasses.dataclass(slots=True)
class Thread:
    """An answer and its replies, as its items (in reading order) and their rendering."""

    items: list[Item]
    personal: bool = False  # holds something of this reader's own, or new to them
    key: str = ""  # the thread's cache key, when not personal
    html: str = ""


def fill(questions: list[QuestionView], reader: Reader, discussion: Discussion) -> None:
    """Render every question's threads for this reader (``QuestionView.threads``)."""
    threads: list[tuple[Thread, QuestionView, str]] = []
    setting = caching.rendering_context()  # the language and time zone, read once
    for question in questions:
        open_here = discussion.is_open and not question.question.lock_note
        variant = reader.variant(can_post=question.can_post, open_here=open_here)
        variant = f"{variant}:{setting}"
        question.threads = _threads(question.items)
        for thread in question.threads:
            thread.personal = any(_is_personal(item, reader) for item in thread.items)
            if not thread.personal:
                keys = [_key(item, variant) for item in thread.items]
                thread.key = caching.thread_key(thread.items[0].comment.pk, keys)
            threads.append((thread, question, variant))
    found = _get_many(thread.key for thread, _question, _variant in threads if thread.key)
    missing = [(t, q, v) for t, q, v in threads if not found.get(t.key)]
    for thread, _question, _variant in threads:
        thread.html = found.get(thread.key, "")
    if not missing:
        return
    rendered_comments = _comments(missing, reader, discussion)
    tree = get_template(TREE)
    rendered = {}
    for thread, question, _variant in missing:
        for item in thread.items:
            item.html = rendered_comments[id(item)]
        thread.html = tree.render({"items": thread.items, "question": question})
        if thread.key:
            rendered[thread.key] = thread.html
    _set_many(rendered)


def render(item: Item, reader: Reader, question: QuestionView) -> str:
    """One comment for this reader (an htmx answer: edited, marked, just posted)."""
    discussion = question.question.discussion
    return get_template(COMMENT).render(_context(item, reader, question, discussion))


def _threads(items: list[Item]) -> list[Thread]:
    """The items of a question cut into threads: each answer starts one (depth 0)."""
    threads: list[Thread] = []
    for item in items:
        if item.entry.depth == 0 or not threads:
            threads.append(Thread([]))
        threads[-1].items.append(item)
    return threads


def _comments(threads, reader: Reader, discussion: Discussion) -> dict[int, str]:
    """These threads' comments, rendered for this reader: from the cache, or now."""
    template = get_template(COMMENT)
    shared: list[tuple[Item, str, QuestionView]] = []
    html_of: dict[int, str] = {}
    for thread, question, variant in threads:
        for item in thread.items:
            if _is_personal(item, reader):
                html_of[id(item)] = template.render(_context(item, reader, question, discussion))
            else:
                shared.append((item, _key(item, variant), question))
    found = _get_many(key for _item, key, _question in shared)
    rendered: dict[str, str] = {}
    for item, key, question in shared:
        html = found.get(key) or rendered.get(key)
        if html is None:
            html = rendered[key] = template.render(_context(item, reader, question, discussion))
        html_of[id(item)] = html
    _set_many(rendered)
    return html_of


def _get_many(keys) -> dict:
    keys = list(keys)
    return cache.get_many(keys) if keys and caching.enabled() else {}


def _set_many(values: dict) -> None:
    if values and caching.enabled():
        cache.set_many(values, caching.FRAGMENT_TIMEOUT)


def _is_personal(item: Item, reader: Reader) -> bool:
    comment = item.comment
    return (
        item.is_new
        or reader.owns(comment)
        or comment.pk in reader.helpful_ids
        or reader.follows_thread(comment)
        or comment.status == Comment.Status.PENDING
    )


def _key(item: Item, variant: str) -> str:
    if item.roles:  # the author's badges
        variant = f"{variant}:{'.'.join(item.roles)}"
    parent = item.entry.in_reply_to
    if parent is not None:  # "in reply to @handle" is part of the article
        variant = f"{variant}:{parent.pk}:{parent.author_username}"
    return caching.comment_key(item.comment, variant)


def _context(item: Item, reader: Reader, question: QuestionView, discussion: Discussion) -> dict:
    comment = item.comment
    own = reader.owns(comment)
    return {
        "comment": comment,
        "roles": item.roles,
        "in_reply_to": item.entry.in_reply_to,
        "signed_in": reader.signed_in,
        "can_post": question.can_post and comment.status == Comment.Status.PUBLISHED,
        "can_moderate": reader.can_moderate,
        "is_open": discussion.is_open,
        "open_here": discussion.is_open and not question.question.lock_note,
        "own": own,
        # As services.can_edit_comment: their own, not hidden or deleted, in an open and
        # unlocked thread, by a member who may take part.
        "can_edit": own
        and not comment.is_tombstone
        and discussion.is_open
        and not question.question.lock_note
        and reader.can_participate,
        "helpful": comment.pk in reader.helpful_ids,
        "following": reader.follows_thread(comment),
    }
