from django.contrib import admin

from .models import Notification, NotificationSettings


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are created by the worker, never by hand."""

    list_display = ["recipient", "kind", "discussion", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "email_delivery"]
    list_select_related = ["recipient", "discussion__article"]
    search_fields = ["recipient__username", "recipient__email"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["member", "reply", "mention", "followed_comment", "helpful", "paused"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    search_fields = ["member__username", "member__email"]
