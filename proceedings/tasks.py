"""
The exports' background task: building a PDF of proceedings (``Export``), which takes
seconds, by the worker (``manage.py run_worker``), never in a request. In DEBUG and in the
tests the tasks backend is immediate: the PDF is built when the request's transaction
commits.

The task is safe to run twice (a retry, a task the worker's lease put back in the queue):
it first claims the export (QUEUED, or BUILDING for longer than the task lease, to
BUILDING) in one conditional update, and does nothing if it cannot.
"""

import datetime
import hashlib
import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from . import documents
from .models import Export

logger = logging.getLogger(__name__)

# Stored as the reason (in English) and shown translated (``{% translate export.error %}``).
TOO_LARGE = gettext_noop("Too large: export one question or the syntheses only.")
TOO_MANY_COMMENTS = gettext_noop(
    "Too many comments for one PDF: export one question or the syntheses only."
)
UNAVAILABLE = gettext_noop(
    "PDFs cannot be made on this server: WeasyPrint needs the Pango library from the "
    "system (see the README, “Proceedings”). The other formats work."
)
BROKEN = gettext_noop("The PDF could not be made. Try again; if it fails again, tell the club.")


def lease() -> datetime.timedelta:
    """How long a build may run before it is taken to be abandoned (the worker's task lease)."""
    return datetime.timedelta(seconds=settings.JOURNAL_CLUB_TASK_LEASE)


@task()
def build_export(export_id: int) -> str:
    """Build an export's PDF, keep it if it is not too large, and let go of older ones."""
    now = timezone.now()
    claimable = Q(state=Export.State.QUEUED) | Q(
        state=Export.State.BUILDING, started_at__lt=now - lease()
    )
    claimed = Export.objects.filter(claimable, pk=export_id).update(
        state=Export.State.BUILDING, started_at=now, error=""
    )
    if not claimed:
        return "not claimed"
    export = Export.objects.select_related("discussion", "question").get(pk=export_id)
    started = time.perf_counter()
    try:
        pdf, data = _build(export)
    except documents.TooManyComments:
        return _fail(export, TOO_MANY_COMMENTS, started)
    except documents.PdfUnavailable:
        return _fail(export, UNAVAILABLE, started)
    except Exception:
        logger.exception("Proceedings export id=%s failed", export_id)
        return _fail(export, BROKEN, started)
    if len(pdf) > settings.JOURNAL_CLUB_PROCEEDINGS_MAX_BYTES:
        logger.warning("Proceedings export id=%s: %d bytes, too large", export_id, len(pdf))
        return _fail(export, TOO_LARGE, started, size=len(pdf))
    name = default_storage.save(_file_name(export), ContentFile(pdf))
    with transaction.atomic():
        saved = Export.objects.filter(pk=export.pk, state=Export.State.BUILDING).update(
            state=Export.State.READY,
            file=name,
            size=len(pdf),
            comment_count=data.comment_count,
            build_seconds=round(time.perf_counter() - started, 3),
            finished_at=timezone.now(),
        )
        if not saved:  # deleted, or taken over, meanwhile: this file is nobody's
            transaction.on_commit(lambda: default_storage.delete(name))
            return "dropped"
        _let_go_of_older(export)
    return "ready"


def _build(export: Export):
    pdf, data = documents.build_pdf(
        export.discussion,
        language=export.language,
        syntheses_only=export.syntheses_only,
        question=export.question,
        max_comments=settings.JOURNAL_CLUB_PROCEEDINGS_MAX_COMMENTS,
    )
    return pdf, data


def _fail(export: Export, reason: str, started: float, *, size: int = 0) -> str:
    Export.objects.filter(pk=export.pk, state=Export.State.BUILDING).update(
        state=Export.State.FAILED,
        error=reason,
        size=size,
        build_seconds=round(time.perf_counter() - started, 3),
        finished_at=timezone.now(),
    )
    return "failed"


def _file_name(export: Export) -> str:
    digest = hashlib.blake2b(export.key.encode(), digest_size=6).hexdigest()
    return f"proceedings/{export.discussion.slug}-{export.language}-{digest}.pdf"


def _let_go_of_older(export: Export) -> None:
    """Older exports of the same discussion and options: their rows now, files on commit."""
    older = Export.objects.filter(
        discussion_id=export.discussion_id,
        question_id=export.question_id,
        syntheses_only=export.syntheses_only,
        language=export.language,
        created_at__lte=export.created_at,
    ).exclude(pk=export.pk)
    files = [name for name in older.values_list("file", flat=True) if name]
    older.delete()
    if files:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
