"""
The notifications page, notification settings and one-click unsubscribe.

Every action is a plain form that works without JavaScript; htmx requests get just the
fragment to swap in (a notification line).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.redirects import next_url
from discussions.models import Discussion, Follow

from . import services, tokens
from .forms import NotificationSettingsForm
from .models import Notification, NotificationSettings

NOTIFICATIONS_PER_PAGE = 30
# What each kind of email is about, as the unsubscribe page says it.
EMAIL_TOPICS: dict[str, Promise] = {
    Notification.Kind.REPLY: gettext_lazy("replies to your comments"),
    Notification.Kind.MENTION: gettext_lazy("mentions of you"),
    Notification.Kind.FOLLOWED_COMMENT: gettext_lazy("new comments in what you follow"),
    Notification.Kind.HELPFUL: gettext_lazy("your comments being marked helpful"),
    Notification.Kind.DISCUSSION_OPENED: gettext_lazy("new discussions"),
}


@login_required
@require_safe
def notification_list(request):
    """
    The member's notifications, newest first, unread ones highlighted; none from a private
    club they no longer belong to.
    """
    notifications = Notification.objects.for_recipient(request.user).readable().for_listing()
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    _mark_followed_threads(request.user, page.object_list)
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "page_url": request.get_full_path()},
    )


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one notification read."""
    notification = get_object_or_404(
        Notification.objects.for_recipient(request.user).readable().for_listing(), pk=pk
    )
    services.notification_mark_read(member=request.user, notification=notification)
    if request.htmx:
        notification.refresh_from_db(fields=["read_at"])
        _mark_followed_threads(request.user, [notification])
        return render(
            request,
            "notifications/notification_list.html#item",
            {
                "notification": notification,
                "bell_oob": True,
                "page_url": next_url(request) or reverse("notifications:list"),
            },
        )
    return redirect(next_url(request) or reverse("notifications:list"))


@login_required
@require_POST
def notification_read_all(request):
    """Mark every notification read."""
    services.notification_mark_all_read(member=request.user)
    return redirect(next_url(request) or reverse("notifications:list"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    """What the member follows, and how they want to hear about each kind of event."""
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=NotificationSettings.for_member(request.user),
        member=request.user,
    )
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(member=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:settings")
    # What the member may still read: a private club they left keeps their follows of it
    # (nothing is delivered), but does not show them.
    readable = Discussion.objects.visible_to(request.user).exclude(status=Discussion.Status.DRAFT)
    follows = Follow.objects.of_member(request.user).filter(
        Q(discussion__in=readable)
        | Q(question__discussion__in=readable)
        | Q(thread__question__discussion__in=readable)
    )
    return render(
        request,
        "notifications/notificationsettings_form.html",
        {
            "form": form,
            "follows": list(follows),
            "hosted": list(readable.filter(host=request.user).select_related("article")),
        },
    )


@csrf_exempt  # the signed token is the authorisation; mail clients post without a cookie
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """
    Stop one kind of email (or one digest) from the link in it, without signing in. GET
    asks for confirmation (link checkers follow links); POST, including RFC 8058's one-click
    ``List-Unsubscribe=One-Click``, unsubscribes.
    """
    try:
        member, scope = tokens.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(
            request, "notifications/notification_unsubscribe.html", {"state": "invalid"}, status=400
        )
    if request.method == "POST":
        kinds = services.notification_unsubscribe(member=member, scope=scope)
        state = "done"
    else:
        kinds = services.unsubscribe_kinds(member=member, scope=scope)
        state = "confirm"
    return render(
        request,
        "notifications/notification_unsubscribe.html",
        {
            "state": state,
            "member": member,
            "scope": scope,
            "digest": scope in tokens.DIGEST_PERIODS,
            "topics": [EMAIL_TOPICS[kind] for kind in kinds],
            "token": token,
        },
    )


# --- Helpers ---------------------------------------------------------------------------------


def _mark_followed_threads(member, notifications) -> None:
    """Note on each notification its thread and whether the member follows it (one query)."""
    for notification in notifications:
        comment = notification.comment
        notification.thread_id = (comment.root_id or comment.pk) if comment else None
    threads = {n.thread_id for n in notifications if n.thread_id}
    followed = set()
    if threads:
        followed = set(
            Follow.objects.filter(member=member, thread_id__in=threads).values_list(
                "thread_id", flat=True
            )
        )
    for notification in notifications:
        notification.follows_thread = notification.thread_id in followed
