"""
What every answer under /api/ gets, whichever view or middleware produced it.

- **Problem details** for every error (``problems``): DRF's own errors already are; a 400
  from a middleware, Django's error pages and a view that crashed are turned into them
  here (a crash is logged first, as Django would have).
- **Conditional requests**: an ``ETag`` (a hash of the body) on every successful read, and
  ``If-None-Match`` / ``If-Modified-Since`` (against the ``Last-Modified`` a view set from
  its objects) answered with 304, so that a script polling for changes costs a hash, not
  a transfer.
- **Caching and CORS**: the answer depends on the token (``Vary: Authorization``) and on
  nothing a browser's cookies say; responses to token requests are private and never carry
  ``Access-Control-Allow-Origin``, so that only anonymous reads are open to other sites'
  pages (django-cors-headers adds the headers; the preflight already refuses
  ``Authorization``: settings.CORS_ALLOW_HEADERS).

It sits outside django-cors-headers and every middleware that can refuse a request, so that
it sees their answers too.
"""

import hashlib
import logging

from django.db import InterfaceError, OperationalError
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

from . import problems

PREFIX = "/api/"
# Seconds a client is asked to wait when the database is briefly out of reach.
RETRY_AFTER_UNAVAILABLE = 5
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers")
# What a successful answer does not depend on: it is the same in every language and with
# any cookie (the API reads no session).
NOT_VARYING = {"cookie", "accept-language"}

logger = logging.getLogger("django.request")


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        with_token = "HTTP_AUTHORIZATION" in request.META
        _cache_headers(response, private=with_token)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response = _conditional(request, response)
        if response.status_code >= 400:
            response = problems.as_problem(request, response)
        if with_token:
            for name in CORS_HEADERS:
                if name in response:
                    del response[name]
        return response

    def process_exception(self, request, exception):
        """A view under /api/ crashed: logged, and answered as a problem (503 if the database)."""
        if not request.path_info.startswith(PREFIX):
            return None
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        if isinstance(exception, OperationalError | InterfaceError):
            answer = problems.response(request, 503)
            answer["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
        else:
            answer = problems.response(request, 500)
        # Logged above, with its traceback: Django need not log it again.
        answer._has_been_logged = True  # type: ignore[attr-defined]
        return answer


def _cache_headers(response, *, private: bool) -> None:
    """Revalidate every time (the ETag makes that cheap); a member's answers are theirs alone."""
    patch_vary_headers(response, ("Authorization",))
    if response.status_code < 400:
        kept = [
            name.strip()
            for name in response.get("Vary", "").split(",")
            if name.strip() and name.strip().lower() not in NOT_VARYING
        ]
        response["Vary"] = ", ".join(kept)
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, no_cache=True)


def _conditional(request, response):
    """Add the ETag; answer 304 (or 412) when the client's copy is current."""
    if response.streaming:
        return response
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
    response["ETag"] = etag
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    if answer is None:
        return response
    if answer is not response:
        for name in CORS_HEADERS:
            if name in response:
                answer[name] = response[name]
    return answer
