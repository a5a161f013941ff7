from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clubs.models import Club, Membership, Role
from core.admin import ReadOnlyAdmin
from core.markdown import sanitize_html

from . import caching, services, signals
from .hosting import free_slug
from .models import (
    Comment,
    Discussion,
    DiscussionTranslation,
    Follow,
    Question,
    QuestionTranslation,
)


class QuestionInlineFormSet(forms.BaseInlineFormSet):
    """
    Numbers new questions left without a number, and refuses two questions with the same
    number in one discussion.

    This is the only place the rule is enforced: there is deliberately no unique index (see
    Question.Meta), so that swapping two numbers in one save works.
    """

    def clean(self):
        super().clean()
        self._number_new_questions()
        seen = set()
        duplicates = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            number = form.cleaned_data.get("number")
            if number is None:  # an untouched extra row, or a row with its own error
                continue
            if number in seen:
                form.add_error("number", _("Another question already has this number."))
                if number not in duplicates:
                    duplicates.append(number)
            seen.add(number)
        if duplicates:
            raise ValidationError(
                ngettext(
                    "Each question needs its own number: %(numbers)s is used more than once.",
                    "Each question needs its own number: %(numbers)s are used more than once.",
                    len(duplicates),
                )
                % {"numbers": ", ".join(str(number) for number in sorted(duplicates))},
                code="duplicate_number",
            )

    def _number_new_questions(self) -> None:
        """Questions written without a number follow the others: 1, 2, 3… in form order."""
        kept = [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and hasattr(form, "cleaned_data")
        ]
        numbers = [form.cleaned_data.get("number") or 0 for form in kept]
        next_number = max(numbers, default=0) + 1
        for form in kept:
            # An untouched extra row stays empty; a row with errors keeps them.
            if form.has_changed() and not form.errors and form.cleaned_data.get("number") is None:
                form.cleaned_data["number"] = form.instance.number = next_number
                next_number += 1


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionInlineFormSet
    fields = ["number", "text"]
    extra = 1
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "number":
            kwargs["required"] = False  # numbered by the formset when left empty
            kwargs["help_text"] = _("Left empty: the next number.")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DiscussionTranslationInline(admin.StackedInline):
    """The commentary in another language; each question's translation is its own inline."""

    model = DiscussionTranslation
    fields = ["language", "commentary"]
    extra = 0
    max_num = len(settings.LANGUAGES) - 1


class DiscussionAdminForm(forms.ModelForm):
    """
    What staff may leave empty when adding a discussion: the slug (the paper's own) and,
    for an open discussion, the opening time (now).
    """

    def clean(self):
        data = super().clean()
        if not data.get("slug") and data.get("article"):
            data["slug"] = free_slug(data["article"].slug, discussion=self.instance)
        if data.get("status") == Discussion.Status.OPEN and not data.get("opens_at"):
            data["opens_at"] = timezone.now()
        return data


def clubs_in_reach(request):
    """
    The clubs whose discussions this member curates in the admin: every club for staff
    who curate clubs (``clubs.change_club``), else those they lead or host, so that a
    club's lead with admin access never lists another club's discussions or comments.
    """
    if request.user.is_superuser or request.user.has_perm("clubs.change_club"):
        return Club.objects.all()
    return Club.objects.filter(
        pk__in=Membership.objects.active()
        .filter(member=request.user, role__in=[Role.LEAD, Role.HOST])
        .values("club_id")
    )


class ClubListFilter(admin.SimpleListFilter):
    """By club, listing only the clubs in the member's reach."""

    title = _("club")
    parameter_name = "club"
    lookup = "club"

    def lookups(self, request, model_admin):
        return [(str(club.pk), club.name) for club in clubs_in_reach(request)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.lookup: int(self.value())})
        return queryset


