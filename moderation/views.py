"""
The moderators' pages (outside the admin) and the members' flag form.

Who keeps which queue: a club's leads and moderators keep their clubs' queue, the site's
moderators every club's (``clubs.access.moderated_clubs``). Every page and action reads
only what lies in the moderator's clubs, and every action is checked again against the
club of the very comment or discussion it touches: a comment of another club answers 403,
or 404 when its club is private and the moderator cannot read it (existence does not leak).
"""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Suspension
from clubs import access
from core.ratelimits import RateLimited
from core.redirects import next_url
from discussions import services as discussion_services
from discussions.models import Comment, Discussion, Question

from . import selectors, services
from .forms import (
    BulkForm,
    CommentLanguageForm,
    FlagForm,
    LockForm,
    QueueFilterForm,
    ReasonForm,
    SuspendForm,
)
from .models import ModerationAction

QUEUE_PAGE_SIZE = 25
DONE = {
    "approve": _lazy("The comment by %(name)s is approved."),
    "approve_member": _lazy("The comment by %(name)s is approved, and %(name)s is trusted."),
    "hide": _lazy("The comment by %(name)s is hidden."),
    "restore": _lazy("The comment by %(name)s is restored."),
}
ACTIONS: dict[str, Callable[..., Comment]] = {
    "approve": services.comment_approve,
    "approve_member": services.comment_approve_and_trust,
    "hide": services.comment_hide,
    "restore": services.comment_restore,
}


def moderator_required(permission: str):
    """
    Signed in, and a moderator: with the site's ``permission``, or keeping the queue of at
    least one club; else 403 (before the method is checked, as Django's permission_required
    does). Which club's comment or thread they may touch is checked in the view.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.has_perm(permission) and access.moderated_clubs(user) == frozenset():
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _check_moderates(user, discussion: Discussion, *, allowed: Callable[..., bool]) -> None:
    """403 unless ``allowed`` in this discussion's club; 404 if its club is hidden from them."""
    if allowed(user, discussion):
        return
    if not access.can_read(user, discussion.club):
        raise Http404
    raise PermissionDenied


@moderator_required("moderation.moderate_comments")
@require_safe
def queue(request):
    """The review queue: filtered, counted, a page at a time, each item with its context."""
    clubs = access.moderated_clubs(request.user)
    form = QueueFilterForm(request.GET, clubs=clubs)
    filters = form.filters()
    now = timezone.now()
    counts = selectors.queue_counts(filters, clubs=clubs, now=now)
    form.show_counts(counts)
    page = Paginator(
        selectors.queue_items(filters, clubs=clubs, now=now), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    items = selectors.for_display(list(page.object_list))
    context = {
        "page": page,
        "items": items,
        "filter_form": form,
        "filters": filters,
        "counts": counts,
        "tab_states": counts.state_tabs(filters),
        "reason_links": counts.reason_links(filters),
        "states": selectors.QueueState,
        "bulk_form": BulkForm(comment_ids=[comment.pk for comment in items]),
        "can_suspend": services.can_suspend(request.user),
        "several_clubs": selectors.several_clubs(clubs),
    }
    return render(request, "moderation/queue.html", context)


@moderator_required("moderation.moderate_comments")
@require_POST
def bulk(request):
    """
    Approve, hide or restore the ticked comments in one go. A ticked comment outside the
    moderator's clubs (a forged id) refuses the whole lot with a 404, before any is touched.
    """
    form = BulkForm(request.POST, comment_ids=request.POST.getlist("comments"))
    if not form.is_valid():
        messages.error(request, _("Tick at least one comment and choose an action."))
        return redirect(next_url(request) or "moderation:queue")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    ticked = set(form.cleaned_data["comments"])
    comments = list(
        selectors.in_clubs(
            Comment.objects.filter(pk__in=ticked), access.moderated_clubs(request.user)
        ).select_related("question__discussion")
    )
    if len(comments) != len(ticked):
        raise Http404
    done = 0
    for comment in comments:
        try:
            _apply(action, comment, request.user, reason)
        except services.NotAllowed as error:
            messages.error(request, str(error))
            break
        done += 1
    if done:
        messages.success(
            request,
            ngettext("%(count)d comment updated.", "%(count)d comments updated.", done)
            % {"count": done},
        )
    return redirect(next_url(request) or "moderation:queue")


@moderator_required("moderation.moderate_comments")
@require_http_methods(["GET", "HEAD", "POST"])
def comment(request, pk):
    """One comment with its context, its flags and its history, and the decision."""
    target = get_object_or_404(
        Comment.objects.select_related(
            "author",
            "pseudonym",
            "question__discussion__article",
            "question__discussion__club",
            "parent__author",
            "parent__pseudonym",
        ),
        pk=pk,
    )
    _check_moderates(request.user, target.question.discussion, allowed=services.can_moderate)
    if request.method == "POST" and "language" in request.POST:
        return _comment_language(request, target)
    revealed = None
    if request.method == "POST" and "reveal" in request.POST:
        # Answered with the page itself, not a redirect: every look is one logged POST.
        revealed = services.pseudonym_reveal(comment=target, moderator=request.user)
    form = ReasonForm(request.POST if request.method == "POST" and revealed is None else None)
    if request.method == "POST" and form.is_valid():
        try:
            _apply(form.cleaned_data["action"], target, request.user, form.cleaned_data["reason"])
        except services.NotAllowed as error:
            form.add_error("reason", str(error))
        else:
            messages.success(
                request, DONE[form.cleaned_data["action"]] % {"name": target.shown_author_name}
            )
            return redirect(next_url(request) or "moderation:queue")
    context = {
        "comment": target,
        "form": form,
        "revealed": revealed,
        "replies": list(
            target.replies.select_related("author", "pseudonym").order_by("created_at")[:5]
        ),
        "flags": list(target.flags.select_related("flagger")),
        "history": list(
            ModerationAction.objects.filter(comment=target).select_related("moderator")
        ),
        "can_suspend": services.can_suspend(request.user),
        "language_form": CommentLanguageForm(initial={"language": target.language}),
    }
    return render(request, "moderation/comment.html", context)


def _comment_language(request, target: Comment):
    """A moderator corrects the language a comment is marked with (its text is untouched)."""
    form = CommentLanguageForm(request.POST)
    if form.is_valid():
        discussion_services.comment_language_set(
            comment=target, actor=request.user, language=form.cleaned_data["language"]
        )
        messages.success(request, _("The comment's language is corrected."))
    else:
        messages.error(request, _("Choose one of the languages offered."))
    return redirect("moderation:comment", pk=target.pk)


@moderator_required("moderation.view_moderationaction")
@require_safe
def log(request):
    """
    The audit log, newest first: every action for those who may view the log (site
    moderators, staff); for a club's leads and moderators, the actions on their clubs'
    comments and discussions (locks included).
    """
    actions = ModerationAction.objects.select_related("moderator", "comment", "member")
    clubs = access.moderated_clubs(request.user)
    if clubs is not None and not request.user.has_perm("moderation.view_moderationaction"):
        actions = actions.filter(
            Q(comment__question__discussion__club_id__in=clubs) | Q(discussion__club_id__in=clubs)
        )
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {"page": page})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def flag(request, pk):
    """A member tells the moderators that a comment needs a look."""
    target = get_object_or_404(
        Comment.objects.readable_by(request.user)
        .filter(status=Comment.Status.PUBLISHED)
        .select_related("author", "question__discussion__club", "parent__author"),
        pk=pk,
    )
    form = FlagForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_create(comment=target, flagger=request.user, **form.cleaned_data)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        else:
            messages.success(request, _("Thank you. The moderators will take a look."))
            return redirect(target.question.discussion.get_absolute_url() + f"#{target.anchor}")
    context = {"comment": target, "form": form}
    return render(request, "moderation/flag_form.html", context, status=status)


