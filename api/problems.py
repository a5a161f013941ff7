"""
Errors as RFC 9457 problem details: every 4xx and 5xx under /api/ is a JSON object of
``type``, ``title``, ``status``, ``detail`` and ``instance``, served as
``application/problem+json``, whoever raised it.

Three paths lead here: DRF's own exceptions and ours (``exception_handler``, the
``EXCEPTION_HANDLER`` of settings.REST_FRAMEWORK); an error response that something else
produced under /api/, a 400 from a middleware or a view's crash (``ApiMiddleware`` hands
it to ``as_problem``); and unknown addresses under /api/ (``views.not_found``).

``type`` is ``about:blank`` throughout (the status says what happened); ``code`` is a
stable, machine-readable word for what went wrong (``invalid_cursor``,
``unknown_parameter``, ``not_found``...), and ``errors`` names each parameter at fault.
"""

import http
import math
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

CONTENT_TYPE = "application/problem+json"

# The titles of the statuses the API answers; any other takes its English reason phrase.
TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Unauthorized"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    406: gettext_lazy("Not acceptable"),
    415: gettext_lazy("Unsupported media type"),
    429: gettext_lazy("Too many requests"),
    500: gettext_lazy("Internal server error"),
    503: gettext_lazy("Service unavailable"),
}
# What a status means, for an error response that came with no explanation of its own.
DETAILS = {
    400: gettext_lazy("The request could not be understood."),
    404: gettext_lazy("There is nothing at this address."),
    500: gettext_lazy("Something went wrong on our side. It has been logged; please try again."),
    503: gettext_lazy("The site is briefly unavailable. Please try again in a moment."),
}


class InvalidParameters(exceptions.APIException):
    """A query parameter whose value the endpoint cannot take (``errors``: name -> messages)."""

    status_code = 400
    default_code = "invalid_parameter"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        names = ", ".join(sorted(errors))
        super().__init__(
            _("Invalid value for %(names)s: see “errors”.") % {"names": names},
            code=self.default_code,
        )


class UnknownParameters(exceptions.APIException):
    """Query parameters the endpoint does not know: a typo would otherwise filter nothing."""

    status_code = 400
    default_code = "unknown_parameter"

    def __init__(self, unknown: list[str], known: list[str]):
        self.errors = {name: [_("Unknown parameter.")] for name in unknown}
        super().__init__(
            _("Unknown parameters: %(unknown)s. This endpoint takes: %(known)s.")
            % {
                "unknown": ", ".join(unknown),
                "known": ", ".join(known) if known else _("none"),
            },
            code=self.default_code,
        )


class InvalidCursor(exceptions.APIException):
    """A ``cursor`` this API did not hand out, or not for this list."""

    status_code = 400
    default_code = "invalid_cursor"
    default_detail = gettext_lazy(
        "This cursor is not valid here: use the “next” address of a page as given, or start "
        "again from the first page."
    )


def title(status: int) -> str:
    found = TITLES.get(status)
    if found is not None:
        return str(found)
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def body(
    status: int,
    *,
    detail: str,
    instance: str,
    code: str,
    errors: dict | None = None,
) -> dict:
    """The problem details object (see the module's docstring)."""
    problem = {
        "type": "about:blank",
        "title": title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if errors:
        problem["errors"] = errors
    return problem


def exception_handler(exc, context) -> Response | None:
    """DRF's exceptions (and Django's 404 and 403) as problem details; None for a crash."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a crash: ApiMiddleware answers it, after Django has logged nothing
    request = context["request"]
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    errors = getattr(exc, "errors", None)
    if isinstance(exc.detail, dict | list):  # a DRF ValidationError: its messages by field
        detail = str(exceptions.ValidationError.default_detail)
        errors = errors or exc.detail
        code = "invalid_parameter"
    else:
        detail = str(exc.detail)
        code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
    set_rollback()
    return Response(
        body(exc.status_code, detail=detail, instance=request.path, code=code, errors=errors),
        status=exc.status_code,
        headers=headers,
        content_type=CONTENT_TYPE,
    )


def status_word(status: int) -> str:
    """A status as a ``code``: 404 -> "not_found"."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return re.sub(r"[^a-z]+", "_", phrase.lower()).strip("_")


def response(
    request: HttpRequest, status: int, *, detail: str = "", code: str = ""
) -> HttpResponse:
    """A problem details response made outside DRF (middleware, Django's error views)."""
    detail = detail or str(DETAILS.get(status, title(status)))
    code = code or status_word(status)
    return JsonResponse(
        body(status, detail=detail, instance=request.path, code=code),
        status=status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def as_problem(request: HttpRequest, answer: HttpResponse) -> HttpResponse:
    """
    An error response made elsewhere (Django's 400 page, a middleware's refusal) as problem
    details, keeping the headers that say what to do next (Allow, Retry-After...).
    """
    if answer.get("Content-Type", "").startswith(CONTENT_TYPE):
        return answer
    problem = response(request, answer.status_code)
    for name, value in answer.items():
        if name.lower() not in {"content-type", "content-length"}:
            problem[name] = value
    return problem
