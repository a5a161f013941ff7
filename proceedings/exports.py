"""
Asking for a PDF of proceedings (``Export``): the services the views call.

A PDF is built by the worker (``tasks.build_export``), never in a request, and kept while
what it shows is unchanged: its ``key`` is a digest of everything that decides its content
(the discussion's version, the question, syntheses only, the language, and ``RELEASE``, the
code and templates that render it). Asking again for the same key finds the same export;
two requests at once create one (the key is unique). The task is enqueued when the
request's transaction commits.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from discussions import caching
from discussions.models import Discussion, Question

from . import tasks
from .models import Export


def _release() -> str:
    """What shapes a PDF besides the discussion: the templates and code that render it."""
    digest = hashlib.blake2b(caching.RELEASE.encode(), digest_size=8)
    root = Path(settings.BASE_DIR)
    sources = [
        *sorted(Path(__file__).resolve().parent.glob("*.py")),
        *sorted((root / "templates" / "proceedings").glob("*")),
        root / "static" / "css" / "proceedings.css",
    ]
    for path in sources:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


RELEASE = _release()


def export_key(
    *, discussion: Discussion, question: Question | None, syntheses_only: bool, language: str
) -> str:
    """The digest of what decides a PDF's content (``Export.key``)."""
    parts = [
        RELEASE,
        discussion.pk,
        discussion.version,
        question.pk if question else "",
        int(syntheses_only),
        language,
    ]
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def export_current(
    *,
    discussion: Discussion,
    question: Question | None = None,
    syntheses_only: bool = False,
    language: str,
) -> Export | None:
    """The export of the discussion as it stands now, if one was asked for (reads only)."""
    key = export_key(
        discussion=discussion, question=question, syntheses_only=syntheses_only, language=language
    )
    return Export.objects.filter(key=key).first()


def export_request(
    *,
    discussion: Discussion,
    question: Question | None = None,
    syntheses_only: bool = False,
    language: str,
    requested_by=None,
) -> Export:
    """
    The export of the discussion as it stands now: the one already asked for, or a new one
    queued for the worker. One that is stuck (queued or being built for longer than the
    task lease: its worker died) is queued again. One that failed stays failed until
    someone asks again (``export_retry``). Returns it as it stands after the commit (with
    the immediate tasks backend of DEBUG, already built).
    """
    key = export_key(
        discussion=discussion, question=question, syntheses_only=syntheses_only, language=language
    )
    with transaction.atomic():
        export, created = Export.objects.get_or_create(
            key=key,
            defaults={
                "discussion": discussion,
                "question": question,
                "syntheses_only": syntheses_only,
                "language": language,
                "requested_by": requested_by if getattr(requested_by, "pk", None) else None,
            },
        )
        if created:
            _build_on_commit(export.pk)
        elif is_stuck(export):
            _queue_again(export, Q(state__in=[Export.State.QUEUED, Export.State.BUILDING]))
    return Export.objects.get(pk=export.pk)


def export_retry(*, export: Export) -> Export:
    """
    Build again an export that failed, is stuck, or whose file is gone from storage;
    anything else is left as it is (a second click on "Try again" queues nothing more).
    """
    with transaction.atomic():
        if export.state == Export.State.FAILED:
            _queue_again(export, Q(state=Export.State.FAILED))
        elif is_stuck(export):
            _queue_again(export, Q(state__in=[Export.State.QUEUED, Export.State.BUILDING]))
        elif export.state == Export.State.READY and not _file_exists(export):
            _queue_again(export, Q(state=Export.State.READY))
    return Export.objects.get(pk=export.pk)


def is_stuck(export: Export) -> bool:
    """Queued or being built for longer than the task lease: its task was lost."""
    since = timezone.now() - tasks.lease()
    if export.state == Export.State.QUEUED:
        return export.created_at < since
    if export.state == Export.State.BUILDING:
        return export.started_at is None or export.started_at < since
    return False


def _queue_again(export: Export, current_state: Q) -> None:
    # Conditional, so that two requests at once queue it once; "requested" moves to now,
    # so that it is not stuck again before its new task had its chance.
    queued = Export.objects.filter(current_state, pk=export.pk).update(
        state=Export.State.QUEUED,
        error="",
        created_at=timezone.now(),
        started_at=None,
        finished_at=None,
    )
    if queued:
        _build_on_commit(export.pk)


def _build_on_commit(export_id: int) -> None:
    transaction.on_commit(
        functools.partial(tasks.build_export.enqueue, export_id=export_id), robust=True
    )


def _file_exists(export: Export) -> bool:
    return bool(export.file.name) and default_storage.exists(export.file.name)
