"""
``/healthz``: is this app server able to serve pages?

Load balancers and orchestrators ask it every few seconds to decide whether to send traffic
here. It answers 200 when every configured database answers a trivial query and 503 when
one does not, with a small JSON body saying which. It reads nothing else, so it stays
cheap, and it is never cached.
"""

import logging

from django.db import DatabaseError, connections
from django.http import JsonResponse
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
