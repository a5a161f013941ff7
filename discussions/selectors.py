"""
Reads for the discussion page: everything it shows, for one reader, as typed objects.

The page is two parts put together per request:

- ``PageData``: what the page shows whoever reads it (the discussion and its paper, the
  questions, each question's first page of answers with their reply trees, the counts).
  It is read in a constant number of queries whatever the size of the threads, and kept
  in the cache under the discussion's version (``caching.page_data_key``), so it is read
  once per change, not once per reader.
- ``Reader``: what is this reader's own: what they may do, their helpful marks, what they
  follow, when they last looked, their comments awaiting review. A few small indexed
  queries, every request.

``discussion_page`` and ``question_page`` combine the two into what the templates render.
Every view that renders the page or a part of it (the htmx fragments included) reads
through here, so the rules of who sees what are applied in one place: the comments come
from ``Comment.objects.in_threads_for`` (what a thread shows this reader), and the rights
from the permission checks of ``services``.
"""

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Exists, OuterRef, When
from django.utils.safestring import mark_safe

from accounts.models import holds_permission_q
from accounts.selectors import member_suspension
from articles.models import Author
from clubs import access, tools
from clubs.models import Club, Membership, Role
from core.markdown import render_markdown

from . import caching
from .models import (
    Comment,
    CommentRow,
    Discussion,
    DiscussionVisit,
    Follow,
    Question,
    QuestionTranslation,
    Reaction,
)
from .services import (
    can_host,
    can_lock,
    can_moderate,
    can_take_part,
    member_is_verified,
)
from .threads import (
    ANSWERS_PER_PAGE,
    QuestionStats,
    Sort,
    ThreadEntry,
    first_page_threads,
    question_page_thread,
    question_stats,
)

MODERATE = "moderation.moderate_comments"
LOCK = "moderation.lock_threads"


@dataclasses.dataclass(frozen=True, slots=True)
class Shown:
    """A host's text as one reader sees it: in ``language``, and ``other`` beside it."""

    language: str
    text: str
    other: "Shown | None" = None


@dataclasses.dataclass(frozen=True, slots=True)
class Versions:
    """
    A host's text (commentary, question, synthesis) in the discussion's own language
    (``original``) and in the languages it was translated into, by language code.
    """

    original: str
    texts: dict[str, str]

    def shown(self, language: str) -> Shown | None:
        """
        The text in the reader's language if there is one, else the original; with the
        other version beside it (the original, or a translation of it), if any.
        """
        code = language if self.texts.get(language) else self.original
        text = self.texts.get(code, "")
        if not text:
            return None
        others = [other for other, value in self.texts.items() if other != code and value]
        if code != self.original:
            others = [self.original] if self.original in others else others
        other = Shown(others[0], self.texts[others[0]]) if others else None
        return Shown(code, text, other)


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionData:
    """One question as the page shows it to anyone."""

    question: Question
    entries: list[ThreadEntry]
    stats: QuestionStats
    # The question's text and synthesis (rendered) in each language it has.
    text: Versions | None = None
    synthesis: Versions | None = None
    # What each author on the page is here, for their badges (``member_roles``).
    roles: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    @property
    def more_answers(self) -> bool:
        return self.stats.answers > ANSWERS_PER_PAGE


@dataclasses.dataclass(frozen=True, slots=True)
class PageData:
    """What a discussion page shows whoever reads it (cached per version and sort)."""

    discussion: Discussion
    commentary: Versions  # the host's commentary in each language it has, rendered once per change
    authors: list
    abstract_sections: list
    subjects: list
    questions: list[QuestionData]
    participants: int
    comment_total: int
    sort: Sort


@dataclasses.dataclass(frozen=True, slots=True)
class Reader:
    """Who reads the page: what they may do there, and what on it is their own."""

    user_id: int | None
    signed_in: bool
    verified: bool
    can_participate: bool  # a confirmed member, not suspended
    can_moderate: bool
    can_lock: bool
    can_host: bool
    suspension: object | None
    outside_club: bool = False  # signed in, but the club does not take their words
    banned: bool = False  # from this club
    helpful_ids: frozenset[int] = frozenset()  # comments they marked helpful
    # What they follow here: ("discussion" | "question" | "thread", id).
    follows: frozenset[tuple[str, int]] = frozenset()
    last_visit: datetime.datetime | None = None  # before this one; None: first visit
    pending_ids: frozenset[int] = frozenset()  # their comments awaiting review here

    def variant(self, *, can_post: bool, open_here: bool) -> str:
        """What changes how a comment is offered to this reader: part of its cache key."""
        flags = (self.signed_in, can_post, self.can_moderate, open_here)
        return "".join("1" if flag else "0" for flag in flags)

    def owns(self, comment: CommentRow) -> bool:
        return self.user_id is not None and comment.author_id == self.user_id

    def follows_thread(self, comment: CommentRow) -> bool:
        return comment.parent_id is None and ("thread", comment.pk) in self.follows


