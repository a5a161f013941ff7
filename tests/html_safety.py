"""Structural checks that rendered HTML holds nothing executable."""

import re
from html.parser import HTMLParser

from core.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
)

# What a browser does before it reads a URL's scheme (WHATWG URL standard): strip leading
# and trailing C0 controls and spaces, drop every tab and newline. So " java\tscript:" is
# still javascript:.
_URL_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)  # attribute values arrive with entities decoded
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def url_scheme(url: str) -> str:
    """The scheme a browser would see in ``url``, lower-cased; "" for a relative URL."""
    url = _TAB_OR_NEWLINE.sub("", _URL_EDGES.sub("", url))
    match = _SCHEME.match(url)
    return match[1].lower() if match else ""


def unsafe_parts(html: str) -> list[str]:
    """Everything in ``html`` outside the allow-lists: tags, attributes, classes, schemes."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    problems = []
    for tag, attrs in collector.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name == "class" and tag in ALLOWED_CLASSES:
                problems.extend(
                    f"class {css_class} on <{tag}>"
                    for css_class in (value or "").split()
                    if css_class not in ALLOWED_CLASSES[tag]
                )
            elif name not in allowed:
                problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and value is not None:
                scheme = url_scheme(value)
                if scheme and scheme not in ALLOWED_URL_SCHEMES:
                    problems.append(f"link scheme {scheme}:")
    return problems
