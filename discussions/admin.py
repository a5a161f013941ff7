from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from web.markdown import sanitize_html

from . import services
from .models import Comment, Discussion, Question


class QuestionInlineFormSet(forms.BaseInlineFormSet):
    """
    Refuses two questions with the same number in one discussion.

    This is the only place the rule is enforced: there is deliberately no unique index (see
    Question.Meta), so that swapping two numbers in one save works.
    """

    def clean(self):
        super().clean()
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


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionInlineFormSet
    fields = ["number", "text"]
    extra = 1
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})},
    }


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    inlines = [QuestionInline]
    list_display = ["article", "host", "status", "opens_at", "closes_at", "comment_count"]
    list_select_related = ["article", "host"]
    list_filter = ["status"]
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
        "article",
        "slug",
        "host",
        "status",
        ("opens_at", "closes_at"),
        "commentary",
        ("created_at", "updated_at"),
    ]
    actions = ["open_discussions", "close_discussions"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_activity()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "slug":
            # A slug cannot be prepopulated from a foreign key, so staff type it.
            kwargs["help_text"] = _(
                "The discussion's address on this site, usually the paper's own address, "
                "e.g. albers-2020-implementation-support. Links to it are shared, so avoid "
                "changing it once the discussion is open."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
            Discussion.objects.filter(questions__comments__isnull=False)
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
class CommentAdmin(admin.ModelAdmin):
    """
    Comments, to find and read: nothing can be added, changed or deleted here.

    A comment is removed by tombstoning it (its replies keep their place), and editing
    someone's words is a moderation action of its own, so neither belongs in a generic form.
    """

    list_display = ["excerpt", "author", "discussion", "question_number", "created_at", "deleted"]
    list_select_related = ["author", "question__discussion__article"]
    list_filter = [CommentDiscussionFilter, CommentDeletedFilter]
    search_fields = ["body", "author__username", "author__display_name", "author__email"]
    date_hierarchy = "created_at"
    fields = [
        "question",
        "parent",
        "root",
        "author",
        "body",
        "rendered_body",
        "created_at",
        "edited_at",
        "deleted_at",
    ]
    readonly_fields = fields
    actions = None  # in particular no "delete selected"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
