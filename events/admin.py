from django.contrib import admin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Live sessions. Times are entered in the staff member's own time zone, stored in UTC."""

    list_display = ["__str__", "discussion", "starts_at", "duration", "place"]
    list_select_related = ["discussion__article"]
    list_filter = ["discussion__status", "starts_at"]
    search_fields = ["title", "place", "discussion__article__title", "discussion__slug"]
    autocomplete_fields = ["discussion"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "discussion",
        "title",
        ("starts_at", "duration"),
        "place",
        "video_url",
        "notes",
        ("created_at", "updated_at"),
    ]
