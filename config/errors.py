"""
Error responses that htmx can show.

htmx does not swap error responses into the page, so for its requests these answer with the
status and a short message in an ``X-Message`` header, which static/js/thread.js puts next
to the form that failed. Other requests get the usual styled error pages.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import csrf, defaults

from core.errors import htmx_refusal, is_htmx

# Seconds a client is asked to wait when the database is briefly out of reach (a restart,
# a fail-over: typically well under a second).
RETRY_AFTER_UNAVAILABLE = 5


def permission_denied(request, exception=None):
    """403: the reason the rule gave (e.g. "This discussion is closed…")."""
    if is_htmx(request):
        message = str(exception) if exception and str(exception) else _("You may not do that.")
        return htmx_refusal(403, message)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """404: for htmx, usually a comment that was removed meanwhile."""
    if is_htmx(request):
        return htmx_refusal(
            404, _("That no longer exists: it may have been deleted. Reload the page.")
        )
    return defaults.page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """403 for a missing or stale security token: nothing was saved."""
    if is_htmx(request):
        return htmx_refusal(
            403,
            _(
                "Your page is out of date (its security token expired). Nothing was saved: "
                "copy your text, reload the page and send it again."
            ),
        )
    return csrf.csrf_failure(request, reason=reason)


def server_error(request):
    """
    500, or 503 when the cause is the database being out of reach for a moment: the page
    says to try again shortly, with ``Retry-After``, and renders without the database.
    """
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _("The site is briefly unavailable. Nothing was lost; please try again in a moment.")
    if is_htmx(request):
        response = htmx_refusal(503, message)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response
