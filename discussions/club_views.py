"""
A club's home page and the directory of clubs.

They live here, not in the clubs app, because they list discussions: the clubs app sits
below this one and knows nothing of them.
"""

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from clubs import access, tools
from clubs import services as club_services
from clubs.models import Club, Membership
from core.markdown import render_markdown

from . import selectors
from .models import Discussion

CLUBS_PER_PAGE = 30


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
    """The public clubs, and first the member's own (their private ones are only there)."""
    mine = access.roles(request.user).clubs
    clubs = with_counts(Club.objects.public()).order_by("name")
    page = Paginator(clubs, CLUBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/club_list.html", {"page": page, "mine": mine})


@require_safe
def club_detail(request, slug):
    """
    A club's home: what it is, its open discussions, its live sessions, recent activity, its
    leads and hosts, and its members (for members). A private club is a 404 to outsiders.
    """
    club = access.club_or_404(request.user, slug)
    user = request.user
    page = selectors.club_home(club, user, page_number=request.GET.get("page"))
    return render(
        request,
        "discussions/club_detail.html",
        {
            "club": club,
            "role": page.role,
            "is_member": page.role is not None,
            "is_banned": access.is_banned(user, club),
            "joins_at_once": user.is_authenticated
            and page.role is None
            and club_services.can_join_at_once(user, club),
            "can_manage": access.can_manage(user, club),
            "can_host": page.can_host,
            "can_edit_questions": tools.can_edit_questions(user, club),
            "page": page.discussions,
            "drafts": page.drafts,
            "past": page.past,
            "recent": page.recent,
            "team": page.team,
            "members": page.members,
            "member_count": page.member_count,
            "description_html": mark_safe(render_markdown(club.description, heading_level=3)),  # noqa: S308
        },
    )
