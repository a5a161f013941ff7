"""
Publishing a discussion's proceedings with a DOI: the page that shows what is deposited on
Zenodo, the button that asks for it, and how it went (``deposits``).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from discussions.models import Discussion
from discussions.services import NotAllowed

from . import coar, deposits
from .models import Deposit


def _discussion(request, slug: str) -> Discussion:
    """The discussion, if this member may publish it; 404 where they may not read it."""
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related("club", "article", "host"),
        slug=slug,
    )
    if not deposits.can_publish(request.user, discussion):
        raise NotAllowed(
            _("Only the discussion's host, the club's leads and staff may publish its proceedings.")
        )
    return discussion


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def deposit_publish(request, slug):
    """What publishing deposits on Zenodo, the button that publishes, and how it went."""
    discussion = _discussion(request, slug)
    if request.method == "POST":
        asked = deposits.deposit_request(discussion=discussion, member=request.user)
        if asked.state == Deposit.State.PUBLISHED:
            messages.info(request, _("These proceedings are published already."))
        else:
            messages.success(
                request,
                _("Publishing has started. This page shows how it goes; you may leave it."),
            )
        return redirect("proceedings:deposit", slug=discussion.slug)
    deposit = Deposit.objects.filter(discussion=discussion).first()
    configured = deposits.is_configured()
    stalled = deposit is not None and deposits.is_stalled(deposit)
    closed = discussion.status == Discussion.Status.CLOSED
    context: dict[str, Any] = {
        "discussion": discussion,
        "club": discussion.club,
        "deposit": deposit,
        "configured": configured,
        "announce_configured": coar.is_configured(),
        "announcement_due": deposit is not None and deposits.announcement_due(deposit),
        "closed": closed,
        "stalled": stalled,
        "may_publish": configured
        and closed
        and (
            deposit is None
            or deposit.state in (Deposit.State.DRAFT, Deposit.State.FAILED)
            or stalled
        ),
    }
    # Once published, what was sent; before, what would be (read afresh each time).
    if deposit is not None and deposit.state == Deposit.State.PUBLISHED:
        context.update(preview=None, metadata=deposit.metadata)
    else:
        preview = deposits.deposit_preview(discussion=discussion)
        context.update(preview=preview, metadata=preview.metadata)
    return render(request, "proceedings/deposit_publish.html", context)


@login_required
@require_POST
def deposit_announce(request, slug):
    """Send the announcement of the DOI again, after it failed; Zenodo is not asked."""
    discussion = _discussion(request, slug)
    deposit = get_object_or_404(Deposit, discussion=discussion)
    deposit = deposits.deposit_announce_request(deposit=deposit, member=request.user)
    if deposit.announcement == Deposit.Announcement.SENT:
        messages.info(request, _("The DOI is announced already."))
    else:
        messages.success(request, _("The announcement is on its way."))
    return redirect("proceedings:deposit", slug=discussion.slug)
