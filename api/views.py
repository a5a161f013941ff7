"""
The read-only API, version 1: thin views that read the query, ask ``selectors`` and answer.

Each view names the query parameters it takes (``params.read``: anything else is a 400),
reads through the site's own rules for this reader (``selectors``), and pages forward by
cursor (``pagination``). What every answer shares (problem details, ETag and 304, caching
and CORS headers) is added by ``middleware.ApiMiddleware``; who the reader is, by
``authentication`` (a personal token, or no one).
"""

from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from discussions.models import Discussion

from . import pagination, params, selectors
from .links import api_url
from .problems import CONTENT_TYPE as PROBLEM
from .serializers import (
    ClubSerializer,
    CommentSerializer,
    DiscussionDetailSerializer,
    DiscussionSerializer,
    MemberSerializer,
    PaperSerializer,
    ProblemSerializer,
    RootSerializer,
    SessionSerializer,
    page_of,
)

READ = ["GET", "HEAD"]
BY_ID = pagination.Order(("id",))
BY_START = pagination.Order(("starts_at", "id"), frozenset({"starts_at"}))
PAGED = ("cursor", "page_size")
# Question numbers are small (PositiveSmallIntegerField).
MAX_QUESTION_NUMBER = 32767

# --- The schema's parameters and answers ----------------------------------------------------

CURSOR = OpenApiParameter(
    "cursor",
    str,
    description="Where the page starts: take it from the previous page's `next` address.",
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": pagination.MAX_PAGE_SIZE, "default": 50},
    description=f"Objects per page, 1 to {pagination.MAX_PAGE_SIZE}.",
)
UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    {"type": "string", "format": "date-time"},
    description="Only what changed at this moment or later (ISO 8601; a date means midnight UTC).",
)
SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
SUBJECT = OpenApiParameter("subject", SLUG, description="A subject's slug.")
# What ``core.identifiers.normalize_doi`` takes, written for JSON Schema (it also takes
# the doi: and https://doi.org/ forms, which the schema leaves out).
DOI_PATTERN = r"10\.[0-9]{4,9}(\.[0-9]+)*/[!-$&-~]*[!-$&-\-/-~]"
DOI = {"type": "string", "pattern": f"^{DOI_PATTERN}$"}
# Handles as Django's username validator takes them (letters, digits and @.+-_).
USERNAME = OpenApiParameter(
    "username",
    {"type": "string", "pattern": "^[A-Za-z0-9_.@+-]+$"},
    OpenApiParameter.PATH,
    description="The member's handle (their @name).",
)
# Ids are 64-bit (the schema names the path's ``pk`` "id", as drf-spectacular does).
ID = OpenApiParameter(
    "id", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, OpenApiParameter.PATH
)


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


def answers(ok, *, found: bool = False, description: str = "") -> dict:
    """The documented answers of a read: ``ok``, and the problems it may meet."""
    documented = {
        (200, "application/json"): OpenApiResponse(ok, description=description),
        (400, PROBLEM): _problem(
            "A query parameter is unknown, given twice, or has a value it cannot take; or the "
            "cursor is not one this list gave."
        ),
        (401, PROBLEM): _problem(
            "The Authorization header holds no working token (malformed, unknown or revoked)."
        ),
        (429, PROBLEM): _problem("Too many requests: wait the seconds Retry-After says."),
    }
    if found:
        documented[(404, PROBLEM)] = _problem(
            "There is no such thing, or not one you may read (the same answer, whichever)."
        )
    return documented


def _last_modified(response: Response, moments) -> Response:
    """``Last-Modified``: the newest of these moments (of the page's objects), if any."""
    latest = max((moment for moment in moments if moment is not None), default=None)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def _page(serializer_class, objects: list, next_address: str | None) -> Response:
    """A page of objects and the next page's address, last modified with its newest."""
    response = Response(
        {"next": next_address, "results": serializer_class(objects, many=True).data}
    )
    return _last_modified(response, (getattr(item, "updated_at", None) for item in objects))


# --- The index --------------------------------------------------------------------------------