@dataclasses.dataclass(slots=True)
class Item:
    """One comment of a thread, for this reader: its place, and whether it is new to them."""

    entry: ThreadEntry
    is_new: bool = False
    roles: tuple[str, ...] = ()  # its author's badges here: "host", "author", "moderator"
    html: str = ""  # its rendered article (``fragments``)

    @property
    def comment(self) -> CommentRow:
        return self.entry.comment


@dataclasses.dataclass(slots=True)
class QuestionView:
    """A question for this reader: the shared data plus what they may do and see."""

    data: QuestionData
    items: list[Item]
    can_post: bool
    following: bool
    form: object = None  # the answer form under the question, when the reader may answer
    threads: list = dataclasses.field(default_factory=list)  # rendered (fragments.fill)

    @property
    def question(self) -> Question:
        return self.data.question

    @property
    def new_count(self) -> int:
        """How many of the comments shown are new to this reader since their last visit."""
        return sum(1 for item in self.items if item.is_new and not item.comment.deleted_at)


@dataclasses.dataclass(slots=True)
class DiscussionPage:
    """Everything the discussion page shows one reader."""

    data: PageData
    reader: Reader
    questions: list[QuestionView]
    first_new: CommentRow | None
    following: bool  # the discussion itself

    @property
    def discussion(self) -> Discussion:
        return self.data.discussion

    @property
    def sort(self) -> Sort:
        return self.data.sort

    @property
    def new_count(self) -> int:
        return sum(question.new_count for question in self.questions)


@dataclasses.dataclass(slots=True)
class QuestionPage:
    """One question's answers, a page at a time (``discussions:question``)."""

    discussion: Discussion
    question: QuestionView
    reader: Reader
    page: Page
    sort: Sort


# --- The reader ------------------------------------------------------------------------------


def reader_for(user, discussion: Discussion, *, comment: Comment | None = None) -> Reader:
    """
    The reader of this discussion: rights decided once, and what on the page is their own
    (marks, follows, last visit, comments awaiting review: four indexed queries), kept in
    the cache for a minute (``caching.reader_key`` says what renews it). With ``comment``,
    for that comment alone (an htmx answer): its mark and its thread's follow, read now.
    """
    if not user.is_authenticated:
        return Reader(
            user_id=None,
            signed_in=False,
            verified=False,
            can_participate=False,
            can_moderate=False,
            can_lock=False,
            can_host=False,
            suspension=None,
        )
    if comment is None and caching.enabled():
        key = caching.reader_key(
            member_id=user.pk, discussion_id=discussion.pk, version=discussion.version
        )
        reader = cache.get(key)
        if reader is None:
            reader = _read_reader(user, discussion)
            cache.set(key, reader, caching.READER_TIMEOUT)
        return reader
    return _read_reader(user, discussion, comment=comment)


def _read_reader(user, discussion: Discussion, *, comment: Comment | None = None) -> Reader:
    can_participate = can_take_part(user, discussion)
    marks = Reaction.objects.marked_by(user).in_discussion(discussion)
    follows = Follow.objects.on_discussion_page(user, discussion)
    if comment is not None:
        marks = marks.filter(comment=comment)
        follows = follows.filter(thread=comment.root_id or comment.pk)
    reader = Reader(
        user_id=user.pk,
        signed_in=True,
        verified=member_is_verified(user),
        can_participate=can_participate,
        can_moderate=can_moderate(user, discussion),
        can_lock=can_lock(user, discussion),
        can_host=can_host(user, discussion),
        suspension=None if can_participate else member_suspension(user),
        outside_club=not can_participate and not access.may_post(user, discussion.club),
        banned=access.is_banned(user, discussion.club_id),
        helpful_ids=frozenset(marks.values_list("comment_id", flat=True)),
        follows=frozenset(
            ("discussion", d) if d else ("question", q) if q else ("thread", t)
            for d, q, t in follows.values_list("discussion_id", "question_id", "thread_id")
        ),
    )
    if comment is not None:
        return reader
    return dataclasses.replace(
        reader,
        last_visit=DiscussionVisit.objects.filter(discussion=discussion, member=user)
        .values_list("last_seen_at", flat=True)
        .first(),
        pending_ids=frozenset(
            Comment.objects.awaiting_review_by(user)
            .for_discussion(discussion)
            .values_list("pk", flat=True)
        ),
    )


