"""
Refusals that htmx can show.

htmx does not swap error responses into the page, so for its requests a refusal answers
with its status and a short message in an ``X-Message`` header, which static/js/thread.js
puts next to the form that failed; the form, not swapped, keeps what was typed.
"""

from urllib.parse import quote

from django.http import HttpResponse


def htmx_refusal(status: int, message: str, *, retry_after: int | None = None) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["X-Message"] = quote(message)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
