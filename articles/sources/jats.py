"""
JATS abstracts (as Crossref serves them) to clean text sections.

Crossref gives an abstract as a JATS XML fragment with a ``jats:`` prefix and no namespace
declaration, e.g. ``<jats:sec><jats:title>Background</jats:title><jats:p>…</jats:p>
</jats:sec>``. Being a fragment it is not well-formed XML, so it is read with the standard
library's tolerant HTML parser: ``sec`` starts a section, its ``title`` is the heading,
each ``p`` a paragraph; inline markup (italics, sub/superscripts, MathML, links) keeps its
text and loses its tags; entities are decoded.

A JATS abstract without ``sec`` elements may still label its sections inline
("<jats:p>Background: … Methods: …</jats:p>"): that case goes through
``abstracts.split_abstract``.
"""

from html.parser import HTMLParser

from .abstracts import split_abstract, tidy

_BLOCKS = {"p", "list-item", "disp-quote", "statement"}
_IGNORED = {"label", "xref-group", "fig", "table-wrap", "graphic", "object-id"}
# Titles that name the whole abstract rather than a section of it.
_ABSTRACT_TITLES = {"abstract", "summary", "graphical abstract"}


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].lower()


class _JatsReader(HTMLParser):
    """Collect (heading, [paragraphs]) pairs; text outside any paragraph is a paragraph."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self._title: list[str] | None = None
        self._paragraph: list[str] = []
        self._ignored_depth = 0

    def handle_starttag(self, tag, attrs):
        name = _local(tag)
        if self._ignored_depth or name in _IGNORED:
            self._ignored_depth += 1
            return
        if name == "sec":
            self._flush()
            self.sections.append(("", []))
        elif name == "title":
            self._flush()
            self._title = []
        elif name in _BLOCKS:
            self._flush()
        elif name == "break":
            self._paragraph.append(" ")

    def handle_startendtag(self, tag, attrs):
        if _local(tag) == "break":
            self._paragraph.append(" ")

    def handle_endtag(self, tag):
        name = _local(tag)
        if self._ignored_depth:
            self._ignored_depth -= 1
            return
        if name == "title" and self._title is not None:
            title = " ".join("".join(self._title).split())
            self._title = None
            heading, paragraphs = self.sections[-1]
            if title.lower() in _ABSTRACT_TITLES and not paragraphs and not heading:
                return
            if heading or paragraphs:
                self.sections.append((title, []))
            else:
                self.sections[-1] = (title, paragraphs)
        elif name in _BLOCKS or name == "sec":
            self._flush()

    def handle_data(self, data):
        if self._ignored_depth:
            return
        (self._title if self._title is not None else self._paragraph).append(data)

    def _flush(self):
        text = " ".join("".join(self._paragraph).split())
        self._paragraph = []
        if text:
            self.sections[-1][1].append(text)

    def close(self):
        super().close()
        self._flush()


def jats_to_text(markup: str) -> str:
    """Inline JATS or HTML (a title with <i>…</i>, say) as plain text."""
    reader = _JatsReader()
    reader.feed(markup or "")
    reader.close()
    return " ".join(" ".join(p for _h, ps in reader.sections for p in ps).split())


def jats_to_sections(markup: str) -> list[tuple[str, str]]:
    """A JATS abstract as (heading, text) sections, paragraphs separated by blank lines."""
    reader = _JatsReader()
    reader.feed(markup or "")
    reader.close()
    sections: list[tuple[str, str]] = []
    for heading, paragraphs in reader.sections:
        body = tidy("\n\n".join(paragraphs))
        if not body:
            continue
        if not heading and sections and not sections[-1][0]:
            # Consecutive untitled parts are one unlabelled section.
            sections[-1] = ("", f"{sections[-1][1]}\n\n{body}")
        else:
            sections.append((heading, body))
    if len(sections) == 1 and not sections[0][0]:
        return split_abstract(sections[0][1])
    return sections
