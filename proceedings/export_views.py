"""
A discussion's proceedings (or one question's) in four formats, for whoever may read the
discussion: a print page, Markdown, JSON-LD, and a PDF the worker builds (``exports``).

``?syntheses=1`` asks for the syntheses only. The PDF's own address answers with the file
once it is built; until then it sends its reader to the PDF's page, which says how it is
going and refreshes itself (no script needed). That page only reads when visited: asking
for the PDF, or again after a failure, is its form's POST.
"""

from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from discussions.models import Discussion

from . import documents, exports, tasks
from .models import Export


@require_safe
def proceedings_html(request, slug, number=None):
    """The proceedings as a standalone, print-friendly page."""
    discussion, question, syntheses_only = _asked(request, slug, number)
    language = get_language()
    data = documents.read(
        discussion, language=language, syntheses_only=syntheses_only, question=question
    )
    tools = {
        # This site's own address for it, as the page's content security policy asks.
        "stylesheet": static(documents.STYLESHEET),
        "back": question.get_absolute_url() if question else discussion.get_absolute_url(),
        "links": {
            fmt: _url(name, discussion, question, syntheses_only)
            for fmt, name in (("pdf", "pdf-status"), ("markdown", "markdown"), ("jsonld", "jsonld"))
        },
    }
    return HttpResponse(documents.html_of(data, language=language, extra=tools))


@require_safe
def proceedings_markdown(request, slug, number=None):
    """The proceedings as Markdown."""
    discussion, question, syntheses_only = _asked(request, slug, number)
    text = documents.render_markdown(
        discussion, language=get_language(), syntheses_only=syntheses_only, question=question
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = _file_name(discussion, question, syntheses_only, "md")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def proceedings_jsonld(request, slug, number=None):
    """The proceedings as schema.org JSON-LD."""
    discussion, question, syntheses_only = _asked(request, slug, number)
    document = documents.render_jsonld(
        discussion, language=get_language(), syntheses_only=syntheses_only, question=question
    )
    return JsonResponse(
        document,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_safe
def proceedings_pdf(request, slug, number=None):
    """The PDF once built; until then (asked for now if need be), to the PDF's page."""
    discussion, question, syntheses_only = _asked(request, slug, number)
    export = exports.export_request(
        discussion=discussion,
        question=question,
        syntheses_only=syntheses_only,
        language=get_language(),
        requested_by=request.user,
    )
    if export.state == Export.State.READY:
        try:
            file = export.file.open("rb")
        except OSError:  # gone from storage: built again
            exports.export_retry(export=export)
        else:
            return FileResponse(
                file,
                as_attachment=True,
                filename=_file_name(discussion, question, syntheses_only, "pdf"),
                content_type="application/pdf",
            )
    return redirect(_url("pdf-status", discussion, question, syntheses_only))


@require_http_methods(["GET", "HEAD", "POST"])
def proceedings_pdf_status(request, slug, number=None):
    """How the PDF is going: being prepared, ready to download, or failed and why."""
    discussion, question, syntheses_only = _asked(request, slug, number)
    options = {
        "discussion": discussion,
        "question": question,
        "syntheses_only": syntheses_only,
        "language": get_language(),
    }
    status_url = _url("pdf-status", discussion, question, syntheses_only)
    if request.method == "POST":
        export = exports.export_request(**options, requested_by=request.user)
        exports.export_retry(export=export)
        return redirect(status_url)
    export = exports.export_current(**options)
    return render(
        request,
        "proceedings/export_status.html",
        {
            "discussion": discussion,
            "question": question,
            "syntheses_only": syntheses_only,
            "export": export,
            "stuck": export is not None and exports.is_stuck(export),
            "waiting": export is not None
            and export.state in (Export.State.QUEUED, Export.State.BUILDING),
            "status_url": status_url,
            "pdf_url": _url("pdf", discussion, question, syntheses_only),
            "print_url": _url("html", discussion, question, syntheses_only),
            "lease_minutes": int(tasks.lease().total_seconds() // 60),
        },
    )


def _asked(request, slug, number):
    """
    The discussion (if this reader may read it: drafts and private clubs' discussions are
    404 to everyone else, as on its page), the question if one is asked for, and whether
    the syntheses alone are.
    """
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related(
            "article__journal", "host", "club"
        ),
        slug=slug,
    )
    question = None
    if number is not None:
        question = get_object_or_404(discussion.questions, number=number)
    return discussion, question, request.GET.get("syntheses") == "1"


def _url(name: str, discussion, question, syntheses_only: bool) -> str:
    if question is None:
        url = reverse(f"proceedings:{name}", args=[discussion.slug])
    else:
        url = reverse(f"proceedings:question-{name}", args=[discussion.slug, question.number])
    return f"{url}?syntheses=1" if syntheses_only else url


def _file_name(discussion, question, syntheses_only: bool, extension: str) -> str:
    parts = [discussion.slug, "proceedings"]
    if question is not None:
        parts.append(f"question-{question.number}")
    if syntheses_only:
        parts.append("syntheses")
    parts.append(get_language())
    return f"{'-'.join(parts)}.{extension}"
