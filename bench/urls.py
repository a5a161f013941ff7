"""The site's URLs plus ``/bench/minimal/``, which exists only under bench.settings."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns


@require_GET
def minimal(request):
    """The cheapest response Django gives through the site's middleware: the floor."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench-minimal"), *site_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
