"""
A discussion as schema.org describes a forum thread, in the form Google documents for
discussion forums: a ``DiscussionForumPosting`` (the host's commentary, about the paper,
in the club) whose ``comment``s are the comments the page shows, replies nested in what
they answer (``core.structured`` explains ``base``).

Everything comes from what the page already read (``selectors.PageData``, the rows of
its threads), so the JSON-LD costs no query, and it is cached with the page. Only what
anyone reading the page may read goes in: comments published and not deleted. A
tombstone (deleted, hidden) is left out and its public replies move up to the nearest
public comment above them; a comment awaiting review (its author's own page) is left
out. Under a pseudonym, the author is that name and nothing else.

A discussion page can show thousands of comments (the first ``ANSWERS_PER_PAGE`` answers
of each question with their whole reply trees): the JSON-LD names at most
``MAX_COMMENTS`` of them, each text cut at ``TEXT_LENGTH`` characters (its ``url`` leads
to the whole), so that the page's head stays a few dozen kilobytes at most. The answers
of every question come first, then replies level by level, so the cap keeps the breadth
of the conversation rather than the whole of its first thread; deeper than the page
nests (``threads.MAX_DEPTH``), replies nest in their ancestor at that depth, as shown.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import get_language

from accounts.structured import person, person_named, pseudonym
from articles.structured import article_reference, scholarly_article
from clubs.structured import club_page, organization
from core.structured import compact, iso, plain_text

from .models import Comment, CommentRow, Discussion
from .threads import MAX_DEPTH

MAX_COMMENTS = 100
TEXT_LENGTH = 600
COMMENT_ACTION = "https://schema.org/CommentAction"


def comment_count(count: int) -> dict:
    """How many comments a thing has, as Google reads it (``interactionStatistic``)."""
    return {
        "@type": "InteractionCounter",
        "interactionType": COMMENT_ACTION,
        "userInteractionCount": count,
    }


def author_of(row: CommentRow, *, base: str) -> dict:
    """Who wrote a comment, as readers may know them: a pseudonym is a name alone."""
    if row.pseudonymous:
        return pseudonym(row.author_name)
    return person_named(
        name=row.author_name,
        username=row.author_username,
        affiliation=row.author_affiliation,
        base=base,
    )


def _is_public(row: CommentRow) -> bool:
    return row.deleted_at is None and row.status == Comment.Status.PUBLISHED


def comment_item(row: CommentRow, *, base: str) -> dict:
    """One comment: its permalink, text (cut at ``TEXT_LENGTH``), dates, author, language."""
    return compact(
        {
            "@type": "Comment",
            "url": base + reverse("discussions:comment", kwargs={"pk": row.pk}),
            "text": plain_text(row.body_html, limit=TEXT_LENGTH),
            "datePublished": iso(row.created_at),
            "dateModified": iso(row.edited_at),
            "inLanguage": row.language,
            "author": author_of(row, base=base),
            "upvoteCount": row.helpful_count or None,
        }
    )


def comment_tree(rows: Iterable[CommentRow], *, base: str, limit: int = MAX_COMMENTS) -> list:
    """
    The public comments among ``rows`` (a page's, in reading order: each reply after what
    it answers) as nested ``Comment``s, at most ``limit`` of them (see the module's note).
    """
    rows = list(rows)
    by_pk = {row.pk: row for row in rows}
    public = [row for row in rows if _is_public(row)]
    depth: dict[int, int] = {}
    nest_in: dict[int, int] = {}  # a reply -> the comment it is nested in
    for row in public:  # in reading order, so every public parent is placed first
        parent = row.parent_id
        while parent is not None and parent in by_pk and not _is_public(by_pk[parent]):
            parent = by_pk[parent].parent_id  # past a tombstone, to what it answered
        if parent is None or parent not in depth:
            depth[row.pk] = 0  # not on the page (or a tombstone at the top): a thread
            continue
        depth[row.pk] = depth[parent] + 1
        # Deeper than the page nests: in the ancestor at that depth, as the page shows it.
        nest_in[row.pk] = parent if depth[parent] < MAX_DEPTH else nest_in[parent]
    order = {row.pk: index for index, row in enumerate(public)}
    chosen = sorted(public, key=lambda row: (depth[row.pk], order[row.pk]))[:limit]
    nodes = {row.pk: comment_item(row, base=base) for row in chosen}
    tree = []
    for row in sorted(chosen, key=lambda row: order[row.pk]):
        if row.pk in nest_in:
            nodes[nest_in[row.pk]].setdefault("comment", []).append(nodes[row.pk])
        else:
            tree.append(nodes[row.pk])
    return tree


def _posting(discussion: Discussion, *, base: str) -> dict:
    """What every description of a discussion holds: its address, host, dates and club."""
    return {
        "@type": "DiscussionForumPosting",
        "headline": discussion.article.title,
        "url": base + discussion.get_absolute_url(),
        "author": person(discussion.host, base=base),
        "datePublished": iso(discussion.opens_at or discussion.created_at),
        "dateModified": iso(discussion.updated_at),
        "isPartOf": club_page(discussion.club, base=base),
    }


def discussion_posting(page, *, base: str) -> dict:
    """
    The discussion page (a ``selectors.DiscussionPage``): the host's commentary as text
    (in the reader's language where it was translated), the paper in full, the club, the
    number of comments and the comments the page shows.
    """
    data = page.data
    discussion = data.discussion
    shown = data.commentary.shown(get_language()) if data.commentary else None
    rows = (entry.comment for question in data.questions for entry in question.entries)
    return compact(
        {
            **_posting(discussion, base=base),
            "text": plain_text(shown.text) if shown else None,
            "inLanguage": shown.language if shown else discussion.language,
            "about": scholarly_article(
                discussion.article,
                base=base,
                authors=data.authors,
                subjects=data.subjects,
                abstract_sections=data.abstract_sections,
            ),
            "publisher": organization(discussion.club, base=base),
            "commentCount": data.comment_total,
            "interactionStatistic": comment_count(data.comment_total),
            "comment": comment_tree(rows, base=base),
        }
    )


def question_posting(page, *, base: str, url: str) -> dict:
    """
    A question's page of answers (a ``selectors.QuestionPage``): the question, in its
    discussion, with the comments of this page.
    """
    discussion = page.discussion
    question = page.question.question
    return compact(
        {
            **_posting(discussion, base=base),
            "headline": question.text,
            "text": question.text,
            "inLanguage": discussion.language,
            "url": url,
            "isPartOf": {
                "@type": "DiscussionForumPosting",
                "headline": discussion.article.title,
                "url": base + discussion.get_absolute_url(),
            },
            "about": article_reference(discussion.article, base=base),
            "commentCount": page.question.data.stats.comments,
            "interactionStatistic": comment_count(page.question.data.stats.comments),
            "comment": comment_tree(
                (entry.comment for entry in page.question.data.entries), base=base
            ),
        }
    )


def discussion_summary(discussion: Discussion, *, base: str) -> dict:
    """A discussion in a listing (``for_listing``): what it is about, who hosts, how busy."""
    count = getattr(discussion, "comment_count", None)
    return compact(
        {
            **_posting(discussion, base=base),
            "about": article_reference(discussion.article, base=base),
            "commentCount": count,
            "interactionStatistic": comment_count(count) if count is not None else None,
        }
    )


def single_comment(comment: Comment, *, base: str) -> dict | None:
    """
    One comment on a page of its own (its edit history): what it answers and where; None
    for one whose text not everyone may read (awaiting review: its author's page).
    """
    if not comment.is_public:
        return None
    discussion = comment.question.discussion
    author = comment.shown_author
    return compact(
        {
            "@type": "Comment",
            "url": base + comment.get_absolute_url(),
            "text": plain_text(comment.body_html),
            "datePublished": iso(comment.created_at),
            "dateModified": iso(comment.edited_at),
            "inLanguage": comment.language,
            "author": pseudonym(comment.shown_author_name)
            if author is None
            else person(author, base=base),
            "parentItem": {
                "@type": "Comment",
                "url": base + reverse("discussions:comment", kwargs={"pk": comment.parent_id}),
            }
            if comment.parent_id
            else None,
            "isPartOf": {
                "@type": "DiscussionForumPosting",
                "headline": discussion.article.title,
                "url": base + discussion.get_absolute_url(),
            },
        }
    )
