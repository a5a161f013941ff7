import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from clubs.models import Club, Membership, sees_every_club


class DiscussionQuerySet(models.QuerySet):
    def published(self):
        """
        Discussions anyone may read: open or closed, never drafts, in a public club. Every
        surface for readers at large (feeds, sitemap, search, browse, calendars, profiles)
        starts from here, so a private club's discussions reach none of them.
        """
        return self.exclude(status=Discussion.Status.DRAFT).filter(
            club__visibility=Club.Visibility.PUBLIC
        )

    def open(self):
        return self.filter(status=Discussion.Status.OPEN)

    def closed(self):
        return self.filter(status=Discussion.Status.CLOSED)

    def visible_to(self, user):
        """
        What this reader may open: the published discussions, those of the member's private
        clubs, and drafts of the clubs they host or lead. Superusers and staff who curate
        clubs (``sees_every_club``; not staff status alone) see everything, drafts included.
        The member's clubs are a subquery, not a query of their own.
        """
        if sees_every_club(user):
            return self.all()
        if not user.is_authenticated:
            return self.published()
        memberships = Membership.objects.filter(member=user, banned_at__isnull=True)
        hosting = memberships.filter(role__in=["lead", "host"])
        return self.filter(
            Q(pk__in=self.published().values("pk"))
            | Q(
                ~Q(status=Discussion.Status.DRAFT),
                club__in=memberships.values("club_id"),
            )
            | Q(club__in=hosting.values("club_id"))
        )

    def in_club(self, club):
        return self.filter(club=club)

    def newest_first(self):
        return self.order_by(models.F("opens_at").desc(nulls_last=True), "-created_at")

    def with_activity(self):
        """Annotate ``comment_count`` (comments not deleted) and ``last_activity_at``."""
        return self.annotate(
            comment_count=Count(
                "questions__comments",
                filter=Q(
                    questions__comments__deleted_at__isnull=True,
                    questions__comments__status="published",
                ),
            ),
            last_activity_at=Max(
                "questions__comments__created_at",
                filter=Q(
                    questions__comments__deleted_at__isnull=True,
                    questions__comments__status="published",
                ),
            ),
        )

    def with_new_for(self, member):
        """
        Annotate ``new_count``: comments by others since the member last looked (None
        for a discussion they have never opened, where everything is new).
        """
        last_seen = DiscussionVisit.objects.filter(
            discussion=models.OuterRef("pk"), member=member
        ).values("last_seen_at")[:1]
        return self.annotate(
            member_last_seen_at=models.Subquery(last_seen),
            new_count=Count(
                "questions__comments",
                filter=Q(
                    questions__comments__deleted_at__isnull=True,
                    questions__comments__status="published",
                    questions__comments__created_at__gt=models.F("member_last_seen_at"),
                )
                & ~Q(questions__comments__author=member),
            ),
        )

    def with_participation(self):
        """
        Annotate ``question_count`` and ``participant_count`` (members with a public
        comment): distinct, so that the join over comments (``with_activity``'s) does not
        multiply them.
        """
        return self.annotate(
            question_count=Count("questions", distinct=True),
            participant_count=Count(
                "questions__comments__author",
                distinct=True,
                filter=Q(
                    questions__comments__deleted_at__isnull=True,
                    questions__comments__status="published",
                ),
            ),
        )

    def for_listing(self, member=None):
        """Everything a list of discussions shows, in a constant number of queries."""
        listing = (
            self.with_activity()
            .with_participation()
            .select_related("article__journal", "host", "club")
            .prefetch_related("article__authors")
        )
        if member is not None and member.is_authenticated:
            listing = listing.with_new_for(member)
        return listing


