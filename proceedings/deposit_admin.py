"""
Deposits in the admin: how each discussion's DOI stands, every call to Zenodo and to the
review inbox with what came back, and the actions that try again through the same
services as the host's page (``deposits.deposit_request``, ``deposit_announce_request``).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin

from . import deposits
from .models import Deposit, DepositEvent

EVENT_FIELDS = ("at", "step", "method", "url", "status_code", "error", "shown_response")
DEPOSIT_FIELDS = (
    "discussion",
    "state",
    "error",
    "doi",
    "record_url",
    "published_at",
    "zenodo_id",
    "bucket_url",
    "file_uploaded",
    "attempts",
    "leased_until",
    "requested_by",
    "announcement",
    "announcement_id",
    "announcement_error",
    "metadata",
    "created_at",
    "updated_at",
)


class DepositEventInline(admin.TabularInline):
    """The calls, oldest first: read only, as they happened."""

    model = DepositEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = EVENT_FIELDS
    ordering = ["at", "id"]

    @admin.display(description=_("response"))
    def shown_response(self, event: DepositEvent):
        if not event.response:
            return "–"
        return format_html(
            "<details><summary>{}</summary><pre>{}</pre></details>",
            Truncator(event.response).chars(60),
            event.response,
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin):
    # Its events are the record of what Zenodo was asked; a DOI, once given, stays.
    """
    Deposits are made by hosts' requests and the worker, never by hand: read only, but for
    the two actions, which go through the services (their rules and the worker).
    """

    list_display = [
        "discussion",
        "state",
        "doi",
        "attempts",
        "announcement",
        "updated_at",
    ]
    list_filter = ["state", "announcement"]
    list_select_related = ["discussion__article"]
    search_fields = ["discussion__slug", "discussion__article__title", "doi"]
    date_hierarchy = "created_at"
    fields = readonly_fields = DEPOSIT_FIELDS
    inlines = [DepositEventInline]
    actions = ["retry_publishing", "retry_announcement"]

    def has_publish_permission(self, request) -> bool:
        """The actions' right: staff who curate discussions (the services check it again)."""
        return request.user.has_perm("discussions.change_discussion")

    @admin.action(description=_("Retry publishing"), permissions=["publish"])
    def retry_publishing(self, request, queryset):
        asked = self._each(
            request,
            queryset.select_related("discussion__club"),
            lambda deposit: deposits.deposit_request(
                discussion=deposit.discussion, member=request.user
            ),
        )
        message = ngettext(
            "Publishing %(count)d deposit again: the worker resumes it where it stopped.",
            "Publishing %(count)d deposits again: the worker resumes each where it stopped.",
            asked,
        )
        self.message_user(request, message % {"count": asked}, messages.SUCCESS)

    @admin.action(description=_("Retry announcement"), permissions=["publish"])
    def retry_announcement(self, request, queryset):
        asked = self._each(
            request,
            queryset.select_related("discussion__club"),
            lambda deposit: deposits.deposit_announce_request(deposit=deposit, member=request.user),
        )
        message = ngettext(
            "Announcing %(count)d deposit again.", "Announcing %(count)d deposits again.", asked
        )
        self.message_user(request, message % {"count": asked}, messages.SUCCESS)

    def _each(self, request, queryset, service) -> int:
        """Call the service for each deposit; a refusal is said, naming the deposit."""
        asked = 0
        for deposit in queryset:
            try:
                service(deposit)
            except PermissionDenied as refusal:
                self.message_user(request, f"{deposit.discussion}: {refusal}", messages.WARNING)
            else:
                asked += 1
        return asked
