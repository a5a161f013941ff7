"""
The curators' admin: papers with their authors and abstract, journals, subjects; and two
ways to bring papers in without retyping them, linked from the papers' list: Add by DOI
(look up, review, confirm) and Import records (paste or upload, preview, confirm).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services, sources
from .forms import DoiForm, ImportConfirmForm, ImportForm, RecordForm, record_formsets
from .models import AbstractSection, Article, Author, Journal, Subject
from .signals import papers_changed
from .tasks import open_access_check_on_commit


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "issn_print", "issn_electronic", "paper_count"]
    search_fields = ["title", "publisher", "issn_print", "issn_electronic"]
    prepopulated_fields = {"slug": ("title",)}
    # Explicit, because a query with a count in it ignores Meta.ordering (autocomplete pages).
    ordering = ["title"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paper_count=Count("articles"))

    @admin.display(description=_("papers"), ordering="paper_count")
    def paper_count(self, journal):
        return journal.paper_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:  # its papers' records show the journal
            _announce(obj.articles.values_list("pk", flat=True))


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "paper_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paper_count=Count("articles"))

    @admin.display(description=_("papers"), ordering="paper_count")
    def paper_count(self, subject):
        return subject.paper_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            _announce(obj.articles.values_list("pk", flat=True))

    def delete_model(self, request, obj):
        papers = list(obj.articles.values_list("pk", flat=True))
        super().delete_model(request, obj)
        _announce(papers)


def _announce(papers) -> None:
    """Say that these papers' records changed: search, author and discussion pages follow."""
    papers_changed.send(sender=Article, articles=list(papers))


