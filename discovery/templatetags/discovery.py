import html
import re
from collections.abc import Container

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from discovery.authors import author_key
from discovery.browse import AUTHORS_SHOWN

register = template.Library()

DESCRIPTION_LENGTH = 200


@register.simple_tag
def author_links(authors, pages: Container[str]) -> SafeString:
    """
    A paper's first authors, each linked to their page if they have one (``pages``, the
    keys with a page: ``browse.author_pages``), then "et al." if there are more: written
    in one pass, as ``select_options`` is, because a template loop over every author of
    every result cost more than the rest of the results page's markup.
    """
    shown = list(authors[: AUTHORS_SHOWN + 1])
    parts = []
    for author in shown[:AUTHORS_SHOWN]:
        name = html.escape(author.full_name)
        key = author_key(
            family_name=author.family_name, given_name=author.given_name, orcid=author.orcid
        )
        if key and key in pages:
            url = reverse("discovery:author", kwargs={"key": key})
            parts.append(f'<a href="{html.escape(url)}">{name}</a>')
        else:
            parts.append(name)
    if len(shown) > AUTHORS_SHOWN:
        parts.append(html.escape(_("et al.")))
    return mark_safe(", ".join(parts))  # noqa: S308 - every name and URL escaped above


# A page number as the canonical URL repeats it: ASCII digits only (``str.isdigit`` also
# takes "²", which ``int`` refuses), and short enough for ``int`` to read.
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str = "") -> str:
    """``path`` (default: this page, with its page number if past the first) as a full URL."""
    request = context.get("request")
    if request is None:
        return path
    if not path:
        path = request.path
        page = request.GET.get("page", "")
        if PAGE_NUMBER.fullmatch(page) and int(page) > 1:
            path = f"{path}?page={int(page)}"
    return request.build_absolute_uri(path)


@register.inclusion_tag("discovery/_social_meta.html", takes_context=True)
def social_meta(context, title="", description="", path="", type="website"):
    """Canonical link, Open Graph and Twitter card tags; defaults describe the club."""
    description = re.sub(r"\s+", " ", str(description or "")).strip()
    return {
        "site_name": _("Journal Club"),
        "title": title or _("Journal Club"),
        "description": Truncator(description).chars(DESCRIPTION_LENGTH)
        or _("Discuss research papers online, the way a journal club does in a room."),
        "url": absolute_url(context, path),
        "type": type,
    }


@register.simple_tag
def select_options(choices, selected: str) -> SafeString:
    """
    The <option>s of a menu, ``selected`` marked: written in one pass because a template
    loop over hundreds of subjects cost more than the search itself, and escaped with the
    standard library's ``html.escape`` (what Django's ``escape`` calls) because
    ``format_html`` checks every argument for lazy strings, which added milliseconds.
    """
    options = []
    for value, label in choices:
        marker = " selected" if str(value) == selected else ""
        options.append(
            f'<option value="{html.escape(str(value))}"{marker}>{html.escape(str(label))}</option>'
        )
    return mark_safe("".join(options))  # noqa: S308 - every value and label escaped above