# --- The shared part -------------------------------------------------------------------------


def page_version(slug: str) -> tuple[int, int, bool] | None:
    """
    The id and version of the discussion with this slug, and whether anyone may read it
    (published, in a public club): all a visitor's page
    needs to be served from the cache, and kept there (``caching.page_version_key``).
    Read from the database written out, as the visit's update is: building the query
    with the ORM cost ten times what running it does.
    """
    key = caching.page_version_key(slug)
    found = cache.get(key) if caching.enabled() else None
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(_PAGE_VERSION, [Discussion.Status.DRAFT, Club.Visibility.PUBLIC, slug])
            found = cursor.fetchone()
            if found is not None:  # SQLite answers 0 or 1
                found = (found[0], found[1], bool(found[2]))
        if found is not None and caching.enabled():
            cache.set(key, tuple(found), caching.VERSION_TIMEOUT)
    return found


_DISCUSSION_TABLE = connection.ops.quote_name(Discussion._meta.db_table)
_CLUB_TABLE = connection.ops.quote_name(Club._meta.db_table)
_PAGE_VERSION = (
    f"SELECT d.id, d.version, d.status <> %s AND c.visibility = %s FROM {_DISCUSSION_TABLE} d "  # noqa: S608
    f"JOIN {_CLUB_TABLE} c ON c.id = d.club_id WHERE d.slug = %s"
)


def page_data(discussion: Discussion, *, sort: Sort, reader=None) -> PageData:
    """
    What the page shows whoever reads it, from the cache when nothing changed since it
    was read (``reader``: read for this user instead, uncached, to include their comments
    awaiting review).
    """
    key = caching.page_data_key(discussion_id=discussion.pk, version=discussion.version, sort=sort)
    # Drafts and private clubs' discussions are never kept where another reader's key
    # could find them.
    shared = (
        reader is None
        and caching.enabled()
        and discussion.status != Discussion.Status.DRAFT
        and not discussion.club.is_private
    )
    if shared:
        data = cache.get(key)
        if data is not None:
            return data
    article = discussion.article
    threads = first_page_threads(discussion, sort=sort, reader=reader or AnonymousUser())
    stats, participants = question_stats(discussion)
    authors = list(article.authors.all())
    roles = member_roles(
        discussion,
        {entry.comment.author_id for entries in threads.values() for entry in entries},
        paper_authors={author.member_id for author in authors if author.member_id},
    )
    language = discussion.language
    commentaries = {language: discussion.commentary} | {
        translation.language: translation.commentary
        for translation in discussion.translations.all()
        if translation.language != language
    }
    questions = list(discussion.questions.all())
    texts = {question.pk: {language: question.text} for question in questions}
    syntheses = {question.pk: {language: question.synthesis} for question in questions}
    for translation in QuestionTranslation.objects.filter(question__discussion=discussion):
        if translation.language != language and translation.question_id in texts:
            texts[translation.question_id][translation.language] = translation.text
            syntheses[translation.question_id][translation.language] = translation.synthesis
    commentary = Versions(language, {code: _markdown(text) for code, text in commentaries.items()})
    data = PageData(
        discussion=discussion,
        commentary=commentary,
        authors=authors,
        abstract_sections=list(article.abstract_sections.all()),
        subjects=list(article.subjects.all()),
        questions=[
            QuestionData(
                question,
                threads.get(question.pk, []),
                stats.get(question.pk, QuestionStats()),
                roles=roles,
                text=Versions(language, texts[question.pk]),
                synthesis=Versions(
                    language,
                    {
                        code: _markdown(synthesis, heading_level=5)
                        for code, synthesis in syntheses[question.pk].items()
                        if synthesis
                    },
                ),
            )
            for question in questions
        ],
        participants=participants,
        comment_total=sum(s.comments for s in stats.values()),
        sort=sort,
    )
    if shared:
        cache.set(key, data, caching.PAGE_TIMEOUT)
    return data


