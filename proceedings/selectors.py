"""
Reads for a discussion's proceedings: everything one document shows, as typed objects, in
the same number of queries whatever the number of comments (five, or two for the syntheses
alone).

The comments are the ones anyone may read (``Comment.objects.public_in``: published, not
deleted, not in a draft), read as ``CommentRow``s (``Comment.objects.rows()``, which already
blanks the handle and affiliation of a comment under a pseudonym), with their Markdown
source and what the JSON-LD needs of their author in one more query of plain values. They
are laid out by ``discussions.threads.flatten``. A reply whose parent is left out (hidden,
deleted, awaiting review, or without the licence a deposit needs) is not lost with it: it
hangs from its nearest ancestor that is in the document, or stands as an answer, and says
that it answers a comment not included.
"""

import dataclasses
from collections import defaultdict
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse

from articles.models import Article, Author
from discussions.models import Comment, CommentRow, Discussion, Question
from discussions.threads import ThreadEntry, flatten

# The licence a comment's author agrees to at posting (``Comment.licence``): only comments
# under it go into deposited proceedings.
CC_BY = "CC-BY-4.0"
CC_BY_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    """
    Someone named in the proceedings, as readers may know them. Under a pseudonym: the
    pseudonym alone (no affiliation, no profile, no ORCID iD).
    """

    name: str
    pseudonymous: bool = False
    affiliation: str = ""
    profile_url: str = ""  # absolute; "" under a pseudonym or for a closed account
    orcid: str = ""  # only an iD verified through ORCID's sign-in


@dataclasses.dataclass(slots=True)
class Item:
    """One comment of a question's thread, in thread order, with its place in the nesting."""

    entry: ThreadEntry
    author: Person
    body: str  # the Markdown source
    permalink: str
    licensed: bool  # under CC BY 4.0
    # Its parent is not in the document (removed, or left out for its licence): it hangs
    # from its nearest ancestor that is, or stands as an answer.
    parent_left_out: bool = False

    @property
    def comment(self) -> CommentRow:
        return self.entry.comment


@dataclasses.dataclass(slots=True)
class Part:
    """One question: its text and synthesis in the discussion's language, and its thread."""

    question: Question
    url: str
    items: list[Item] = dataclasses.field(default_factory=list)

    @property
    def number(self) -> int:
        return self.question.number


@dataclasses.dataclass(slots=True)
class Proceedings:
    """Everything one document of a discussion's proceedings shows."""

    discussion: Discussion
    article: Article
    authors: list[Author]
    host: Person
    url: str  # the discussion's page
    parts: list[Part]
    syntheses_only: bool = False
    licensed_only: bool = False
    question: Question | None = None  # the one question these proceedings are of, if one
    # Comments left out because they were posted before authors agreed to the licence
    # (with ``licensed_only``).
    unlicensed: int = 0

    @property
    def language(self) -> str:
        return self.discussion.language

    @property
    def comment_count(self) -> int:
        return sum(len(part.items) for part in self.parts)


class Links:
    """
    Absolute addresses (``JOURNAL_CLUB_BASE_URL``, as in emails), in the language active
    when made: each pattern is reversed once, not once per comment.
    """

    _STAND_IN = "987654321987"

    def __init__(self):
        self.base = settings.JOURNAL_CLUB_BASE_URL
        self._patterns: dict[str, str] = {}

    def __call__(self, name: str, *args) -> str:
        if len(args) != 1:
            return self.base + reverse(name, args=args)
        if name not in self._patterns:
            self._patterns[name] = self.base + reverse(name, args=[self._STAND_IN])
        # Quoted as reverse() would quote it (a handle is a member's own choice).
        value = quote(str(args[0]), safe="!$&'()*+,;=/~:@")
        return self._patterns[name].replace(self._STAND_IN, value, 1)


