"""
Which language a request is served in, and a page's address in each language.

English pages are unprefixed and French ones live under ``/fr/`` (``config.urls``), so each
page has one stable URL per language. What a reader prefers (their own setting if they are
signed in and chose one, then the language cookie the switcher sets, then their browser's
``Accept-Language``) only decides where a visit to an English address is sent.
"""

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import (
    get_language_from_path,
    get_language_from_request,
    get_supported_language_variant,
    override,
)

OFFERED = frozenset(code for code, _name in settings.LANGUAGES)


def offered(code: str | None) -> str | None:
    """``code`` as one of the site's languages ("fr-CA" is "fr"), or None if not offered."""
    if not code:
        return None
    try:
        language = get_supported_language_variant(code)
    except LookupError:
        return None
    return language if language in OFFERED else None


def preferred_language(request: HttpRequest) -> str:
    """
    The language this reader would choose: a member's own setting, then the cookie, then
    ``Accept-Language``; English when none of them names a language the site offers.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = offered(getattr(user, "language", ""))
        if chosen:
            return chosen
    return offered(get_language_from_request(request)) or settings.LANGUAGE_CODE


def language_url(path: str, language: str) -> str:
    """The same page in ``language`` (a path not served in several languages stays as is)."""
    # The path is read in its own language: "/fr/..." resolves only while French is active.
    with override(get_language_from_path(path) or settings.LANGUAGE_CODE):
        return translate_url(path, language)