@moderator_required("moderation.lock_threads")
@require_POST
def question_lock(request, pk):
    """Lock (with a note) or unlock one question's thread."""
    question = get_object_or_404(Question.objects.select_related("discussion__club"), pk=pk)
    _check_moderates(request.user, question.discussion, allowed=services.can_lock)
    form = LockForm(request.POST)
    if form.is_valid():
        services.question_lock(question=question, moderator=request.user, **form.cleaned_data)
    return redirect(question.get_absolute_url())


@moderator_required("moderation.lock_threads")
@require_POST
def discussion_lock(request, pk):
    """Lock (with a note) or unlock a whole discussion."""
    discussion = get_object_or_404(Discussion.objects.select_related("club"), pk=pk)
    _check_moderates(request.user, discussion, allowed=services.can_lock)
    form = LockForm(request.POST)
    if form.is_valid():
        services.discussion_lock(discussion=discussion, moderator=request.user, **form.cleaned_data)
    return redirect(discussion)


@login_required
@permission_required("moderation.moderate_members", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def suspend(request, username):
    """Suspend a member for a while, or indefinitely; their suspensions so far."""
    member = get_object_or_404(get_user_model(), username=username)
    form = SuspendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_suspend(
                member=member,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                until=form.until(),
            )
        except services.NotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is suspended.") % {"name": member})
            return redirect("moderation:suspend", username=member.username)
    suspensions = member.suspensions.select_related("created_by")
    return render(
        request,
        "moderation/suspend.html",
        {"member": member, "form": form, "suspensions": suspensions},
    )


@login_required
@permission_required("moderation.moderate_members", raise_exception=True)
@require_POST
def lift(request, pk):
    """End a suspension early."""
    suspension = get_object_or_404(Suspension.objects.select_related("member"), pk=pk)
    services.suspension_lift(suspension=suspension, moderator=request.user)
    messages.success(request, _("The suspension was lifted."))
    return redirect("moderation:suspend", username=suspension.member.username)


def _apply(action: str, comment: Comment, moderator, reason: str) -> Comment:
    return ACTIONS[action](comment=comment, moderator=moderator, reason=reason)
