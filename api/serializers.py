"""
The shapes of the API's objects (and so of its OpenAPI schema).

Every object has a stable ``id``, its page on the site (``url``) and, where it has one of
its own, its address in the API (``api_url``). Markdown is given as written and as the site
renders it (``core.markdown.render_markdown``, sanitised); members appear as the site shows
them, by handle and display name, never by email address.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.markdown import render_markdown

from .links import absolute, api_url, site_url


def markdown(source: str, *, heading_level: int = 3) -> str:
    return render_markdown(source, heading_level=heading_level) if source else ""


# --- References: another object, in a few words ----------------------------------------------


class MemberRefSerializer(serializers.Serializer):
    """A member as a byline shows them; `url` and `api_url` are null for a closed account."""

    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_display_name(self, member) -> str:
        return member.name

    @extend_schema_field({"type": ["string", "null"], "format": "uri"})
    def get_url(self, member):
        return site_url("accounts:profile", member.username) if member.is_active else None

    @extend_schema_field({"type": ["string", "null"], "format": "uri"})
    def get_api_url(self, member):
        return api_url("member-detail", member.username) if member.is_active else None


class SlugRefSerializer(serializers.Serializer):
    """An object known by its slug: its id, its page (``page``) and its API address (``api``)."""

    page: str
    api: str

    id = serializers.IntegerField(source="pk")
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return site_url(self.page, obj.slug)

    def get_api_url(self, obj) -> str:
        return api_url(self.api, obj.slug)


class ClubRefSerializer(SlugRefSerializer):
    page, api = "discussions:club", "club-detail"
    name = serializers.CharField()


class PaperRefSerializer(SlugRefSerializer):
    page, api = "articles:detail", "paper-detail"
    title = serializers.CharField()
    doi = serializers.CharField(allow_null=True)


class DiscussionRefSerializer(SlugRefSerializer):
    page, api = "discussions:detail", "discussion-detail"
    title = serializers.CharField(source="article.title")


# --- Clubs ------------------------------------------------------------------------------------


class ClubSerializer(ClubRefSerializer):
    tagline = serializers.CharField()
    description_markdown = serializers.CharField(source="description")
    description_html = serializers.SerializerMethodField()
    language = serializers.CharField()
    visibility = serializers.ChoiceField(choices=["public", "private"])
    joining = serializers.ChoiceField(choices=["open", "request", "invitation"])
    logo_url = serializers.SerializerMethodField()
    discussions_api_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_description_html(self, club) -> str:
        return markdown(club.description)

    @extend_schema_field({"type": ["string", "null"], "format": "uri"})
    def get_logo_url(self, club):
        return absolute(club.logo.url) if club.logo else None

    def get_discussions_api_url(self, club) -> str:
        return f"{api_url('discussion-list')}?club={club.slug}"


# --- Papers -----------------------------------------------------------------------------------


class JournalSerializer(serializers.Serializer):
    title = serializers.CharField()
    slug = serializers.SlugField()
    publisher = serializers.CharField()
    issn_print = serializers.CharField()
    issn_electronic = serializers.CharField()


class AuthorSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    full_name = serializers.CharField()
    orcid = serializers.CharField(help_text="The author's ORCID iD, or an empty string.")
    orcid_url = serializers.CharField()
    affiliations = serializers.ListField(child=serializers.CharField(), source="affiliation_list")


class SubjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class AbstractSectionSerializer(serializers.Serializer):
    heading = serializers.CharField(help_text="Empty for an unstructured abstract.")
    body = serializers.CharField()


class PaperSerializer(PaperRefSerializer):
    doi_url = serializers.CharField(help_text="https://doi.org/…, or an empty string.")
    journal = JournalSerializer(allow_null=True)
    year = serializers.IntegerField()
    published_on = serializers.DateField()
    published_precision = serializers.ChoiceField(
        choices=["year", "month", "day"],
        help_text="How much of published_on is known (a year's papers carry its 1 January).",
    )
    volume = serializers.CharField()
    issue = serializers.CharField()
    article_number = serializers.CharField()
    pages = serializers.CharField()
    language = serializers.CharField(help_text="The paper's language code, as its record gives it.")
    is_open_access = serializers.BooleanField()
    licence = serializers.CharField()
    licence_url = serializers.CharField()
    full_text_url = serializers.CharField(source="url")
    open_access_url = serializers.SerializerMethodField(
        help_text="A free, legal copy of the paper (Unpaywall's best one, else the publisher's "
        "open access copy), or null when none is known."
    )
    open_access_host = serializers.SerializerMethodField(
        help_text="Who hosts the free copy, or null when unknown or there is none."
    )
    open_access_version = serializers.SerializerMethodField(
        help_text="Which version the free copy is, or null when unknown or there is none."
    )
    open_access_licence = serializers.SerializerMethodField(
        help_text='The free copy\'s licence as its source gives it ("cc-by" from Unpaywall, '
        '"CC BY 4.0" from the publisher\'s record), or an empty string.'
    )
    open_access_checked_at = serializers.DateTimeField(
        allow_null=True, help_text="When Unpaywall was last asked; null if never."
    )
    authors = AuthorSerializer(many=True)
    subjects = SubjectSerializer(many=True)
    abstract = AbstractSectionSerializer(many=True, source="abstract_sections")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": ["string", "null"], "format": "uri"})
    def get_open_access_url(self, article):
        copy = article.open_copy
        return copy.url if copy else None

    @extend_schema_field({"type": ["string", "null"], "enum": ["publisher", "repository", None]})
    def get_open_access_host(self, article):
        copy = article.open_copy
        return (copy.host or None) if copy else None

    @extend_schema_field(
        {
            "type": ["string", "null"],
            "enum": ["submittedVersion", "acceptedVersion", "publishedVersion", None],
        }
    )
    def get_open_access_version(self, article):
        copy = article.open_copy
        return (copy.version or None) if copy else None

    def get_open_access_licence(self, article) -> str:
        copy = article.open_copy
        return copy.licence if copy else ""


# --- Discussions ------------------------------------------------------------------------------


class DiscussionSerializer(DiscussionRefSerializer):
    """A discussion as lists give it; its own address adds the commentary and the questions."""

    club = ClubRefSerializer()
    paper = PaperRefSerializer(source="article")
    host = MemberRefSerializer()
    status = serializers.ChoiceField(choices=["draft", "open", "closed"])
    language = serializers.CharField(
        help_text="The language of the commentary, questions and syntheses."
    )
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    is_locked = serializers.SerializerMethodField()
    lock_note = serializers.CharField(help_text="Why a moderator locked it; empty if not locked.")
    comments_api_url = serializers.SerializerMethodField()
    sessions_api_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_is_locked(self, discussion) -> bool:
        return bool(discussion.lock_note)

    def get_comments_api_url(self, discussion) -> str:
        return api_url("comment-list", discussion.slug)

    def get_sessions_api_url(self, discussion) -> str:
        return f"{api_url('session-list')}?discussion={discussion.slug}"


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    text = serializers.CharField()
    synthesis_markdown = serializers.CharField(source="synthesis")
    synthesis_html = serializers.SerializerMethodField()
    is_answered = serializers.BooleanField()
    is_locked = serializers.SerializerMethodField()
    synthesis_updated_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()
    comments_api_url = serializers.SerializerMethodField()

    def get_synthesis_html(self, question) -> str:
        return markdown(question.synthesis, heading_level=5)  # as the discussion page does

    def get_is_locked(self, question) -> bool:
        return bool(question.lock_note)

    def get_url(self, question) -> str:
        return f"{site_url('discussions:detail', self.context['slug'])}#{question.anchor}"

    def get_comments_api_url(self, question) -> str:
        return f"{api_url('comment-list', self.context['slug'])}?question={question.number}"


class QuestionTranslationSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="question.number")
    text = serializers.CharField()
    synthesis_markdown = serializers.CharField(source="synthesis")
    synthesis_html = serializers.SerializerMethodField()

    def get_synthesis_html(self, translation) -> str:
        return markdown(translation.synthesis, heading_level=5)


class TranslationSerializer(serializers.Serializer):
    """The host's texts in another language than the discussion's."""

    language = serializers.CharField()
    commentary_markdown = serializers.CharField()
    commentary_html = serializers.CharField()
    questions = QuestionTranslationSerializer(many=True)


class DiscussionDetailSerializer(DiscussionSerializer):
    commentary_markdown = serializers.CharField(source="commentary")
    commentary_html = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    translations = serializers.SerializerMethodField()

    def get_commentary_html(self, discussion) -> str:
        return markdown(discussion.commentary)  # as the discussion page does

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, discussion):
        return QuestionSerializer(
            discussion.questions.all(), many=True, context={"slug": discussion.slug}
        ).data

    @extend_schema_field(TranslationSerializer(many=True))
    def get_translations(self, discussion):
        languages: dict[str, dict] = {}
        for translation in discussion.translations.all():
            if translation.language != discussion.language:
                languages[translation.language] = {
                    "language": translation.language,
                    "commentary_markdown": translation.commentary,
                    "commentary_html": markdown(translation.commentary),
                    "questions": [],
                }
        for question in discussion.questions.all():
            for translation in question.translations.all():
                if translation.language == discussion.language:
                    continue
                entry = languages.setdefault(
                    translation.language,
                    {
                        "language": translation.language,
                        "commentary_markdown": "",
                        "commentary_html": "",
                        "questions": [],
                    },
                )
                entry["questions"].append(QuestionTranslationSerializer(translation).data)
        return [languages[code] for code in sorted(languages)]


# --- Comments ---------------------------------------------------------------------------------


class CommentAuthorSerializer(serializers.Serializer):
    username = serializers.CharField(
        allow_null=True, help_text="The member's handle; null under a pseudonym."
    )
    display_name = serializers.CharField(help_text="Their name, or the pseudonym.")
    pseudonym = serializers.BooleanField(
        help_text="Posted under a pseudonym chosen for this discussion: nothing says whose."
    )
    url = serializers.URLField(allow_null=True)
    api_url = serializers.URLField(allow_null=True)


class CommentSerializer(serializers.Serializer):
    """
    A comment in its place in the thread. One deleted by its author or hidden by a moderator
    keeps its place as a tombstone: no author, no text, and `removed` true.
    """

    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    question_number = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField(help_text="0 for an answer to the question, 1 for a reply…")
    created_at = serializers.DateTimeField()
    edited_at = serializers.SerializerMethodField()
    removed = serializers.BooleanField()
    removed_because = serializers.SerializerMethodField()
    moderation_note = serializers.SerializerMethodField()
    awaiting_review = serializers.BooleanField(
        help_text="Your own comment, not yet published: no one else is given it."
    )
    author = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    body_markdown = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    def to_representation(self, comment) -> dict:
        # The fields above, written out: a page holds up to 200 comments, and DRF's
        # field-by-field machinery took half the time of the whole page.
        return {
            "id": comment.pk,
            "url": self.get_url(comment),
            "api_url": self.get_api_url(comment),
            "question_number": comment.question_number,
            "parent_id": comment.parent_id,
            "depth": comment.depth,
            "created_at": _iso(comment.created_at),
            "edited_at": self.get_edited_at(comment),
            "removed": comment.removed,
            "removed_because": self.get_removed_because(comment),
            "moderation_note": self.get_moderation_note(comment),
            "awaiting_review": comment.awaiting_review,
            "author": self.get_author(comment),
            "language": self.get_language(comment),
            "label": self.get_label(comment),
            "body_markdown": self.get_body_markdown(comment),
            "body_html": self.get_body_html(comment),
        }

    def get_url(self, comment) -> str:
        return site_url("discussions:comment", comment.pk)

    def get_api_url(self, comment) -> str:
        return api_url("comment-detail", comment.pk)

    @extend_schema_field({"type": ["string", "null"], "format": "date-time"})
    def get_edited_at(self, comment):
        return None if comment.removed or comment.edited_at is None else _iso(comment.edited_at)

    @extend_schema_field({"type": ["string", "null"], "enum": ["deleted", "hidden", None]})
    def get_removed_because(self, comment):
        if comment.deleted_at is not None:
            return "deleted"
        return "hidden" if comment.removed else None

    @extend_schema_field(
        {
            "type": ["string", "null"],
            "description": "Why a moderator hid it, as its tombstone on the site says.",
        }
    )
    def get_moderation_note(self, comment):
        return comment.moderation_note if comment.removed and comment.deleted_at is None else None

    @extend_schema_field(CommentAuthorSerializer(allow_null=True))
    def get_author(self, comment):
        if comment.removed:
            return None
        if comment.pseudonym is not None:
            return {
                "username": None,
                "display_name": comment.pseudonym,
                "pseudonym": True,
                "url": None,
                "api_url": None,
            }
        active = comment.author_active
        return {
            "username": comment.author_username,
            "display_name": comment.author_display_name or comment.author_username,
            "pseudonym": False,
            "url": site_url("accounts:profile", comment.author_username) if active else None,
            "api_url": api_url("member-detail", comment.author_username) if active else None,
        }

    @extend_schema_field({"type": ["string", "null"]})
    def get_language(self, comment):
        return None if comment.removed else comment.language

    @extend_schema_field(
        {
            "type": ["string", "null"],
            "description": "practice, evidence, question, disagreement, or an empty string.",
        }
    )
    def get_label(self, comment):
        return None if comment.removed else comment.label

    @extend_schema_field({"type": ["string", "null"]})
    def get_body_markdown(self, comment):
        return None if comment.removed else comment.body

    @extend_schema_field({"type": ["string", "null"]})
    def get_body_html(self, comment):
        return None if comment.removed else comment.body_html


_DATETIME = serializers.DateTimeField()


def _iso(moment) -> str:
    """A datetime as every other field gives it (ISO 8601, UTC as "Z")."""
    return _DATETIME.to_representation(moment)


# --- Live sessions ----------------------------------------------------------------------------


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(help_text="May be empty: the site then numbers the sessions.")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.SerializerMethodField()
    place = serializers.CharField()
    video_url = serializers.CharField()
    notes_markdown = serializers.CharField(source="notes")
    notes_html = serializers.SerializerMethodField()
    discussion = DiscussionRefSerializer()
    club = ClubRefSerializer(source="discussion.club")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_url(self, meeting) -> str:
        return f"{site_url('discussions:detail', meeting.discussion.slug)}#{meeting.anchor}"

    def get_api_url(self, meeting) -> str:
        return api_url("session-detail", meeting.pk)

    def get_ics_url(self, meeting) -> str:
        return site_url("events:meeting-ics", meeting.pk)

    @extend_schema_field({"type": ["integer", "null"]})
    def get_duration_seconds(self, meeting):
        return int(meeting.duration.total_seconds()) if meeting.duration else None

    def get_notes_html(self, meeting) -> str:
        return markdown(meeting.notes, heading_level=5)  # as the discussion page does


# --- Members ----------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    """A member's public profile, as their page on the site shows it: never an email address."""

    id = serializers.IntegerField(source="pk")
    username = serializers.CharField()
    display_name = serializers.CharField(source="name")
    affiliation = serializers.CharField()
    orcid = serializers.CharField(help_text="Their ORCID iD, or an empty string.")
    orcid_verified = serializers.BooleanField(
        help_text="True when the iD came through signing in with ORCID (ORCID vouched for "
        "it); false when the member typed it, or has none."
    )
    orcid_url = serializers.SerializerMethodField()
    bio_html = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_orcid_url(self, member) -> str:
        return f"https://orcid.org/{member.orcid}" if member.orcid else ""

    def get_bio_html(self, member) -> str:
        return markdown(member.bio)  # as the profile page does

    def get_url(self, member) -> str:
        return site_url("accounts:profile", member.username)

    def get_api_url(self, member) -> str:
        return api_url("member-detail", member.username)


# --- Pages and problems -----------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    """An error, as RFC 9457 problem details."""

    type = serializers.CharField(help_text="Always about:blank: the status says what happened.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The path that was asked for.")
    code = serializers.CharField(
        help_text=(
            "What went wrong, for programs: invalid_parameter, unknown_parameter, "
            "invalid_cursor, authentication_failed, not_found, method_not_allowed, "
            "throttled…"
        )
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: the messages about each parameter at fault.",
    )


def page_of(serializer_class):
    """The schema of a page of ``serializer_class``'s objects."""

    class Page(serializers.Serializer):
        next = serializers.URLField(
            allow_null=True, help_text="The next page's address; null on the last page."
        )
        results = serializer_class(many=True)

    Page.__name__ = f"{serializer_class.__name__.removesuffix('Serializer')}PageSerializer"
    return Page


class RootSerializer(serializers.Serializer):
    clubs = serializers.URLField()
    papers = serializers.URLField()
    discussions = serializers.URLField()
    sessions = serializers.URLField()
    schema = serializers.URLField()
    docs = serializers.URLField()
