"""
``{% json_ld data %}``: schema.org data (a dict from an app's ``structured.py``) as the
JSON-LD script element of a page; ``{% web_page_json_ld %}``: the description every page
has unless it says more (``templates/base.html``, block ``structured_data``).
"""

from django import template
from django.utils.safestring import SafeString

from core.structured import script, web_page

register = template.Library()


@register.simple_tag
def json_ld(data) -> SafeString:
    """``data`` in a ``<script type="application/ld+json">``, escaped for the element."""
    return script(data)


@register.simple_tag(takes_context=True)
def web_page_json_ld(context, type: str = "WebPage") -> SafeString:
    """This page as a ``WebPage`` of the site: named by ``meta_title`` when the view gives one."""
    return script(web_page(context.get("request"), type=type, name=context.get("meta_title", "")))
