from django.contrib import admin

from accounts.models import CodeOfConductAgreement, Suspension
from core.admin import ReadOnlyAdmin

from .models import Flag, ModerationAction


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "moderator", "target", "reason"]
    list_filter = ["kind", "created_at"]
    search_fields = ["target", "reason", "moderator__username", "moderator__display_name"]
    list_select_related = ["moderator"]
    date_hierarchy = "created_at"


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reason", "comment", "flagger", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["comment__author", "flagger"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["member", "until", "reason", "created_by", "created_at", "lifted_at"]
    list_select_related = ["member", "created_by"]
    search_fields = ["member__username", "member__display_name", "reason"]


@admin.register(CodeOfConductAgreement)
class CodeOfConductAgreementAdmin(ReadOnlyAdmin):
    list_display = ["member", "version", "agreed_at"]
    list_select_related = ["member"]