@extend_schema(
    operation_id="root",
    summary="Where everything is",
    tags=["index"],
    responses=answers(RootSerializer),
)
@api_view(READ)
def root(request):
    """The addresses of every list, the schema and the documentation."""
    params.read(request, ())
    return Response(
        {
            "clubs": api_url("club-list"),
            "papers": api_url("paper-list"),
            "discussions": api_url("discussion-list"),
            "sessions": api_url("session-list"),
            "schema": api_url("schema"),
            "docs": api_url("docs"),
        }
    )


# --- Clubs ------------------------------------------------------------------------------------


@extend_schema(
    operation_id="clubs_list",
    summary="Clubs",
    description=(
        "The public clubs and, with a token, the private clubs you belong to (a ban from a "
        "club removes it), in the order they were made."
    ),
    tags=["clubs"],
    parameters=[CURSOR, PAGE_SIZE],
    responses=answers(page_of(ClubSerializer)),
)
@api_view(READ)
def club_list(request):
    """The clubs this reader may read."""
    params.read(request, PAGED)
    clubs, following = pagination.keyset_page(
        selectors.clubs_for(request.user), request, scope="clubs", order=BY_ID
    )
    return _page(ClubSerializer, clubs, following)


@extend_schema(
    operation_id="clubs_retrieve",
    summary="A club",
    tags=["clubs"],
    responses=answers(ClubSerializer, found=True),
)
@api_view(READ)
def club_detail(request, slug):
    """A club, if this reader may read it: a private one is a 404 to outsiders."""
    params.read(request, ())
    club = get_object_or_404(selectors.clubs_for(request.user), slug=slug)
    return _last_modified(Response(ClubSerializer(club).data), [club.updated_at])


# --- Papers -----------------------------------------------------------------------------------


@extend_schema(
    operation_id="papers_list",
    summary="Papers",
    description="Every paper's full record, in the order they were added.",
    tags=["papers"],
    parameters=[
        CURSOR,
        PAGE_SIZE,
        OpenApiParameter(
            "doi", DOI, description="A DOI, in any common form (doi:, https://doi.org/…)."
        ),
        SUBJECT,
        UPDATED_SINCE,
    ],
    responses=answers(page_of(PaperSerializer)),
)
@api_view(READ)
def paper_list(request):
    """Papers, with their authors, subjects and abstracts."""
    given = params.read(request, (*PAGED, "doi", "subject", "updated_since"))
    papers = selectors.papers()
    doi = params.doi(given, "doi")
    if doi is not None:
        papers = papers.filter(doi=doi)
    subject = params.slug(given, "subject")
    if subject is not None:
        papers = papers.filter(subjects__slug=subject)
    since = params.moment(given, "updated_since")
    if since is not None:
        papers = papers.filter(updated_at__gte=since)
    found, following = pagination.keyset_page(papers, request, scope="papers", order=BY_ID)
    return _page(PaperSerializer, found, following)


@extend_schema(
    operation_id="papers_retrieve",
    summary="A paper",
    tags=["papers"],
    responses=answers(PaperSerializer, found=True),
)
@api_view(READ)
def paper_detail(request, slug):
    """A paper's full record."""
    params.read(request, ())
    paper = get_object_or_404(selectors.papers(), slug=slug)
    return _last_modified(Response(PaperSerializer(paper).data), [paper.updated_at])


# --- Discussions ------------------------------------------------------------------------------

DISCUSSION_FILTERS = [
    OpenApiParameter("club", SLUG, description="A club's slug."),
    OpenApiParameter(
        "paper",
        {"type": "string", "pattern": f"^({DOI_PATTERN}|[-a-zA-Z0-9_]+)$"},
        description="The paper's DOI (any common form) or its slug.",
    ),
    SUBJECT,
    OpenApiParameter(
        "status",
        {"type": "string", "enum": ["open", "closed", "draft"]},
        description="Drafts are only ever given to their club's hosts and leads.",
    ),
    UPDATED_SINCE,
]