def proceedings(
    discussion: Discussion,
    *,
    syntheses_only: bool = False,
    question: Question | None = None,
    licensed_only: bool = False,
) -> Proceedings:
    """
    The proceedings of a discussion (or of one of its questions), as they stand: the paper,
    the commentary, the questions with their syntheses and, unless ``syntheses_only``, the
    comments anyone may read (with ``licensed_only``, those under CC BY 4.0 alone).
    """
    links = Links()
    discussion = Discussion.objects.select_related("article__journal", "host", "club").get(
        pk=discussion.pk
    )
    questions = discussion.questions.all()
    if question is not None:
        questions = questions.filter(pk=question.pk)
    parts = [
        Part(q, url=links("discussions:question", discussion.slug, q.number)) for q in questions
    ]
    host = discussion.host
    result = Proceedings(
        discussion=discussion,
        article=discussion.article,
        authors=list(discussion.article.authors.all()),
        host=Person(
            name=host.name,
            affiliation=host.affiliation,
            profile_url=links("accounts:profile", host.username) if host.is_active else "",
            orcid=host.orcid if getattr(host, "orcid_verified", False) else "",
        ),
        url=links("discussions:detail", discussion.slug),
        parts=parts,
        syntheses_only=syntheses_only,
        licensed_only=licensed_only,
        question=question,
    )
    if not syntheses_only and parts:
        result.unlicensed = _fill_threads(discussion, parts, links, licensed_only=licensed_only)
    return result


def _fill_threads(discussion: Discussion, parts: list[Part], links: Links, *, licensed_only):
    """
    Each part's comments in thread order: three queries (the rows, their sources and
    authors, and the parents of every comment, to hang replies whose parent is left out).
    Returns how many comments were left out for want of the licence.
    """
    comments = Comment.objects.public_in(Discussion.objects.filter(pk=discussion.pk)).filter(
        question__in=[part.question.pk for part in parts]
    )
    rows = list(comments.order_by("created_at", "id").rows())
    extras = {values[0]: values[1:] for values in _extras(comments)}
    unlicensed = set()
    if licensed_only:
        unlicensed = {pk for pk, extra in extras.items() if extra[1] != CC_BY}
        rows = [row for row in rows if row.pk not in unlicensed]
    kept = {row.pk for row in rows}
    parents = dict(
        Comment.objects.filter(question__in=[part.question.pk for part in parts])
        .exclude(parent=None)
        .values_list("pk", "parent_id")
    )
    by_question: dict[int, list[CommentRow]] = defaultdict(list)
    left_out_parent: set[int] = set()
    for row in rows:
        parent = row.parent_id
        while parent is not None and parent not in kept:
            parent = parents.get(parent)
        if parent != row.parent_id:
            left_out_parent.add(row.pk)
            row = row._replace(parent_id=parent)
        by_question[row.question_id].append(row)
    for part in parts:
        question_rows = by_question.get(part.question.pk, [])
        roots = [row for row in question_rows if row.parent_id is None]
        replies = [row for row in question_rows if row.parent_id is not None]
        for entry in flatten(roots, replies):
            row = entry.comment
            body, licence, orcid, active = extras[row.pk]
            part.items.append(
                Item(
                    entry=entry,
                    author=Person(
                        name=row.author_name,
                        pseudonymous=row.pseudonymous,
                        affiliation=row.author_affiliation,
                        profile_url=(
                            links("accounts:profile", row.author_username)
                            if row.author_username and active and not row.pseudonymous
                            else ""
                        ),
                        orcid=orcid if not row.pseudonymous else "",
                    ),
                    body=body,
                    permalink=links("discussions:comment", row.pk),
                    licensed=licence == CC_BY,
                    parent_left_out=row.pk in left_out_parent,
                )
            )
    return len(unlicensed)


def _extras(comments):
    """
    Per comment: its Markdown source, its licence, its author's ORCID iD if verified, and
    whether the author's account is open. Under a pseudonym the iD is never read out.
    """
    # ``User.orcid_verified`` arrives with ORCID sign-in; without it, no iD is vouched for.
    verified = (
        Q(author__orcid_verified=True)
        if hasattr(get_user_model(), "orcid_verified")
        else Q(pk__in=[])
    )
    orcid = Case(
        When(Q(pseudonym__isnull=True) & verified, then=F("author__orcid")),
        default=Value(""),
    )
    return comments.values_list("pk", "body", "licence", orcid, "author__is_active")
