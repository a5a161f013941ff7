"""
Markdown for commentary, comments and members' bios: CommonMark in, safe HTML out.

It lives below the apps (it imports none of them), so that any app may render Markdown;
what is app-specific, such as which @handles are members, is passed in by the caller.

Two independent layers keep hostile input harmless:

1. The parser never passes raw HTML through (``html=False``: a ``<script>`` in the source
   becomes visible text). Everything in the output is markup that this module wrote.
2. The output then goes through nh3, an allow-list sanitiser: only the tags, attributes
   and classes below survive, links may only use http, https or mailto (or be relative),
   and every link gets ``rel="nofollow ugc noopener"``.

Maths: ``$…$`` (inline) and ``$$…$$`` (display) become MathML on the server, so readers
need no script. latex2mathml does the conversion; its output is re-serialised here with
its text escaped and only the attributes MathML needs for layout, with bounded lengths (no
colours, links, styles or classes, no negative or page-sized spacing). TeX that cannot
be converted is shown as code (``<code class="math-error">``), never an error. Amounts
of money ("$5 and $10") stay text: an opening ``$`` must touch the formula and a closing
one must not be followed by a digit.

Mentions: ``@handle`` in ordinary text (not in code, maths, links or email addresses)
becomes a link to the member's profile, but only for handles the caller's ``mention_urls``
resolver knows. ``\\@handle`` is left as text. ``find_mentions`` returns the candidates.
"""

import html
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any
from xml.etree.ElementTree import Element

import nh3
from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin

HTML_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "a", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Exactly the elements latex2mathml emits and the attributes that affect layout. Left out
# on purpose: links (href), style, class, colours (mathcolor, mathbackground), mathsize
# (nested \Huge compounds without limit), mpadded's sizes (\smash, \llap: content laid
# over other text), and maction, semantics, annotation(-xml), which latex2mathml never
# writes and which could carry other markup.
MATHML_ATTRIBUTES = {
    "math": {"display"},
    "mrow": set(),
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mo": {
        "mathvariant", "accent", "fence", "form", "largeop", "lspace", "rspace",
        "minsize", "maxsize", "movablelimits", "separator", "stretchy",
    },
    "mtext": {"mathvariant"},
    "mspace": {"width", "height", "depth", "linebreak"},
    "msup": set(),
    "msub": set(),
    "msubsup": set(),
    "mfrac": {"linethickness"},
    "msqrt": set(),
    "mroot": set(),
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mtable": {
        "columnalign", "columnlines", "columnspacing", "displaystyle", "rowlines", "rowspacing",
    },
    "mtr": set(),
    "mtd": {"columnalign"},
    "mstyle": {"displaystyle", "scriptlevel"},
    "menclose": {"notation"},
    "mpadded": set(),
    "mphantom": set(),
}  # fmt: skip
MATHML_TAGS = set(MATHML_ATTRIBUTES)
ALLOWED_TAGS = HTML_TAGS | MATHML_TAGS
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    **{tag: attributes for tag, attributes in MATHML_ATTRIBUTES.items() if attributes},
}
# The only classes that survive, each on one tag (a class attribute with none is emptied).
ALLOWED_CLASSES = {"a": {"mention"}, "code": {"math-error"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Usernames are letters, digits, "_", "." and "-". Not after a word character or the
# usual email characters, so that "a@b.org" and "first.last@x.org" are not mentions.
MENTION = re.compile(r"(?<![\w.+@-])@(\w[\w.-]*)")
_MENTION_BLOCKER = re.compile(r"[\w.+@-]")  # the characters the lookbehind above refuses
HANDLE_MAX_LENGTH = 150  # Django's username length

# Lengths in em: spacing is kept only when it is neither negative (which overlays text)
# nor large. \Bigg delimiters are 2.47em, \qquad is 2em.
_LENGTH = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(em|ex|mu|pt|px|mm|cm|in)?")
_EM_PER_UNIT = {
    "em": 1, "ex": 0.5, "mu": 1 / 18, "pt": 0.1, "px": 1 / 16, "mm": 0.237, "cm": 2.37,
    "in": 6.02, None: 1,
}  # fmt: skip
_MAX_LENGTH_EM = 3
_NAMED_SPACES = {"thinmathspace", "mediummathspace", "thickmathspace"}
_LENGTH_ATTRIBUTES = {
    "width", "height", "depth", "lspace", "rspace", "minsize", "maxsize", "linethickness",
    "rowspacing", "columnspacing",
}  # fmt: skip
_MAX_MATH_DEPTH = 60
# Each use of a macro expands its definition again: a few hundred characters can make
# megabytes. Nobody needs them in a comment.
_TEX_MACRO_DEFINITION = re.compile(
    r"\\(?:def|newcommand|renewcommand|newenvironment|DeclareMathOperator)(?![A-Za-z])"
)

MentionResolver = Callable[[set[str]], Mapping[str, str]]


def render_markdown(
    source: str, *, heading_level: int = 3, mention_urls: MentionResolver | None = None
) -> str:
    """
    Render Markdown to sanitised HTML.

    Headings in the source are demoted so that ``#`` becomes ``<h{heading_level}>``: the
    text sits under the page's own headings and must not break their order.

    ``mention_urls`` receives the set of candidate handles (as written, without "@"; at
    most one call, none when there are no candidates) and returns the profile URL of each
    one that belongs to a member; only those become links. Matching case-insensitively
    is the resolver's job. Without a resolver no mention becomes a link.
    """
    env: dict[str, Any] = {"mention_urls": mention_urls}
    tokens = _parser().parse(source, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1]) + heading_level - 1
            token.tag = f"h{min(level, 6)}"
        elif token.type == "fence":
            token.info = ""  # its class="language-…" would be stripped to an empty class=""
    html = _parser().renderer.render(tokens, _parser().options, env)
    return sanitize_html(html)


def find_mentions(source: str) -> set[str]:
    """The handles ``@mentioned`` in ``source`` outside code, maths and links (without "@")."""
    env: dict[str, Any] = {}
    _parser().parse(source, env)
    return env["mentions"]


def sanitize_html(html: str) -> str:
    """Keep only allow-listed tags, attributes, classes and link schemes."""
    return _cleaner().clean(html)


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(
        ["linkify", "strikethrough", "table"]
    )
    dollarmath_plugin(
        md,
        allow_labels=False,  # its labels are links with ids: not wanted in comments
        allow_space=False,  # "$5 and $10": a space after "$" or before the closing "$"
        allow_digits=False,  # "$5 and 10$": a digit before "$" or after the closing "$"
        allow_blank_lines=False,  # an unclosed "$$" must not swallow the rest of the text
        double_inline=True,  # "$$x$$" inside a paragraph is display maths, not "$" + "$x$"
    )
    md.add_render_rule("math_inline", _render_math)
    md.add_render_rule("math_inline_double", _render_math)
    md.add_render_rule("math_block", _render_math)
    # After linkify, so that email addresses and URLs are already links; before text_join,
    # so that an escaped "\@" is still a separate token.
    md.core.ruler.before("text_join", "mentions", _link_mentions)
    return md


# --- Maths ---------------------------------------------------------------------------------


def _render_math(
    self: RendererProtocol,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    block = token.type != "math_inline"
    try:
        mathml = tex_to_mathml(token.content.strip(), block=block)
    except ValueError:
        source = escapeHtml(f"{token.markup}{token.content}{token.markup}")
        if token.type == "math_block":
            return f'<pre><code class="math-error">{source}</code></pre>\n'
        return f'<code class="math-error">{source}</code>'
    return mathml + "\n" if token.type == "math_block" else mathml


def tex_to_mathml(tex: str, *, block: bool = False) -> str:
    """
    Convert TeX to a ``<math>`` element; ``ValueError`` if it cannot be converted.

    latex2mathml's own serialisation lets the text of ``\\text{…}`` through unescaped,
    so the element tree is written out here instead.
    """
    if _TEX_MACRO_DEFINITION.search(tex):
        raise ValueError("macro definitions are not supported")
    parts: list[str] = []
    try:
        root = convert_to_element(tex, display="block" if block else "inline")
        _write_mathml(root, parts, depth=0)
    except Exception as error:  # latex2mathml raises many kinds, RecursionError among them
        raise ValueError(f"cannot convert TeX: {error!r}") from error
    return "".join(parts)


def _write_mathml(element: Element, parts: list[str], depth: int) -> None:
    if depth > _MAX_MATH_DEPTH:
        raise ValueError("formula nested too deeply")
    tag = element.tag
    if tag not in MATHML_ATTRIBUTES:
        raise ValueError(f"unexpected element {tag}")
    allowed = MATHML_ATTRIBUTES[tag]  # no xmlns: HTML parsers know <math> is MathML
    parts.append(f"<{tag}")
    for name, value in element.attrib.items():
        if name in allowed and (name not in _LENGTH_ATTRIBUTES or _is_modest_length(value)):
            parts.append(f' {name}="{html.escape(value)}"')
    parts.append(">")
    # latex2mathml's text mixes character references ("&#x0003C;") with raw user text.
    if element.text:
        parts.append(html.escape(html.unescape(element.text), quote=False))
    for child in element:
        _write_mathml(child, parts, depth + 1)
        if child.tail:
            parts.append(html.escape(html.unescape(child.tail), quote=False))
    parts.append(f"</{tag}>")


def _is_modest_length(value: str) -> bool:
    """Every space-separated length is non-negative and at most a few em."""
    for length in value.split():
        if length in _NAMED_SPACES:
            continue
        match = _LENGTH.fullmatch(length)
        if match is None or float(match[1]) * _EM_PER_UNIT[match[2]] > _MAX_LENGTH_EM:
            return False
    return True


# --- Mentions ------------------------------------------------------------------------------


def _link_mentions(state: StateCore) -> None:
    """Collect mention candidates into ``env["mentions"]``; link those the resolver knows."""
    found: list[tuple[list[Token], int, list[re.Match[str]]]] = []
    candidates: set[str] = set()
    for block_token in state.tokens:
        if block_token.type != "inline" or not block_token.children:
            continue
        children = block_token.children
        link_depth = 0
        for index, token in enumerate(children):
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            elif token.type == "text" and not link_depth and "@" in token.content:
                before = children[index - 1] if index else None
                matches = _mention_matches(token.content, before)
                if matches:
                    found.append((children, index, matches))
                    candidates.update(_handle(match) for match in matches)
    state.env["mentions"] = candidates
    resolver = state.env.get("mention_urls")
    if not candidates or resolver is None:
        return
    # The parser's own checks, as for any link in the text; nh3 checks again.
    urls = {
        handle: state.md.normalizeLink(url)
        for handle, url in resolver(candidates).items()
        if state.md.validateLink(url)
    }
    # Backwards, so that replacing one token does not shift the indexes still to visit.
    for children, index, matches in reversed(found):
        children[index : index + 1] = _split_text(children[index], matches, urls)


def _mention_matches(text: str, before: Token | None) -> list[re.Match[str]]:
    matches = []
    for match in MENTION.finditer(text):
        handle = _handle(match)
        end = match.start(1) + len(handle)
        if len(handle) > HANDLE_MAX_LENGTH or text[end : end + 1] == "@":
            continue  # "@user@other.server" is someone elsewhere
        if (
            match.start() == 0
            and before is not None
            and before.type == "text_special"
            and _MENTION_BLOCKER.match(before.content[-1:])
        ):
            continue  # "a\_@b": the "@" follows an escaped "_" ("\@handle" never matches)
        matches.append(match)
    return matches


def _handle(match: re.Match[str]) -> str:
    return match[1].rstrip(".")  # "@priya." at the end of a sentence is "priya"


def _split_text(token: Token, matches: list[re.Match[str]], urls: Mapping[str, str]) -> list[Token]:
    tokens: list[Token] = []
    text = token.content
    position = 0
    for match in matches:
        handle = _handle(match)
        url = urls.get(handle)
        if url is None:
            continue
        if match.start() > position:
            tokens.append(Token("text", "", 0, content=text[position : match.start()]))
        tokens += [
            Token("link_open", "a", 1, attrs={"href": url, "class": "mention"}),
            Token("text", "", 0, content=f"@{handle}"),
            Token("link_close", "a", -1),
        ]
        position = match.start() + 1 + len(handle)
    if position < len(text):
        tokens.append(Token("text", "", 0, content=text[position:]))
    return tokens
