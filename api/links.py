"""
The absolute addresses in every object: ``url``, its page on the site, and ``api_url``.

Both start from ``settings.JOURNAL_CLUB_BASE_URL``, the site's public address, whatever
host the request came through, and a page's address is its English one (the canonical,
unprefixed address; the French page is its ``/fr/`` twin), whatever language the request
asked for: the same object always carries the same addresses.
"""

import functools
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import translation

# Stand-ins for a URL's arguments while its pattern is reversed: digits, which every
# converter the site uses (int, slug, str) accepts, and which no address holds otherwise.
_STAND_INS = tuple(str(10**17 + position) for position in range(4))
# What Django's reverse() leaves unquoted in an argument (RFC 3986's sub-delimiters, and
# the characters it keeps for paths).
_SAFE = "!$&'()*+,;=/~:@"


@functools.lru_cache(maxsize=256)
def _pattern(name: str, arity: int) -> str:
    # Reversed once per kind of address, not once per object: a walk through a thousand
    # comments names a thousand comments, and reverse() was a third of each page's time.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=_STAND_INS[:arity])


def _path(name: str, args: tuple) -> str:
    path = _pattern(name, len(args))
    for stand_in, value in zip(_STAND_INS, args, strict=False):
        path = path.replace(stand_in, quote(str(value), safe=_SAFE), 1)
    return path


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
