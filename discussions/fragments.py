"""
Comments rendered by one template partial (``discussions/_comment.html#article``), each
cached on its own.

A thread of thousands of comments costs one cache round trip (``get_many``) for the whole
page and a rendering of only the comments missing from it: after a change, the changed
ones. What differs between readers never goes into a cached article:

- the article is cached for every reader who may do the same with it (the *variant*:
  signed in, may post in this thread, moderates, discussion open), under the comment's
  version (``caching.comment_key``);
- the reader's own comments, those they marked helpful, the threads they follow and
  their comments awaiting review are rendered for them alone (a handful per page);
- "new since your last visit" is on the list item around the article, not in it;
- the CSRF token is in the page's one action form, which every button posts through.
"""

from django.core.cache import cache
from django.template.loader import get_template

from . import caching
from .models import Comment, Discussion
from .selectors import Item, QuestionView, Reader

TEMPLATE = "discussions/_comment.html#article"


def fill(questions: list[QuestionView], reader: Reader, discussion: Discussion) -> None:
    """Set the rendered article of every item of these questions (``Item.html``)."""
    template = get_template(TEMPLATE)
    shared: list[tuple[Item, str, QuestionView]] = []
    for question in questions:
        variant = reader.variant(can_post=question.can_post, is_open=discussion.is_open)
        for item in question.items:
            if _is_personal(item, reader):
                item.html = template.render(_context(item, reader, question, discussion))
            else:
                shared.append((item, _key(item, variant), question))
    found = cache.get_many([key for _item, key, _question in shared]) if caching.enabled() else {}
    rendered: dict[str, str] = {}
    for item, key, question in shared:
        html = found.get(key) or rendered.get(key)
        if html is None:
            context = _context(item, reader, question, discussion)
            html = rendered[key] = template.render(context)
        item.html = html
    if rendered and caching.enabled():
        cache.set_many(rendered, caching.FRAGMENT_TIMEOUT)


def render(item: Item, reader: Reader, question: QuestionView) -> str:
    """One comment for this reader (an htmx answer: edited, marked, just posted)."""
    discussion = question.question.discussion
    return get_template(TEMPLATE).render(_context(item, reader, question, discussion))


def _is_personal(item: Item, reader: Reader) -> bool:
    comment = item.comment
    return (
        reader.owns(comment)
        or comment.pk in reader.helpful_ids
        or reader.follows_thread(comment)
        or comment.status == Comment.Status.PENDING
    )


def _key(item: Item, variant: str) -> str:
    parent = item.entry.in_reply_to
    if parent is not None:  # "in reply to @handle" is part of the article
        variant = f"{variant}:{parent.pk}:{parent.author_username}"
    return caching.comment_key(item.comment, variant)


def _context(item: Item, reader: Reader, question: QuestionView, discussion: Discussion) -> dict:
    comment = item.comment
    own = reader.owns(comment)
    return {
        "comment": comment,
        "in_reply_to": item.entry.in_reply_to,
        "signed_in": reader.signed_in,
        "can_post": question.can_post and comment.status == Comment.Status.PUBLISHED,
        "can_moderate": reader.can_moderate,
        "is_open": discussion.is_open,
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
