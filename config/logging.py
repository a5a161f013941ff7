"""
Structured logs: one JSON object per line, and one line per request.

Log collectors (journald, Loki, CloudWatch, …) index JSON fields without a parser of their
own, so production writes every record through ``JSONFormatter``; ``DJANGO_LOG_FORMAT=text``
gives plain lines for a terminal. ``RequestLogMiddleware`` adds one record per request with
its method, path, status and duration, and the request id a proxy sent (``X-Request-ID``)
or a fresh one, which the response echoes so a report can be matched to its log line.
"""

import datetime
import json
import logging
import re
import time
import uuid

request_logger = logging.getLogger("journal_club.request")

# A request id from outside is kept only if it is short and plain (it ends up in logs).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Attributes every LogRecord has; anything else on a record came through ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class RequestLogMiddleware:
    """Log every request once, after its response: what was asked, the answer, how long."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        status = response.status_code
        # Only a user that the request already loaded: looking one up here would cost a
        # query on requests that never needed it.
        user = getattr(request, "_cached_user", None)
        request_logger.log(
            _level(request.path, status),
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "request_id": request_id,
                "method": request.method,
                # The path without its query string, cut short: query strings may hold
                # search terms or tokens, and anyone can send a huge one.
                "path": request.path[:300],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None),
                "htmx": request.headers.get("HX-Request") == "true",
            },
        )
        return response


def _level(path: str, status: int) -> int:
    if status >= 500:
        return logging.ERROR
    if path == "/healthz":  # load balancers ask every few seconds
        return logging.DEBUG
    return logging.INFO
