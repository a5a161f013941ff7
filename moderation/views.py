"""The moderators' pages (outside the admin) and the members' flag form."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Suspension
from core.ratelimits import RateLimited
from core.redirects import next_url
from discussions.models import Comment, Discussion, Question

from . import selectors, services
from .forms import BulkForm, FlagForm, LockForm, QueueFilterForm, ReasonForm, SuspendForm
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


@login_required
@permission_required("moderation.moderate_comments", raise_exception=True)
@require_safe
def queue(request):
    """The review queue: filtered, counted, a page at a time, each item with its context."""
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    counts = selectors.queue_counts(filters, now=now)
    form.show_counts(counts)
    page = Paginator(selectors.queue_items(filters, now=now), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
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
    }
    return render(request, "moderation/queue.html", context)


@login_required
@permission_required("moderation.moderate_comments", raise_exception=True)
@require_POST
def bulk(request):
    """Approve, hide or restore the ticked comments in one go."""
    form = BulkForm(request.POST, comment_ids=request.POST.getlist("comments"))
    if not form.is_valid():
        messages.error(request, _("Tick at least one comment and choose an action."))
        return redirect(next_url(request) or "moderation:queue")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    done = 0
    for comment in Comment.objects.filter(pk__in=form.cleaned_data["comments"]):
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


@login_required
@permission_required("moderation.moderate_comments", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def comment(request, pk):
    """One comment with its context, its flags and its history, and the decision."""
    target = get_object_or_404(
        Comment.objects.select_related("author", "question__discussion__article", "parent__author"),
        pk=pk,
    )
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _apply(form.cleaned_data["action"], target, request.user, form.cleaned_data["reason"])
        except services.NotAllowed as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, DONE[form.cleaned_data["action"]] % {"name": target.author})
            return redirect(next_url(request) or "moderation:queue")
    context = {
        "comment": target,
        "form": form,
        "replies": list(target.replies.select_related("author").order_by("created_at")[:5]),
        "flags": list(target.flags.select_related("flagger")),
        "history": list(
            ModerationAction.objects.filter(comment=target).select_related("moderator")
        ),
    }
    return render(request, "moderation/comment.html", context)


@login_required
@permission_required("moderation.view_moderationaction", raise_exception=True)
@require_safe
def log(request):
    """The audit log: every moderation action, newest first."""
    actions = ModerationAction.objects.select_related("moderator", "comment", "member")
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {"page": page})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def flag(request, pk):
    """A member tells the moderators that a comment needs a look."""
    target = get_object_or_404(
        Comment.objects.readable_by(request.user)
        .filter(status=Comment.Status.PUBLISHED)
        .select_related("author", "question__discussion"),
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


@login_required
@permission_required("moderation.lock_threads", raise_exception=True)
@require_POST
def question_lock(request, pk):
    """Lock (with a note) or unlock one question's thread."""
    question = get_object_or_404(Question.objects.select_related("discussion"), pk=pk)
    form = LockForm(request.POST)
    if form.is_valid():
        services.question_lock(question=question, moderator=request.user, **form.cleaned_data)
    return redirect(question.get_absolute_url())


@login_required
@permission_required("moderation.lock_threads", raise_exception=True)
@require_POST
def discussion_lock(request, pk):
    """Lock (with a note) or unlock a whole discussion."""
    discussion = get_object_or_404(Discussion, pk=pk)
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