def _markdown(source: str, heading_level: int = 3) -> str:
    """A host's text as HTML: sanitised by ``render_markdown`` (nh3), so safe to show."""
    return mark_safe(render_markdown(source, heading_level=heading_level))  # noqa: S308


def member_roles(
    discussion: Discussion, member_ids, *, paper_authors: set[int] | None = None
) -> dict[int, tuple[str, ...]]:
    """
    What each of these members is in this discussion, for the badges beside their name:
    its host, an author of its paper (``Author.member``, set by staff; ``paper_authors``:
    those ids, when already read), a moderator. One query.
    """
    ids = set(member_ids)
    if not ids:
        return {}
    moderates = holds_permission_q(MODERATE)
    members = get_user_model().objects.filter(pk__in=ids, is_active=True)
    members = members.annotate(
        moderates=Exists(get_user_model().objects.filter(moderates, pk=OuterRef("pk")))
        | Exists(
            Membership.objects.moderating().filter(
                club_id=discussion.club_id, member=OuterRef("pk")
            )
        )
    )
    if paper_authors is None:
        members = members.annotate(
            wrote=Exists(
                Author.objects.filter(article_id=discussion.article_id, member=OuterRef("pk"))
            )
        )
        found = members.values_list("pk", "moderates", "wrote")
    else:
        found = (
            (pk, mod, pk in paper_authors) for pk, mod in members.values_list("pk", "moderates")
        )
    roles = {}
    for pk, moderator, wrote in found:
        badges = tuple(
            role
            for role, holds in (
                ("host", pk == discussion.host_id),
                ("author", wrote),
                ("moderator", moderator),
            )
            if holds
        )
        if badges:
            roles[pk] = badges
    return roles


# --- The page for one reader ----------------------------------------------------------------


def discussion_page(
    discussion: Discussion, *, user, sort: Sort, reader: Reader | None = None
) -> DiscussionPage:
    """The discussion page for this reader (``reader``: theirs, if already read)."""
    reader = reader or reader_for(user, discussion)
    data = page_data(discussion, sort=sort, reader=user if reader.pending_ids else None)
    questions = [_question_view(question, reader, discussion) for question in data.questions]
    first_new = None
    if reader.last_visit is not None:
        for question in questions:
            for item in question.items:
                if item.is_new and not item.comment.deleted_at:
                    first_new = first_new or item.comment
    return DiscussionPage(
        data=data,
        reader=reader,
        questions=questions,
        first_new=first_new,
        following=("discussion", discussion.pk) in reader.follows,
    )


def question_page(
    discussion: Discussion, question: Question, *, user, sort: Sort, page_number
) -> QuestionPage:
    """One page of a question's answers with their reply trees, for this reader."""
    reader = reader_for(user, discussion)
    stats, _participants = question_stats(discussion)
    question_stats_ = stats.get(question.pk, QuestionStats())
    page = Paginator(range(question_stats_.answers), ANSWERS_PER_PAGE).get_page(page_number)
    entries = question_page_thread(question, sort=sort, page=page.number, reader=user)
    roles = member_roles(discussion, {entry.comment.author_id for entry in entries})
    view = _question_view(
        QuestionData(question, entries, question_stats_, roles=roles), reader, discussion
    )
    return QuestionPage(discussion=discussion, question=view, reader=reader, page=page, sort=sort)


def comment_item(
    comment: Comment, *, user, depth: int = 0, parent: Comment | None = None
) -> tuple[Item, QuestionView, Reader]:
    """One comment for this reader, as an htmx answer shows it (edited, marked, just posted)."""
    question = comment.question
    reader = reader_for(user, question.discussion, comment=comment)
    row = next(Comment.objects.filter(pk=comment.pk).rows())
    parent_row = None if parent is None else next(Comment.objects.filter(pk=parent.pk).rows())
    entry = ThreadEntry(row, depth, in_reply_to=parent_row)
    roles = member_roles(question.discussion, {row.author_id})
    view = _question_view(
        QuestionData(question, [entry], QuestionStats(), roles=roles), reader, question.discussion
    )
    return view.items[0], view, reader


def can_post_on(reader: Reader, discussion: Discussion, question: Question) -> bool:
    return reader.can_participate and discussion.is_open and not question.lock_note


