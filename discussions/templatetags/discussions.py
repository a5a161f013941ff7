from django import template
from django.utils.safestring import mark_safe

from core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(source: str, heading_level: int = 3) -> str:
    """Render Markdown to sanitised HTML, for one-off texts such as a host's commentary."""
    return mark_safe(render_markdown(source or "", heading_level=heading_level))  # noqa: S308 - sanitised by nh3
