"""
A club's home page and the directory of clubs.

They live here, not in the clubs app, because they list discussions: the clubs app sits
below this one and knows nothing of them.
"""

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from clubs import access, tools
from clubs import services as club_services
from clubs.models import Club, Membership, Role
from core.markdown import render_markdown

from . import selectors
from .models import Comment, Discussion

CLUBS_PER_PAGE = 30
OPEN_ON_CLUB_PAGE = 20
PAST_ON_CLUB_PAGE = 5
RECENT_COMMENTS = 5
MEMBERS_ON_CLUB_PAGE = 24


def _count(queryset, field: str = "club") -> Coalesce:
    """How many rows of ``queryset`` belong to the outer query's club: a subquery."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(clubs):
    """Each club with ``open_count`` (open discussions) and ``member_count``."""
    return clubs.annotate(
        open_count=_count(Discussion.objects.open()),
        member_count=_count(Membership.objects.active()),
    )


@require_safe
def club_list(request):
    """The public clubs, and first the member's own (private ones included)."""
    mine = access.roles(request.user).clubs
    clubs = with_counts(Club.objects.public()).order_by("name")
    page = Paginator(clubs, CLUBS_PER_PAGE).get_page(request.GET.get("page"))
    own_private = [club.pk for club in mine if club.is_private]
    private = list(with_counts(Club.objects.filter(pk__in=own_private))) if own_private else []
    return render(
        request,
        "discussions/club_list.html",
        {"page": page, "mine": mine, "private_clubs": private},
    )


@require_safe
def club_detail(request, slug):
    """
    A club's home: what it is, its open discussions, its live sessions, recent activity, its
    leads and hosts, and its members (for members). A private club is a 404 to outsiders.
    """
    club = get_object_or_404(Club, slug=slug)
    if not access.can_read(request.user, club):
        raise Http404  # as if it did not exist: outsiders are not told of a private club
    user = request.user
    role = access.roles(user).role(club.pk)
    readable = Discussion.objects.visible_to(user).in_club(club)
    open_discussions = readable.open().for_listing(member=user).newest_first()
    page = Paginator(open_discussions, OPEN_ON_CLUB_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_recent_participants(page.object_list)
    can_host = tools.can_open_discussion(user, club)
    drafts = (
        list(readable.filter(status=Discussion.Status.DRAFT).select_related("article"))
        if can_host
        else []
    )
    past = list(readable.closed().select_related("article").newest_first()[:PAST_ON_CLUB_PAGE])
    recent = list(
        Comment.objects.public_in(readable)
        .select_related("author", "question__discussion__article")
        .order_by("-created_at")[:RECENT_COMMENTS]
    )
    team = list(
        Membership.objects.active()
        .filter(club=club, role__in=[Role.LEAD, Role.HOST])
        .select_related("member")
        .order_by("role", "member__display_name")
    )
    is_member = role is not None
    members = (
        list(
            Membership.objects.active()
            .filter(club=club)
            .select_related("member")
            .order_by("-joined_at")[:MEMBERS_ON_CLUB_PAGE]
        )
        if is_member
        else []
    )
    member_count = Membership.objects.active().filter(club=club).count()
    return render(
        request,
        "discussions/club_detail.html",
        {
            "club": club,
            "role": role,
            "is_member": is_member,
            "is_banned": access.is_banned(user, club),
            "joins_at_once": user.is_authenticated
            and not is_member
            and club_services.can_join_at_once(user, club),
            "can_manage": access.can_manage(user, club),
            "can_host": can_host,
            "can_edit_questions": tools.can_edit_questions(user, club),
            "page": page,
            "drafts": drafts,
            "past": past,
            "recent": recent,
            "team": team,
            "members": members,
            "member_count": member_count,
            "description_html": mark_safe(render_markdown(club.description, heading_level=3)),  # noqa: S308
        },
    )
