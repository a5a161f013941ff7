"""
What every page's header shows of the signed-in reader beyond their account (the unread
count of the notification bell, say), for the keys of pages cached whole for one reader.

An app that puts something of the reader's own into every page registers a function here
at start-up (in its ``AppConfig.ready``); an app below it, caching a page for a reader,
asks ``reader_parts`` without importing the app above.
"""

from collections.abc import Callable

from django.http import HttpRequest

_parts: list[Callable[[HttpRequest], object]] = []


def add_reader_part(part: Callable[[HttpRequest], object]) -> None:
    """Register ``part(request)``: something of the reader's own that every page shows."""
    if part not in _parts:
        _parts.append(part)


def reader_parts(request: HttpRequest) -> tuple:
    """Every registered part, for this request's reader."""
    return tuple(part(request) for part in _parts)