class AuthorInline(admin.TabularInline):
    model = Author
    fields = ["position", "given_name", "family_name", "orcid", "affiliations", "member"]
    raw_id_fields = ["member"]
    extra = 1
    formfield_overrides = {
        # The model's TextField would otherwise be a tall textarea in every row.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }


class AbstractSectionInline(admin.StackedInline):
    model = AbstractSection
    fields = ["position", "heading", "body"]
    extra = 1


class PublicationYearFilter(admin.SimpleListFilter):
    """Filter papers by the years that actually occur among them, newest first."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("published_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(published_on__year=int(self.value()))
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    inlines = [AuthorInline, AbstractSectionInline]
    list_display = ["title", "author_names", "journal", "year", "doi"]
    list_select_related = ["journal"]
    list_filter = ["journal", "subjects", PublicationYearFilter, "notices__kind"]
    search_fields = ["title", "doi", "authors__family_name", "authors__given_name"]
    autocomplete_fields = ["journal", "subjects"]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = [
        "created_at",
        "updated_at",
        "open_copy_link",
        "open_access_host",
        "open_access_version",
        "open_access_licence",
        "open_access_checked_at",
        "updates_checked_at",
        "notice_list",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "doi"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "journal",
                    ("volume", "issue"),
                    ("article_number", "pages"),
                    ("published_on", "published_precision"),
                    "language",
                ]
            },
        ),
        (
            _("Access"),
            {"fields": ["url", "is_open_access", ("licence", "licence_url")]},
        ),
        (
            _("Open copy and notices"),
            {
                "fields": [
                    "open_copy_link",
                    ("open_access_host", "open_access_version", "open_access_licence"),
                    ("open_access_checked_at", "updates_checked_at"),
                    "notice_list",
                ],
                "description": _(
                    "Found by Unpaywall and Crossref when the paper is added, then by the "
                    "scheduled checks (check_open_access, check_paper_updates)."
                ),
            },
        ),
        (None, {"fields": ["subjects"]}),
        (_("History"), {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return article.short_authors  # from the prefetched authors: no query per row

    @admin.display(description=_("year"), ordering="published_on")
    def year(self, article):
        return article.published_on.year

    @admin.display(description=_("open copy"))
    def open_copy_link(self, article):
        if not article.open_access_url:
            return "–"
        return format_html('<a href="{0}">{0}</a>', article.open_access_url)

    @admin.display(description=_("notices"))
    def notice_list(self, article):
        """
        Retractions, corrections and newer versions found at Crossref: shown, not edited
        (no inline, whose forms every save of the paper would have to post), as Crossref
        is their source.
        """
        notices = list(article.notices.all()) if article.pk else []
        if not notices:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} <a href="{}">{}</a> {} <span class="quiet">{}</span></li>',
                (
                    (
                        notice.get_kind_display(),
                        notice.doi_url,
                        notice.doi,
                        notice.date or "",
                        gettext("first seen %(when)s")
                        % {"when": date_format(notice.first_seen_at, "DATE_FORMAT")},
                    )
                    for notice in notices
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.doi and "doi" in form.changed_data:
            open_access_check_on_commit(obj.pk)  # a new DOI: look for its open copy

    # --- Add by DOI and Import records ---------------------------------------------------

    def save_related(self, request, form, formsets, change):
        """Once the authors, abstract and subjects are saved: the record changed."""
        super().save_related(request, form, formsets, change)
        _announce([form.instance.pk])

    def get_urls(self):
        own = [
            path(
                "add-by-doi/",
                self.admin_site.admin_view(self.add_by_doi_view),
                name="articles_article_add_by_doi",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="articles_article_import",
            ),
        ]
        return own + super().get_urls()

    def add_by_doi_view(self, request):
        """Look a DOI up at Crossref (and DOAJ), show the record for review, save on confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_by_doi(request)
        form = DoiForm(request.POST if request.method == "POST" else None)
        unavailable = ""
        if request.method == "POST" and form.is_valid():
            doi = form.cleaned_data["doi"]
            existing = Article.objects.filter(doi=doi).first()
            if existing:
                form.add_error("doi", self._already_on_file(existing))
            else:
                try:
                    record = sources.lookup_doi(doi)
                except sources.ServiceUnavailable as error:
                    # Nothing is wrong with the DOI: it stays as typed, and the page offers
                    # the ways in that need no lookup.
                    unavailable = str(error)
                except sources.SourceError as error:
                    form.add_error("doi", str(error))
                else:
                    authors, sections = record_formsets(record)
                    review = RecordForm(initial=RecordForm.initial_for(record))
                    return self._review(request, review, authors, sections, notes=record.notes)
        return TemplateResponse(
            request,
            "admin/articles/article/add_by_doi.html",
            self._context(
                request, gettext("Add a paper by DOI"), form=form, unavailable=unavailable
            ),
        )

    def _confirm_by_doi(self, request):
        form = RecordForm(request.POST)
        authors, sections = record_formsets(data=request.POST)
        if form.is_valid() and authors.is_valid() and sections.is_valid():
            try:
                article = services.article_create_from_record(
                    record=form.to_record(authors, sections)
                )
            except ValidationError as error:
                form.add_error(None, services.describe(error))
            else:
                self.log_addition(request, article, [{"added": {}}])
                self.message_user(
                    request,
                    gettext("The paper “%(title)s” was added.") % {"title": article.title},
                    messages.SUCCESS,
                )
                return redirect("admin:articles_article_change", article.pk)
        return self._review(request, form, authors, sections)

    def _review(self, request, form, authors, sections, *, notes=()):
        return TemplateResponse(
            request,
            "admin/articles/article/add_by_doi_review.html",
            self._context(
                request,
                gettext("Review the record"),
                form=form,
                authors=authors,
                sections=sections,
                notes=notes,
            ),
        )

    def import_view(self, request):
        """Paste or upload records; preview them with errors and duplicates; import on confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        can_update = self.has_change_permission(request)
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, can_update=can_update)
        form = ImportForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            entries = sources.parse_records(
                data["content"], fmt=data["fmt"], filename=data["filename"]
            )
            rows = services.article_import_preview(entries=entries)
            return TemplateResponse(
                request,
                "admin/articles/article/import_preview.html",
                self._context(
                    request,
                    gettext("Preview the import"),
                    rows=rows,
                    importable=sum(1 for row in rows if row.importable),
                    confirm=ImportConfirmForm(initial={"payload": data["payload"]}),
                    can_update=can_update,
                ),
            )
        return TemplateResponse(
            request,
            "admin/articles/article/import.html",
            self._context(request, gettext("Import records"), form=form),
        )

    def _confirm_import(self, request, *, can_update: bool):
        confirm = ImportConfirmForm(request.POST)
        if not confirm.is_valid():
            for error in confirm.errors.get("payload", []):
                self.message_user(request, error, messages.ERROR)
            return redirect("admin:articles_article_import")
        payload = confirm.cleaned_data["payload"]
        entries = sources.parse_records(
            payload["text"], fmt=payload["fmt"], filename=payload["filename"]
        )
        summary = services.article_import(
            records=entries,
            update_dois=set(request.POST.getlist("update")) if can_update else set(),
        )
        for outcome in summary.created:
            self.log_addition(request, outcome.article, [{"added": {}}])
        for outcome in summary.updated:
            self.log_change(request, outcome.article, gettext("Updated from imported record."))
        return TemplateResponse(
            request,
            "admin/articles/article/import_result.html",
            self._context(request, gettext("Import finished"), summary=summary),
        )

    def _already_on_file(self, article):
        url = reverse("admin:articles_article_change", args=[article.pk])
        return format_html(
            '{} <a href="{}">{}</a>',
            gettext("A paper with this DOI is already on file:"),
            url,
            article.title,
        )

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }
