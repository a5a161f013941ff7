"""
Deployment checks for the limits that keep the site civil (``manage.py check --deploy``).

Rate limits, ours and allauth's, count in the default cache. A cache private to each
process (local memory, or none) lets every gunicorn worker count on its own: with four
workers a member gets four times the posts, and a guesser twenty passwords instead of
five. Production therefore needs a cache shared by every process (``REDIS_URL``).
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            "The default cache is private to each process, so rate limits count per "
            "process and do not hold.",
            hint="Set REDIS_URL to a Redis server that every app server shares.",
            id="journal_club.E001",
        )
    ]