class CommentClubFilter(ClubListFilter):
    lookup = "question__discussion__club"


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    form = DiscussionAdminForm
    inlines = [QuestionInline, DiscussionTranslationInline]
    list_display = [
        "article",
        "club",
        "host",
        "language",
        "status",
        "opens_at",
        "closes_at",
        "comment_count",
    ]
    list_select_related = ["article", "host", "club"]
    list_filter = [ClubListFilter, "status", "language"]
    search_fields = [
        "article__title",
        "article__slug",
        "slug",
        "host__username",
        "host__display_name",
        "host__email",
    ]
    autocomplete_fields = ["article", "host"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "club",
        "article",
        "slug",
        "host",
        "status",
        ("opens_at", "closes_at"),
        "language",
        "commentary",
        ("created_at", "updated_at"),
    ]
    actions = ["open_discussions", "close_discussions"]

    def get_queryset(self, request):
        discussions = super().get_queryset(request).filter(club__in=clubs_in_reach(request))
        return discussions.with_activity()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "club":
            kwargs["queryset"] = clubs_in_reach(request)
            clubs = list(kwargs["queryset"][:2])
            if len(clubs) == 1:  # a one-club site: nothing to choose
                kwargs["initial"] = clubs[0].pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "slug":
            # A slug cannot be prepopulated from a foreign key: the form fills in the
            # paper's when it is left empty.
            kwargs["required"] = False
            kwargs["help_text"] = _(
                "The discussion's address on this site, usually the paper's own address, "
                "e.g. albers-2020-implementation-support. Left empty, it is the paper's "
                "address. Links to it are shared, so avoid changing it once the discussion "
                "is open."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """
        A discussion whose status becomes "open" is saved as it was (a new one as a draft)
        and then opened by ``discussion_open``, as the action does: opening records the
        time, indexes the discussion for search and announces it to members.
        """
        opening = obj.status == Discussion.Status.OPEN and (
            not change or "status" in form.changed_data
        )
        if opening:
            obj.status = form.initial["status"] if change else Discussion.Status.DRAFT
        super().save_model(request, obj, form, change)
        if opening:
            services.discussion_open(discussion=obj)
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Once its questions are saved: the discussion's pages and index entry change."""
        super().save_related(request, form, formsets, change)
        caching.discussions_changed([form.instance.pk])
        signals.discussion_changed.send(sender=Discussion, discussion=form.instance)

    @admin.display(description=_("comments"), ordering="comment_count")
    def comment_count(self, discussion):
        return discussion.comment_count

    @admin.action(description=_("Open selected discussions"), permissions=["change"])
    def open_discussions(self, request, queryset):
        count = sum(services.discussion_open(discussion=d) for d in queryset)
        message = ngettext(
            "%(count)d discussion was opened.", "%(count)d discussions were opened.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Close selected discussions"), permissions=["change"])
    def close_discussions(self, request, queryset):
        count = sum(services.discussion_close(discussion=d) for d in queryset)
        message = ngettext(
            "%(count)d discussion was closed.", "%(count)d discussions were closed.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class CommentDiscussionFilter(admin.SimpleListFilter):
    """
    Filter comments by discussion, listing only discussions that have comments.

    Django's RelatedOnlyFieldListFilter would fetch each discussion's paper (its title is
    the discussion's name) with a query of its own; this fetches them in one.
    """

    title = _("discussion")
    parameter_name = "discussion"

    def lookups(self, request, model_admin):
        discussions = (
            Discussion.objects.filter(
                questions__comments__isnull=False, club__in=clubs_in_reach(request)
            )
            .select_related("article")
            .distinct()
        )
        return [(str(discussion.pk), str(discussion)) for discussion in discussions]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(question__discussion=int(self.value()))
        return queryset


class CommentDeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Deleted")), ("no", _("Not deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.not_deleted()
        return queryset


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """
    Comments, to find and read: nothing can be added, changed or deleted here.

    A comment is removed by tombstoning it (its replies keep their place), and editing
    someone's words is a moderation action of its own, so neither belongs in a generic form.
    """

    list_display = ["excerpt", "author", "discussion", "question_number", "created_at", "deleted"]
    list_select_related = ["author", "question__discussion__article"]
    list_filter = [CommentClubFilter, CommentDiscussionFilter, CommentDeletedFilter]
    search_fields = ["body", "author__username", "author__display_name", "author__email"]
    date_hierarchy = "created_at"
    fields = [
        "question",
        "parent",
        "root",
        "author",
        "language",
        "body",
        "rendered_body",
        "created_at",
        "edited_at",
        "deleted_at",
    ]
    readonly_fields = fields
    actions = None  # in particular no "delete selected"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(question__discussion__club__in=clubs_in_reach(request))
        )

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description=_("discussion"), ordering="question__discussion__article__title")
    def discussion(self, comment):
        return comment.question.discussion

    @admin.display(description=_("question"), ordering="question__number")
    def question_number(self, comment):
        return comment.question.number

    @admin.display(description=_("deleted"), boolean=True, ordering="deleted_at")
    def deleted(self, comment):
        return comment.is_deleted

    @admin.display(description=_("rendered text"))
    def rendered_body(self, comment):
        # Sanitised once more on the way out, as the stored HTML is shown unescaped here.
        return mark_safe(sanitize_html(comment.body_html))  # noqa: S308


@admin.register(QuestionTranslation)
class QuestionTranslationAdmin(admin.ModelAdmin):
    """A question, and its synthesis, in another language (hosts also write them on the site)."""

    list_display = ["question", "language"]
    list_filter = ["language"]
    list_select_related = ["question"]
    raw_id_fields = ["question"]
    fields = ["question", "language", "text", "synthesis"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(question__discussion__club__in=clubs_in_reach(request))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        discussion = obj.question.discussion
        caching.discussions_changed([discussion.pk])
        signals.discussion_changed.send(sender=Discussion, discussion=discussion)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["member", "discussion", "question", "thread", "created_at"]
    list_select_related = ["member", "discussion__article", "question", "thread"]
    raw_id_fields = ["member", "discussion", "question", "thread"]
    search_fields = ["member__username", "member__email"]
