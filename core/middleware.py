"""Send readers to the pages of the language they prefer (``core.languages``)."""

import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path
from django.utils.translation.trans_real import language_code_re

from .languages import OFFERED, language_url, preferred_language

# Every language code Django knows of, offered here or not.
_KNOWN = frozenset(code.split("-")[0] for code in LANG_INFO)
# A first path segment that looks like a language code ("/de/...", "/pt-br/...").
_PREFIX = re.compile(r"^/([^/]+)(/.*)$")


class PreferredLanguageMiddleware:
    """
    A GET for a page at its English address, from a reader who prefers French, is
    redirected to the French address (and the other way round would need no redirect:
    the French address names its language). Fragments that htmx asks for, feeds and
    anything but GET and HEAD are served as addressed. An address under a language
    the site does not offer ("/de/...") is sent to the English page, not a 404.

    Runs after the authentication middleware, to read a member's own setting; a visitor
    costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and get_language_from_path(request.path_info) is None:
            redirect = self._redirect(request)
            if redirect is not None:
                return redirect
            response = self.get_response(request)
            # The answer at an English address depends on who asks.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response
        return self.get_response(request)

    def _redirect(self, request) -> HttpResponseRedirect | None:
        unoffered = _unoffered_prefix(request.path_info)
        if unoffered is not None:
            return HttpResponseRedirect(_with_query(unoffered, request))
        if request.headers.get("HX-Request"):
            return None
        language = preferred_language(request)
        if language == settings.LANGUAGE_CODE:
            return None
        target = language_url(request.path, language)
        if target == request.path:
            return None  # not a page served in several languages
        return HttpResponseRedirect(_with_query(target, request))


def _unoffered_prefix(path: str) -> str | None:
    """ "/de/papers/x/" -> "/papers/x/" when "de" is a language code the site does not offer."""
    found = _PREFIX.match(path)
    if not found:
        return None
    code, rest = found.groups()
    if code in OFFERED or not language_code_re.fullmatch(code) or len(code) > 7:
        return None
    if code.split("-")[0].lower() not in _KNOWN:
        return None
    try:
        resolve(rest)
    except Resolver404:
        return None
    return rest


def _with_query(path: str, request) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path
