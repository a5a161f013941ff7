"""The language switcher and the ``hreflang`` alternates of every page."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info

from core.languages import language_url

register = template.Library()


@register.inclusion_tag("_languages.html", takes_context=True)
def language_switcher(context):
    """A link to this page in each other language, through the view that remembers the choice."""
    request = context.get("request")
    path = request.path if request is not None else "/"
    current = get_language()
    links = [
        {
            "code": code,
            "name": capfirst(get_language_info(code)["name_local"]),
            "url": f"{reverse('language', kwargs={'code': code})}?{urlencode({'next': path})}",
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]
    return {"links": links, "current": capfirst(get_language_info(current)["name_local"])}


# Languages whose names are common nouns, written in lower case ("en français").
LOWER_CASE_NAMES = {"fr"}


@register.filter
def language_name(code: str) -> str:
    """A language's name in the reader's language, cased as a word inside a sentence."""
    try:
        name = str(get_language_info(code)["name_translated"])
    except KeyError:
        return code
    return name.lower() if get_language() in LOWER_CASE_NAMES else name


@register.inclusion_tag("_hreflang.html", takes_context=True)
def hreflang_links(context):
    """``<link rel="alternate" hreflang>`` for this page in every language, English as default."""
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return {"links": []}
    links = [
        {"code": code, "url": request.build_absolute_uri(language_url(request.path, code))}
        for code, _name in settings.LANGUAGES
    ]
    if len({link["url"] for link in links}) < len(links):
        return {"links": []}  # a page served in one language only
    links.append({"code": "x-default", "url": links[0]["url"]})
    return {"links": links}