def _question_view(data: QuestionData, reader: Reader, discussion: Discussion) -> QuestionView:
    seen = reader.last_visit
    items = [
        Item(
            entry,
            is_new=seen is not None
            and entry.comment.created_at > seen
            and entry.comment.author_id != reader.user_id,
            # A pseudonym wears no badge: "Host" or "Moderator" would say who it is.
            roles=() if entry.comment.pseudonymous else data.roles.get(entry.comment.author_id, ()),
        )
        for entry in data.entries
    ]
    return QuestionView(
        data=data,
        items=items,
        can_post=can_post_on(reader, discussion, data.question),
        following=("question", data.question.pk) in reader.follows,
    )


# --- The home page ---------------------------------------------------------------------------

RECENT_PARTICIPANTS = 5  # avatars on a discussion's card
FOLLOWED_NEWS = 6  # followed discussions, questions and threads in the side column


@dataclasses.dataclass(frozen=True, slots=True)
class Participant:
    """A member as an avatar shows them: their name, and the id their colour comes from."""

    pk: int
    name: str


def with_recent_participants(discussions, *, limit: int = RECENT_PARTICIPANTS) -> list:
    """
    The discussions (a page of a listing), each given ``recent_participants``: the members
    whose public comments in it are the latest, most recent first. One query for them all.
    """
    discussions = list(discussions)
    if not discussions:
        return discussions
    found: dict[int, list[Participant]] = {}
    rows = (
        Comment.objects.not_deleted()
        .published()
        .filter(question__discussion__in=[discussion.pk for discussion in discussions])
        .latest_authors(per_discussion=limit)
    )
    for row in rows:
        found.setdefault(row["discussion_id"], []).append(
            Participant(pk=row["author_id"], name=row["display_name"] or row["username"])
        )
    for discussion in discussions:
        discussion.recent_participants = found.get(discussion.pk, [])
    return discussions


def followed_news(member, *, limit: int = FOLLOWED_NEWS) -> list[Follow]:
    """
    What the member follows (discussions, questions, threads), with ``new_count``, the
    comments by others since they last looked, and ``last_comment_at``: those with the
    most news first, then the most recently active. One query.
    """
    follows = (
        Follow.objects.of_member(member).readable_by(member).with_new_comments().most_news_first()
    )
    return list(follows[:limit])


# --- A club's home page ----------------------------------------------------------------------

OPEN_ON_CLUB_PAGE = 20
PAST_ON_CLUB_PAGE = 5
RECENT_ON_CLUB_PAGE = 5
MEMBERS_ON_CLUB_PAGE = 24


@dataclasses.dataclass(frozen=True, slots=True)
class ClubHome:
    """What a club's page shows this reader (who may read the club: the view checks)."""

    role: str | None  # theirs in the club
    can_host: bool
    discussions: Page  # its open discussions, as cards
    drafts: list  # for its hosts and leads
    past: list
    recent: list  # the latest public comments in its discussions
    team: list  # leads first, then hosts
    members: list  # the newest, for members only
    member_count: int


def club_home(club: Club, user, *, page_number=None) -> ClubHome:
    """A club's page for this reader, in a constant number of queries."""
    role = access.roles(user).role(club.pk)
    readable = Discussion.objects.visible_to(user).in_club(club)
    open_ones = readable.open().for_listing(member=user).newest_first()
    discussions = Paginator(open_ones, OPEN_ON_CLUB_PAGE).get_page(page_number)
    discussions.object_list = with_recent_participants(discussions.object_list)
    can_host = tools.can_open_discussion(user, club)
    active = Membership.objects.active().filter(club=club)
    return ClubHome(
        role=role,
        can_host=can_host,
        discussions=discussions,
        drafts=(
            list(readable.filter(status=Discussion.Status.DRAFT).select_related("article"))
            if can_host
            else []
        ),
        past=list(readable.closed().select_related("article").newest_first()[:PAST_ON_CLUB_PAGE]),
        recent=list(
            Comment.objects.public_in(readable)
            .select_related("author", "pseudonym", "question__discussion__article")
            .order_by("-created_at")[:RECENT_ON_CLUB_PAGE]
        ),
        team=list(
            active.filter(role__in=[Role.LEAD, Role.HOST])
            .select_related("member")
            .order_by(Case(When(role=Role.LEAD, then=0), default=1), "member__display_name")
        ),
        members=(
            list(active.select_related("member").order_by("-joined_at")[:MEMBERS_ON_CLUB_PAGE])
            if role is not None
            else []
        ),
        member_count=active.count(),
    )
