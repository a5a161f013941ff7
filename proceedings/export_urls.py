"""A discussion's proceedings, and one question's, in each format (export_views.py)."""

from django.urls import path

from . import export_views

_FORMATS = [
    ("proceedings/", export_views.proceedings_html, "html"),
    ("proceedings.md", export_views.proceedings_markdown, "markdown"),
    ("proceedings.jsonld", export_views.proceedings_jsonld, "jsonld"),
    ("proceedings.pdf", export_views.proceedings_pdf, "pdf"),
    ("proceedings/pdf/", export_views.proceedings_pdf_status, "pdf-status"),
]

urlpatterns = [
    *(path(f"discussions/<slug:slug>/{tail}", view, name=name) for tail, view, name in _FORMATS),
    *(
        path(
            f"discussions/<slug:slug>/questions/<int:number>/{tail}", view, name=f"question-{name}"
        )
        for tail, view, name in _FORMATS
    ),
]
