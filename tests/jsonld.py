"""
Reading the site's JSON-LD as a JSON-LD processor does (PyLD), with no network: the
contexts it names are served from tests/data/ (see its README).
"""

import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from pyld import jsonld

DATA = Path(__file__).parent / "data"
SCHEMA = "https://schema.org/"
CONTEXTS = {
    "https://schema.org": "schema.org.jsonld",
    "https://schema.org/": "schema.org.jsonld",
    "http://www.w3.org/ns/anno.jsonld": "anno.jsonld",
}
# JSON-LD's own words, which are not schema.org's.
KEYWORDS = {"@id", "@type", "@value", "@language", "@list", "@set", "@index", "@graph"}


@functools.cache
def _context(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def load_document(url, options=None):
    """PyLD's document loader: the stored contexts, and nothing from the network."""
    if url not in CONTEXTS:
        raise LookupError(f"no stored document for {url}: the tests fetch nothing")
    return {"contextUrl": None, "documentUrl": url, "document": _context(CONTEXTS[url])}


def expand(data) -> list:
    return jsonld.expand(data, {"documentLoader": load_document})


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        self._open = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._open:
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.blocks[-1] += data


def blocks(html: str) -> list[str]:
    """The text of every ``<script type="application/ld+json">`` of a page, as a browser cuts it."""
    parser = _Blocks()
    parser.feed(html)
    return parser.blocks


def json_ld(html: str) -> list[dict]:
    """Every JSON-LD block of a page, parsed."""
    return [json.loads(block) for block in blocks(html)]


@functools.cache
def schema_terms() -> tuple[frozenset[str], frozenset[str]]:
    """schema.org's type names and property names (tests/data/schemaorg-terms.txt)."""
    types, properties, section = set(), set(), None
    for line in (DATA / "schemaorg-terms.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line in ("[types]", "[properties]"):
            section = types if line == "[types]" else properties
            continue
        section.add(line.strip())
    return frozenset(types), frozenset(properties)


def foreign_terms(expanded) -> list[str]:
    """Types and properties of expanded JSON-LD that are not schema.org's."""
    types, properties = schema_terms()
    found = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "@type":
                for name in value if isinstance(value, list) else [value]:
                    if not (name.startswith(SCHEMA) and name.removeprefix(SCHEMA) in types):
                        found.append(f"type {name}")
            elif key in KEYWORDS:
                walk(value)
            else:
                if not (key.startswith(SCHEMA) and key.removeprefix(SCHEMA) in properties):
                    found.append(f"property {key}")
                walk(value)

    walk(expanded)
    return found


def nodes_of_type(data, name: str) -> list[dict]:
    """Every object of ``data`` (compact, as written) whose ``@type`` is ``name``."""
    found = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("@type") == name:
                found.append(node)
            for value in node.values():
                walk(value)

    walk(data)
    return found


SCRIPT_END = re.compile(r"</script", re.IGNORECASE)
