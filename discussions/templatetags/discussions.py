from django import template
from django.utils.safestring import mark_safe

from discussions.rendering import marker
from web.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(source: str, heading_level: int = 3) -> str:
    """Render Markdown to sanitised HTML, for one-off texts such as a host's commentary."""
    return mark_safe(render_markdown(source or "", heading_level=heading_level))  # noqa: S308 - sanitised by nh3


@register.simple_tag(takes_context=True)
def page_marker(context, kind: str, *arguments) -> str:
    """
    In the shared rendering of a discussion page (``member_pages``, which sets
    ``page_nonce``), a marker where each member's own bit goes; elsewhere, nothing.
    """
    nonce = context.get("page_nonce")
    if not nonce:
        return ""
    return mark_safe(marker(nonce, kind, "-".join(str(argument) for argument in arguments)))  # noqa: S308 - no outside text
