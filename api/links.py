"""
The absolute addresses in every object: ``url``, its page on the site, and ``api_url``.

Both start from ``settings.JOURNAL_CLUB_BASE_URL``, the site's public address, whatever
host the request came through, and a page's address is its English one (the canonical,
unprefixed address; the French page is its ``/fr/`` twin), whatever language the request
asked for: the same object always carries the same addresses.
"""

import functools

from django.conf import settings
from django.urls import reverse
from django.utils import translation


@functools.lru_cache(maxsize=8192)
def _path(name: str, args: tuple) -> str:
    # Reversed once per address and kept: a page of 200 comments names each author's
    # profile many times over.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def site_url(name: str, *args) -> str:
    """The absolute address of a page of the site (``site_url("discussions:detail", slug)``)."""
    return settings.JOURNAL_CLUB_BASE_URL + _path(name, args)


def api_url(name: str, *args) -> str:
    """The absolute address of an API resource (``api_url("club-detail", slug)``)."""
    return settings.JOURNAL_CLUB_BASE_URL + _path(f"api:{name}", args)


def absolute(path: str) -> str:
    """A path of this site (an upload's ``/media/...``) as an absolute address."""
    if path.startswith(("https://", "http://")):
        return path
    return settings.JOURNAL_CLUB_BASE_URL + path
