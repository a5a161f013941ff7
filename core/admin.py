from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """
    Records that services write and nobody edits by hand (the moderation log, deposits,
    exports): listed and shown, never added, changed or deleted here.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