class Discussion(models.Model):
    """One journal-club edition: a host's commentary and questions about one paper."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    club = models.ForeignKey(
        Club,
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name=_("club"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name=_("paper"),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("The discussion's address on this site."),
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hosted_discussions",
        verbose_name=_("host"),
    )
    commentary = models.TextField(
        _("commentary"), blank=True, help_text=_("The host's commentary, in Markdown.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language of the commentary, questions and syntheses (the club's, unless the "
            "host chose another). Translations into other languages are kept beside them."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    lock_note = models.CharField(
        _("lock note"),
        max_length=300,
        blank=True,
        help_text=_("When set, the whole discussion is locked (read-only) and this says why."),
    )
    # The DOI of the discussion's published proceedings (set when they are published).
    doi = models.CharField(_("DOI of the proceedings"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Raised with every change to what the discussion page shows (``caching.changed``).
    version = models.PositiveBigIntegerField(_("version"), default=0, editable=False)

    objects = DiscussionQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-created_at"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        permissions = [
            ("host_discussion", _("Can host discussions: commentary, syntheses, open and close")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="discussion_closes_after_opening",
                violation_error_message=_("A discussion must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.article.title

    def get_absolute_url(self):
        return reverse("discussions:detail", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        """Open for new comments: published as open and not locked by a moderator."""
        return self.status == self.Status.OPEN and not self.lock_note


class Question(models.Model):
    """A numbered question for brokers that the host poses about the paper."""

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="questions", verbose_name=_("discussion")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"))
    synthesis = models.TextField(
        _("synthesis"),
        blank=True,
        help_text=_("The host's summary of the answers so far, in Markdown; shown above them."),
    )
    synthesis_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("synthesis written by"),
    )
    synthesis_updated_at = models.DateTimeField(_("synthesis updated"), null=True, blank=True)
    is_answered = models.BooleanField(
        _("answered"), default=False, help_text=_("The host considers this question answered.")
    )
    lock_note = models.CharField(
        _("lock note"),
        max_length=300,
        blank=True,
        help_text=_("When set, this question's thread is locked (read-only) and this says why."),
    )

    class Meta:
        ordering = ["number", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        # Numbers are unique per discussion, checked by the admin's inline formset rather
        # than a unique index: renumbering questions in place (1<->2) would trip a
        # non-deferrable index halfway through the save.
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="question_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"

    def get_absolute_url(self):
        return f"{self.discussion.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"question-{self.number}"


class DiscussionTranslation(models.Model):
    """A discussion's commentary in another language than its own (``Discussion.language``)."""

    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        related_name="translations",
        verbose_name=_("discussion"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    commentary = models.TextField(_("commentary"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "language"], name="discussion_translation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.discussion} ({self.language})"


class QuestionTranslation(models.Model):
    """A question, and its synthesis, in another language than its discussion's."""

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="translations",
        verbose_name=_("question"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("question"))
    synthesis = models.TextField(_("synthesis"), blank=True)

    class Meta:
        verbose_name = _("question translation")
        verbose_name_plural = _("question translations")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "language"], name="question_translation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.question} ({self.language})"


class Pseudonym(models.Model):
    """
    The name a member posts under in one discussion, in a club that allows pseudonyms. It
    stays the same throughout the discussion; only the club's leads and moderators may learn
    whose it is, and each look is logged (``moderation``).
    """

    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        related_name="pseudonyms",
        verbose_name=_("discussion"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pseudonyms",
        verbose_name=_("member"),
    )
    name = models.CharField(_("pseudonym"), max_length=40)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "member"], name="pseudonym_one_per_member"
            ),
            models.UniqueConstraint(
                models.functions.Lower("name"),
                "discussion",
                name="pseudonym_unique_name",
                violation_error_message=_(
                    "Someone in this discussion already posts under that name."
                ),
            ),
        ]

    def __str__(self):
        return self.name


def public_comment_q(prefix: str = "") -> Q:
    """
    The condition for a comment whose text anyone may read (published and not deleted),
    through ``prefix`` (``"comment__"`` from a notification). Every surface that shows or
    tells of comments to readers at large (threads, feeds, search, notifications, emails)
    applies this one rule.
    """
    return Q(**{f"{prefix}deleted_at__isnull": True, f"{prefix}status": Comment.Status.PUBLISHED})


class CommentRow(NamedTuple):
    """A comment as a thread shows it (``Comment.objects.rows()``); names as on ``Comment``."""

    pk: int
    question_id: int
    parent_id: int | None
    root_id: int | None
    author_id: int
    # Under a pseudonym, the name is the pseudonym's and the handle and affiliation are
    # empty (``COMMENT_ROW_FIELDS``): nothing a template shows can lead to the author.
    author_username: str
    author_display_name: str
    author_affiliation: str
    pseudonym_id: int | None
    body_html: str
    label: str
    language: str
    status: str
    moderation_note: str
    helpful_count: int
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    deleted_at: datetime.datetime | None
    version: int

    @property
    def author_name(self) -> str:
        """As ``User.name``: the display name, or the handle for a member without one."""
        return self.author_display_name or self.author_username

    @property
    def is_tombstone(self) -> bool:
        """Deleted by its author or hidden by a moderator: its place shows, not its text."""
        return self.deleted_at is not None or self.status == Comment.Status.HIDDEN

    @property
    def pseudonymous(self) -> bool:
        return self.pseudonym_id is not None

    @property
    def avatar_key(self) -> int:
        """What the avatar's colour comes from: never the author's id under a pseudonym."""
        return -self.pseudonym_id if self.pseudonym_id is not None else self.author_id

    @property
    def label_display(self) -> str:
        """The label's name; a label no longer among the choices shows nothing."""
        return dict(Comment.Label.choices).get(self.label, "")


