"""
``/healthz``: is this app server able to serve pages? ``/healthz/tasks``: is the background
worker keeping up?

Load balancers and orchestrators ask ``/healthz`` every few seconds to decide whether to
send traffic here. It answers 200 when every configured database answers a trivial query
and 503 when one does not, with a small JSON body saying which. It reads nothing else, so
it stays cheap, and it is never cached.

Both are answered by ``HealthCheckMiddleware``, ahead of the session, authentication and
host checks, so that a probe is answered the same whatever cookies or Host header it sends
and never needs the database for anything but the check itself. (The URL patterns exist
too, so that they can be reversed.)
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Min
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """200 with ``{"status": "ok"}`` when every database answers, else 503."""
    databases = {}
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("Health check: database %r is unavailable", alias)
            databases[alias] = "unavailable"
        else:
            databases[alias] = "ok"
    healthy = all(state == "ok" for state in databases.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "databases": databases},
        status=200 if healthy else 503,
    )


@never_cache
@require_safe
def tasks(request):
    """
    200 while the worker keeps up, 503 when a task has waited longer than
    ``JOURNAL_CLUB_TASKS_STALE`` seconds (no worker running, or too few) or the database
    does not answer: for an uptime monitor, so that a dead worker is never silent.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.ready()
        waiting = ready.count()
        oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    except DatabaseError:
        logger.exception("Health check: the task queue cannot be read")
        return JsonResponse({"status": "unavailable"}, status=503)
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    stale = waited > settings.JOURNAL_CLUB_TASKS_STALE
    return JsonResponse(
        {
            "status": "behind" if stale else "ok",
            "waiting": waiting,
            "running": running,
            "oldest_wait_seconds": round(waited, 1),
        },
        status=503 if stale else 200,
    )


class HealthCheckMiddleware:
    """Answer the health checks before anything that reads a session or checks the host."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.checks = {reverse("healthz"): healthz, reverse("healthz-tasks"): tasks}

    def __call__(self, request):
        check = self.checks.get(request.path_info)
        if check is not None:
            return check(request)
        return self.get_response(request)
