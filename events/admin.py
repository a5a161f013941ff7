from django.contrib import admin

from discussions import caching

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

    # A discussion's page lists its sessions: a change there shows on the next view.
    def save_model(self, request, obj, form, change):
        previous = form.initial.get("discussion")
        super().save_model(request, obj, form, change)
        caching.discussions_changed([obj.discussion_id, *([previous] if previous else [])])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        caching.discussions_changed([obj.discussion_id])

    def delete_queryset(self, request, queryset):
        discussions = list(queryset.values_list("discussion_id", flat=True))
        super().delete_queryset(request, queryset)
        caching.discussions_changed(discussions)