def _unless_pseudonymous(field: str):
    return models.Case(
        models.When(pseudonym__isnull=False, then=models.Value("")),
        default=models.F(field),
        output_field=models.CharField(),
    )


def speaker():
    """
    Who speaks in a comment, for counting people: the author, or their pseudonym as a
    separate person (a count must not tell that a pseudonym is someone already counted).
    """
    return models.Case(
        models.When(pseudonym__isnull=False, then=models.Value(0) - models.F("pseudonym_id")),
        default=models.F("author_id"),
        output_field=models.BigIntegerField(),
    )


COMMENT_ROW_FIELDS = {
    **{name: name for name in CommentRow._fields},
    "author_username": _unless_pseudonymous("author__username"),
    "author_display_name": Coalesce("pseudonym__name", "author__display_name"),
    "author_affiliation": _unless_pseudonymous("author__affiliation"),
}


class CommentQuerySet(models.QuerySet):
    def for_discussion(self, discussion):
        return self.filter(question__discussion=discussion)

    def in_thread_order(self):
        """Oldest first with the author joined: the order a thread is assembled in."""
        return self.select_related("author").order_by("created_at", "id")

    def not_deleted(self):
        return self.filter(deleted_at__isnull=True)

    def under_own_name(self):
        """
        Comments posted under their author's own name: the only ones any list of one
        member's comments (profile, feed, API) may hold, as a pseudonym is never tied to
        its member in public.
        """
        return self.filter(pseudonym__isnull=True)

    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def public(self):
        """Comments whose text anyone may read: published, not deleted, not in a draft."""
        return self.filter(
            public_comment_q(), question__discussion__in=Discussion.objects.published()
        )

    def public_in(self, discussions):
        """Comments whose text anyone who may read these discussions may read."""
        return self.filter(
            public_comment_q(),
            question__discussion__in=discussions.exclude(status=Discussion.Status.DRAFT),
        )

    def in_threads_for(self, user):
        """
        What a thread shows this reader: published comments, tombstones of hidden ones (so
        replies keep their place), and the reader's own comments awaiting review.
        """
        shown = Q(status__in=[Comment.Status.PUBLISHED, Comment.Status.HIDDEN])
        if user.is_authenticated:
            shown |= Q(status=Comment.Status.PENDING, author=user)
        return self.filter(shown)

    def visible_to(self, user):
        """
        The comments whose place this reader may see, wherever one is asked for by its id:
        the thread rule (``in_threads_for``) in the discussions they may read. Hidden and
        deleted ones are among them as tombstones, which show no text.
        """
        return self.filter(
            question__discussion__in=Discussion.objects.visible_to(user)
        ).in_threads_for(user)

    def readable_by(self, user):
        """
        The comments whose text this reader may read (quote, history, feeds): those of
        ``visible_to`` that are not tombstones.
        """
        return self.visible_to(user).not_deleted().exclude(status=Comment.Status.HIDDEN)

    def awaiting_review_by(self, member):
        """The member's own comments that a moderator has yet to review."""
        return self.filter(author=member, status=Comment.Status.PENDING, deleted_at__isnull=True)

    def rows(self):
        """
        The comments as ``CommentRow`` tuples (author's name and handle joined): what a
        thread shows, without building model instances for each of thousands of comments.
        """
        return map(
            CommentRow._make,
            self.values_list(*(COMMENT_ROW_FIELDS[name] for name in CommentRow._fields)),
        )

    def latest_authors(self, *, per_discussion: int):
        """
        The ``per_discussion`` authors of these comments who commented last in each
        discussion, most recent first: dicts of ``discussion_id``, ``author_id``,
        ``username``, ``display_name`` and ``last_at``, in one query (a row number over
        the comments grouped by discussion and author), whatever the number of comments.
        """
        discussion = models.F("question__discussion_id")
        return (
            # Comments under a pseudonym show no one's avatar.
            self.filter(pseudonym__isnull=True)
            .values(
                "author_id",
                discussion_id=discussion,
                username=models.F("author__username"),
                display_name=models.F("author__display_name"),
            )
            .annotate(last_at=Max("created_at"))
            .annotate(
                rank=models.Window(
                    RowNumber(),
                    partition_by=discussion,
                    order_by=[models.F("last_at").desc(), models.F("author_id").desc()],
                )
            )
            .filter(rank__lte=per_discussion)
            .order_by("discussion_id", "rank")
        )