@extend_schema(
    operation_id="discussions_list",
    summary="Discussions",
    description=(
        "The discussions you may read, as the site shows them to you: those of public clubs "
        "and, with a token, of your private clubs, and the drafts of the clubs you host or "
        "lead. In the order they were made; each one's commentary and questions are in its "
        "own object."
    ),
    tags=["discussions"],
    parameters=[CURSOR, PAGE_SIZE, *DISCUSSION_FILTERS],
    responses=answers(page_of(DiscussionSerializer)),
)
@api_view(READ)
def discussion_list(request):
    """The discussions this reader may open."""
    given = params.read(request, (*PAGED, "club", "paper", "subject", "status", "updated_since"))
    discussions = selectors.discussions_for(request.user)
    club = params.slug(given, "club")
    if club is not None:
        discussions = discussions.filter(club__slug=club)
    paper = params.doi_or_slug(given, "paper")
    if paper is not None:
        kind, value = paper
        discussions = discussions.filter(**{f"article__{kind}": value})
    subject = params.slug(given, "subject")
    if subject is not None:
        discussions = discussions.filter(article__subjects__slug=subject)
    status = params.choice(given, "status", ["open", "closed", "draft"])
    if status is not None:
        discussions = discussions.filter(status=status)
    since = params.moment(given, "updated_since")
    if since is not None:
        discussions = discussions.filter(updated_at__gte=since)
    found, following = pagination.keyset_page(
        discussions, request, scope="discussions", order=BY_ID
    )
    return _page(DiscussionSerializer, found, following)


@extend_schema(
    operation_id="discussions_retrieve",
    summary="A discussion",
    description=(
        "The host's commentary and the numbered questions with their syntheses, as Markdown "
        "and as the site renders them, and their translations into other languages."
    ),
    tags=["discussions"],
    responses=answers(DiscussionDetailSerializer, found=True),
)
@api_view(READ)
def discussion_detail(request, slug):
    """A discussion, if this reader may open it."""
    params.read(request, ())
    discussion = get_object_or_404(
        selectors.discussion_in_full(selectors.discussions_for(request.user)), slug=slug
    )
    response = Response(DiscussionDetailSerializer(discussion).data)
    return _last_modified(
        response,
        [
            discussion.updated_at,
            *(question.synthesis_updated_at for question in discussion.questions.all()),
            *(translation.updated_at for translation in discussion.translations.all()),
        ],
    )


# --- Comments ---------------------------------------------------------------------------------


@extend_schema(
    operation_id="comments_list",
    summary="A discussion's comments, in thread order",
    description=(
        "Question by question, each answer followed by its replies, depth first, oldest "
        "first: the order of the discussion's page. A comment deleted by its author or hidden "
        "by a moderator keeps its place as a tombstone (`removed`: no author, no text); your "
        "own comments awaiting review are given to you alone. Every page costs the same "
        "whatever its place in a long discussion."
    ),
    tags=["comments"],
    parameters=[
        CURSOR,
        PAGE_SIZE,
        OpenApiParameter(
            "question",
            {"type": "integer", "minimum": 1, "maximum": MAX_QUESTION_NUMBER},
            description="Only this question's thread (its number).",
        ),
        OpenApiParameter(
            "updated_since",
            {"type": "string", "format": "date-time"},
            description=(
                "Only comments posted, edited, deleted or moderated at this moment or later, "
                "still in thread order with their parent and depth."
            ),
        ),
    ],
    responses=answers(page_of(CommentSerializer), found=True),
)
@api_view(READ)
def comment_list(request, slug):
    """A discussion's comments in thread order, a page at a time."""
    given = params.read(request, (*PAGED, "question", "updated_since"))
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).only("pk"), slug=slug
    )
    size = pagination.page_size(given)
    scope = f"comments:{discussion.pk}"
    page = selectors.thread_page(
        discussion,
        reader=request.user,
        size=size,
        cursor=pagination.decode(given.get("cursor"), scope),
        question_number=params.whole_number(given, "question", maximum=MAX_QUESTION_NUMBER),
        since=params.moment(given, "updated_since"),
    )
    # Four queries a page, whatever the page and the discussion's size: the discussion
    # above, then three (``selectors.thread_page`` says which, and why no more).
    following = None
    if page.cursor is not None:
        following = pagination.next_url(request, pagination.encode(scope, page.cursor))
    return _page(CommentSerializer, page.comments, following)


@extend_schema(
    operation_id="comments_retrieve",
    summary="A comment",
    description="One comment, with its place (question, parent, depth), as in its thread.",
    tags=["comments"],
    parameters=[ID],
    responses=answers(CommentSerializer, found=True),
)
@api_view(READ)
def comment_detail(request, pk):
    """A comment, if this reader may see it where it is."""
    params.read(request, ())
    comment = selectors.comment_in_thread(pk, reader=request.user)
    if comment is None:
        raise NotFound()
    return _last_modified(Response(CommentSerializer(comment).data), [comment.updated_at])


# --- Live sessions ----------------------------------------------------------------------------


@extend_schema(
    operation_id="sessions_list",
    summary="Live sessions",
    description=(
        "The live sessions of the discussions you may read (never of drafts), soonest first."
    ),
    tags=["sessions"],
    parameters=[
        CURSOR,
        PAGE_SIZE,
        OpenApiParameter("discussion", SLUG, description="A discussion's slug."),
        OpenApiParameter("club", SLUG, description="A club's slug."),
        OpenApiParameter(
            "upcoming",
            bool,
            description="true: only those still to come or under way; false: only past ones.",
        ),
    ],
    responses=answers(page_of(SessionSerializer)),
)
@api_view(READ)
def session_list(request):
    """Live sessions this reader may see."""
    given = params.read(request, (*PAGED, "discussion", "club", "upcoming"))
    meetings = selectors.meetings_for(request.user)
    discussion = params.slug(given, "discussion")
    if discussion is not None:
        meetings = meetings.filter(discussion__slug=discussion)
    club = params.slug(given, "club")
    if club is not None:
        meetings = meetings.filter(discussion__club__slug=club)
    upcoming = params.boolean(given, "upcoming")
    if upcoming is not None:
        still_on = meetings.model.objects.upcoming().values("pk")
        meetings = (
            meetings.filter(pk__in=still_on) if upcoming else meetings.exclude(pk__in=still_on)
        )
    found, following = pagination.keyset_page(meetings, request, scope="sessions", order=BY_START)
    return _page(SessionSerializer, found, following)


@extend_schema(
    operation_id="sessions_retrieve",
    summary="A live session",
    tags=["sessions"],
    parameters=[ID],
    responses=answers(SessionSerializer, found=True),
)
@api_view(READ)
def session_detail(request, pk):
    """A live session, if this reader may see it listed."""
    params.read(request, ())
    meeting = get_object_or_404(selectors.meetings_for(request.user), pk=pk)
    return _last_modified(Response(SessionSerializer(meeting).data), [meeting.updated_at])


# --- Members ----------------------------------------------------------------------------------


@extend_schema(
    operation_id="members_retrieve",
    summary="A member's public profile",
    description="What their profile page shows: never an email address.",
    tags=["members"],
    parameters=[USERNAME],
    responses=answers(MemberSerializer, found=True),
)
@api_view(READ)
def member_detail(request, username):
    """A member's public profile (open accounts only)."""
    params.read(request, ())
    member = get_object_or_404(selectors.members(), username=username)
    return Response(MemberSerializer(member).data)


# --- Everything else under /api/ ------------------------------------------------------------


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def not_found(request, rest=""):
    """Any other address under /api/: a 404 as problem details, whatever the method."""
    raise NotFound()


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3.1 schema: JSON, unless YAML is asked for (``Accept``)."""

    renderer_classes = [
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
    ]


class DocsView(SpectacularSwaggerSplitView):
    """
    The browsable documentation (Swagger UI, served from this site: drf-spectacular-sidecar),
    with its start-up script as a file of its own (``?script``): the site's CSP allows no
    inline script or style.
    """

    template_name = "api/swagger_ui.html"
