"""The PDFs of proceedings in the admin: a read-only list of what was built, how, and why not."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import Export


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    # A row deleted here would leave its file behind; newer exports let go of both.
    """Exports are made by readers' requests and the worker, never by hand: read only."""

    list_display = [
        "discussion",
        "question",
        "language",
        "state",
        "shown_size",
        "build_seconds",
        "error",
        "created_at",
    ]
    list_filter = ["state", "language", "syntheses_only"]
    list_select_related = ["discussion__article", "question"]
    search_fields = ["discussion__slug", "discussion__article__title"]
    date_hierarchy = "created_at"
    fields = [
        "discussion",
        "question",
        "syntheses_only",
        "language",
        "state",
        "file",
        "shown_size",
        "comment_count",
        "build_seconds",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "key",
    ]
    readonly_fields = fields

    @admin.display(description=_("size"), ordering="size")
    def shown_size(self, export: Export) -> str:
        return filesizeformat(export.size) if export.size else "–"
