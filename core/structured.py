"""
What every app's schema.org description (JSON-LD, ``<app>/structured.py``) is made with:
the context, the script element a page carries it in, full URLs, dates and plain text.

The builders are plain functions from what a page already read to dicts; ``base`` is the
site's address as the reader reached it ("https://club.example.org"), which every URL in
them starts with, as search engines and reference managers want full URLs.
"""

import datetime
import json
import re
from html.parser import HTMLParser

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

CONTEXT = "https://schema.org"
# As Django's json_script: a "</script>" or "<!--" in a text cannot end the element, and
# nothing reads as markup to an HTML parser.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def to_json(data) -> str:
    """``data`` as compact JSON (UTF-8 kept), safe inside a script element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


def script(data) -> SafeString:
    """
    ``<script type="application/ld+json">`` holding ``data`` (with the schema.org context
    unless it names its own); nothing for no data. Browsers never run it, so the CSP,
    which allows no inline script, does not concern it.
    """
    if not data:
        return SafeString("")
    if isinstance(data, dict) and "@context" not in data:
        data = {"@context": CONTEXT, **data}
    return mark_safe(f'<script type="application/ld+json">{to_json(data)}</script>')  # noqa: S308 - escaped by to_json


def base_url(request=None) -> str:
    """The site's address as this request reached it (without a slash at the end)."""
    if request is None:
        return settings.JOURNAL_CLUB_BASE_URL
    return request.build_absolute_uri("/").rstrip("/")


def iso(moment: datetime.datetime | datetime.date | None) -> str | None:
    """A moment in ISO 8601, with the offset of the current time zone (None stays None)."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()


def site(base: str) -> dict:
    """The site itself, as a ``WebSite``: what every page is part of."""
    return {
        "@type": "WebSite",
        "name": gettext("Journal Club"),
        "url": base + reverse("discussions:home"),
    }


def page_url(request) -> str:
    """This page's full address, with its page number past the first (as its canonical link)."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if _PAGE_NUMBER.fullmatch(page) and int(page) > 1:
        url = f"{url}?page={int(page)}"
    return url


def web_page(request, *, type: str = "WebPage", name: str = "", **properties) -> dict:
    """
    This page as a ``WebPage`` (or a kind of one: ``CollectionPage``, ``ProfilePage``...):
    its name, its address (with its page number past the first), its language, the site.
    """
    base = base_url(request)
    return compact(
        {
            "@type": type,
            "name": str(name or gettext("Journal Club")),
            "url": page_url(request) if request is not None else base,
            "inLanguage": get_language(),
            "isPartOf": site(base),
            **properties,
        }
    )


def compact(data: dict) -> dict:
    """``data`` without its empty values: schema.org readers take no value over an empty one."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def item_list(items: list[dict], *, start: int = 1) -> dict:
    """An ``ItemList`` of these things, each a ``ListItem`` numbered from ``start``."""
    return {
        "@type": "ItemList",
        "numberOfItems": len(items),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "item": item}
            for position, item in enumerate(items, start=start)
        ],
    }


_BLOCKS = {"p", "div", "li", "ul", "ol", "blockquote", "pre", "table", "tr", "h1", "h2", "h3",
           "h4", "h5", "h6", "br", "hr"}  # fmt: skip
# A page number as a page's address repeats it: ASCII digits, short enough for ``int``.
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\s*\n\s*")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0  # inside MathML's annotation: the TeX source, not the text

    def handle_starttag(self, tag, attrs):
        if tag == "annotation":
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "annotation":
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:  # a line break in the source is a space in the text
            self.parts.append(data.replace("\n", " "))


def plain_text(markup: str, *, limit: int | None = None) -> str:
    """
    Sanitised HTML (a rendered comment or commentary) as plain text: paragraphs on lines
    of their own, cut at ``limit`` characters on a word boundary (with an ellipsis).
    """
    parser = _Text()
    parser.feed(markup or "")
    parser.close()
    text = _LINES.sub("\n", _SPACES.sub(" ", "".join(parser.parts))).strip()
    if limit is not None and len(text) > limit:
        text = Truncator(text).chars(limit)
    return text