class Comment(models.Model):
    """
    A member's answer to a question, or a reply to another comment of the same question.

    Comments are never removed from the database by ordinary use: deleting one keeps a
    tombstone (``deleted_at``) so its replies keep their place. ``parent`` and ``question``
    are PROTECT, so neither a parent comment nor a question with comments can be
    hard-deleted by accident, taking a reply tree with it.
    """

    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="comments", verbose_name=_("question")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # The top-level comment of this comment's thread (None for a top-level comment). Set once
    # at posting time, since comments never move, it lets a page fetch whole reply trees
    # for a page of top-level answers in a single query.
    root = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="descendants",
        verbose_name=_("thread"),
        editable=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("author"),
    )

    class Label(models.TextChoices):
        PRACTICE = "practice", _("Practice example")
        EVIDENCE = "evidence", _("Evidence or literature")
        QUESTION = "question", _("Question")
        DISAGREEMENT = "disagreement", _("Disagreement")

    # Set when the author posts under their pseudonym in this discussion: every surface
    # then shows the pseudonym and nothing that leads to the author.
    pseudonym = models.ForeignKey(
        Pseudonym,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("pseudonym"),
        editable=False,
    )
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("rendered text"), editable=False)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the comment is written in, marked on the page for readers."),
    )
    # The licence the author agreed to at posting (the form says so beside the button):
    # only comments under CC BY 4.0 go into published proceedings. Older comments have none.
    licence = models.CharField(_("licence"), max_length=20, blank=True, editable=False)
    label = models.CharField(
        _("label"),
        max_length=20,
        choices=Label.choices,
        blank=True,
        help_text=_("Optional: what kind of contribution this is."),
    )

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Awaiting review")
        HIDDEN = "hidden", _("Hidden by a moderator")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    # Shown in the tombstone of a hidden comment.
    moderation_note = models.CharField(_("moderation note"), max_length=300, blank=True)
    # How many members marked the comment helpful: kept in step with Reaction rows by the
    # reaction service, so that threads can be sorted by it without counting per request.
    helpful_count = models.PositiveIntegerField(_("marked helpful"), default=0, editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    # Raised with every change to how the comment shows (its text, status, helpful count),
    # by the service making it: its rendered fragment is cached under this version.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True)
                | Q(parent__isnull=False, root__isnull=False),
                name="comment_reply_has_root",
            ),
        ]
        indexes = [models.Index(fields=["question", "created_at"])]

    def __str__(self):
        return _("Comment %(id)s by %(author)s") % {"id": self.pk, "author": self.shown_author_name}

    def get_absolute_url(self):
        return reverse("discussions:comment", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_public(self) -> bool:
        """``public_comment_q`` for a comment in hand: may anyone read its text?"""
        return self.deleted_at is None and self.status == self.Status.PUBLISHED

    @property
    def shown_author(self):
        """The author as readers may know them: ``None`` under a pseudonym."""
        return None if self.pseudonym_id else self.author

    @property
    def shown_author_name(self) -> str:
        """The name readers see: the pseudonym, or the author's name."""
        pseudonym = self.pseudonym  # no query when there is none
        return pseudonym.name if pseudonym is not None else self.author.name


class CommentRevision(models.Model):
    """An earlier version of a comment's text, kept when its author edits it."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("comment")
    )
    body = models.TextField(_("text (Markdown)"))
    # When this version was written: the comment's posting time or its previous edit.
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("comment revision")
        verbose_name_plural = _("comment revisions")

    def __str__(self):
        return _("Revision of comment %(id)s") % {"id": self.comment_id}


class ReactionQuerySet(models.QuerySet):
    def marked_by(self, member):
        return self.filter(member=member, kind=Reaction.Kind.HELPFUL)

    def in_discussion(self, discussion):
        return self.filter(comment__question__discussion=discussion)


class Reaction(models.Model):
    """A member marking someone else's comment as helpful. No downvotes."""

    class Kind(models.TextChoices):
        HELPFUL = "helpful", _("Helpful")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reactions", verbose_name=_("comment")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HELPFUL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member", "kind"], name="reaction_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.comment_id} ({self.kind})"


