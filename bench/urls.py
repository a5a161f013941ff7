"""
The site's URLs plus ``/bench/minimal/`` and ``/bench/bytes/<size>/``, which exist only
under bench.settings.
"""

from functools import cache

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns


@require_GET
def minimal(request):
    """The cheapest response Django gives through the site's middleware: the floor."""
    return HttpResponse("ok", content_type="text/plain")


@cache
def _body(size: int) -> bytes:
    return b"x" * size


@require_GET
def sized(request, size):
    """The minimal view with a body of ``size`` bytes: what moving a page's bytes costs."""
    return HttpResponse(_body(min(size, 10_000_000)), content_type="text/html")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("bench/bytes/<int:size>/", sized, name="bench-bytes"),
    *site_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
