from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from . import access, signals
from .context_processors import clubs_changed
from .models import Club, Invitation, JoinRequest, Membership, Nomination, QuestionTemplate


def _announce(club, members=()) -> None:
    """What the club's services announce, for a change made here: pages and rights renew."""
    clubs_changed()
    signals.club_changed.send(sender=Club, club=club)
    for member in members:
        access.forget(member)
        signals.membership_changed.send(sender=Membership, club=club, member=member)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["member", "role", "joined_at", "banned_at", "ban_reason"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["member"]
    extra = 0


class QuestionTemplateInline(admin.TabularInline):
    model = QuestionTemplate
    fields = ["position", "text"]
    extra = 1


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "joining", "language", "created_at"]
    list_filter = ["visibility", "joining", "language"]
    search_fields = ["name", "slug", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [QuestionTemplateInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "tagline", "description", "logo", "language"]}),
        (_("Who reads and who joins"), {"fields": ["visibility", "joining", "email_domains"]}),
        (_("Moderation"), {"fields": ["premoderation", "pseudonyms", "code_of_conduct"]}),
    ]

    def save_related(self, request, form, formsets, change):
        """Once its memberships are saved: its pages, and its members' rights, change."""
        before = set(form.instance.memberships.values_list("member_id", "role", "banned_at"))
        super().save_related(request, form, formsets, change)
        after = set(form.instance.memberships.values_list("member_id", "role", "banned_at"))
        touched = {member_id for member_id, *_rest in before ^ after}
        _announce(form.instance, get_user_model().objects.filter(pk__in=touched))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        clubs_changed()

    def get_queryset(self, request):
        """Staff who curate clubs see them all; a lead with admin access, their own."""
        clubs = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("clubs.change_club"):
            return clubs
        return clubs.filter(memberships__member=request.user, memberships__role="lead")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "club", "role", "joined_at", "banned_at"]
    list_filter = ["role", "club"]
    list_select_related = ["member", "club"]
    search_fields = ["member__username", "member__display_name", "member__email", "club__name"]
    autocomplete_fields = ["member", "club"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _announce(obj.club, [obj.member])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _announce(obj.club, [obj.member])


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["member", "club", "status", "created_at", "decided_at"]
    list_filter = ["status", "club"]
    list_select_related = ["member", "club"]
    readonly_fields = ["club", "member", "message", "created_at", "decided_by", "decided_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made from the club's pages (the token is shown once); here, read."""

    list_display = ["__str__", "club", "role", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["club"]
    list_select_related = ["club"]
    fields = [
        "club",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "used_at",
        "used_by",
        "uses",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["article", "club", "nominated_by", "status", "created_at"]
    list_filter = ["status", "club"]
    list_select_related = ["article", "club", "nominated_by"]
    autocomplete_fields = ["article", "nominated_by"]