class DiscussionVisit(models.Model):
    """When a member last looked at a discussion, to mark what is new to them."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="discussion_visits",
        verbose_name=_("member"),
    )
    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="visits", verbose_name=_("discussion")
    )
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("discussion visit")
        verbose_name_plural = _("discussion visits")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "discussion"], name="discussion_visit_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.discussion_id}"


class FollowQuerySet(models.QuerySet):
    def of_member(self, member):
        """A member's follows, with what the settings page shows about each target."""
        return (
            self.filter(member=member)
            .select_related(
                "discussion__article",
                "question__discussion__article",
                "thread__author",
                "thread__pseudonym",
                "thread__question__discussion__article",
            )
            .order_by("-created_at", "-id")
        )

    def on_discussion_page(self, member, discussion):
        """The member's follows of a discussion, its questions and its threads."""
        return self.filter(member=member).filter(
            Q(discussion=discussion)
            | Q(question__discussion=discussion)
            | Q(thread__question__discussion=discussion)
        )

    def readable_by(self, member):
        """
        Follows of what this member may read now: not of a discussion (back) in draft, nor
        of a private club they have left.
        """
        readable = Discussion.objects.visible_to(member).exclude(status=Discussion.Status.DRAFT)
        readable = readable.values("pk")
        return self.filter(
            Q(discussion__in=readable)
            | Q(question__discussion__in=readable)
            | Q(thread__question__discussion__in=readable)
        )

    def with_new_comments(self):
        """
        Annotate ``new_count``: the public comments by others in what each follow covers
        (a discussion, a question, or a thread's replies) posted since the member last
        opened its discussion, or since they followed it if they never did; and
        ``last_comment_at``, the latest of those comments whoever posted it. Two
        subqueries per row, whatever the number of comments.
        """
        covered = Comment.objects.filter(public_comment_q()).filter(
            Q(question__discussion=models.OuterRef("discussion_id"))
            | Q(question=models.OuterRef("question_id"))
            | Q(root=models.OuterRef("thread_id"))
        )
        last_seen = DiscussionVisit.objects.filter(
            member=models.OuterRef("member_id"), discussion=models.OuterRef("target_discussion")
        ).values("last_seen_at")[:1]
        new = covered.filter(created_at__gt=models.OuterRef("seen_since")).exclude(
            author=models.OuterRef("member_id")
        )
        return (
            self.alias(
                target_discussion=Coalesce(
                    "discussion_id", "question__discussion_id", "thread__question__discussion_id"
                )
            )
            .alias(seen_since=Coalesce(models.Subquery(last_seen), "created_at"))
            .annotate(
                new_count=Coalesce(
                    models.Subquery(
                        new.order_by()
                        .annotate(n=models.Func("pk", function="COUNT"))
                        .values("n")[:1]
                    ),
                    0,
                ),
                last_comment_at=models.Subquery(
                    covered.order_by("-created_at").values("created_at")[:1]
                ),
            )
        )

    def most_news_first(self):
        """After ``with_new_comments``: the most news first, then the latest comment."""
        return self.order_by(
            "-new_count", models.F("last_comment_at").desc(nulls_last=True), "-created_at", "-pk"
        )


class Follow(models.Model):
    """
    A member following a discussion, one of its questions, or one thread (a top-level
    comment and all its replies).

    Three nullable foreign keys with a check that exactly one is set, rather than a generic
    foreign key: the database keeps the references valid, and "who follows what this
    comment is in" is one indexed query.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("member"),
    )
    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("discussion"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("question"),
    )
    thread = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("thread"),
        help_text=_("The top-level comment of the thread."),
    )
    created_at = models.DateTimeField(_("followed"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        db_table = "notifications_follow"  # where it was first created
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(discussion__isnull=False, question__isnull=True, thread__isnull=True)
                | Q(discussion__isnull=True, question__isnull=False, thread__isnull=True)
                | Q(discussion__isnull=True, question__isnull=True, thread__isnull=False),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["member", "discussion"],
                condition=Q(discussion__isnull=False),
                name="follow_discussion_once",
            ),
            models.UniqueConstraint(
                fields=["member", "question"],
                condition=Q(question__isnull=False),
                name="follow_question_once",
            ),
            models.UniqueConstraint(
                fields=["member", "thread"],
                condition=Q(thread__isnull=False),
                name="follow_thread_once",
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.target}"

    @property
    def target(self):
        return self.discussion or self.question or self.thread

    @property
    def target_kind(self) -> str:
        if self.discussion_id:
            return "discussion"
        return "question" if self.question_id else "thread"
