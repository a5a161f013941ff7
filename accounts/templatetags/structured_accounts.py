"""A member's profile page in schema.org JSON-LD (``accounts.structured``)."""

from django import template
from django.utils.safestring import SafeString

from core.structured import base_url, script

from ..structured import profile_page

register = template.Library()


@register.simple_tag(takes_context=True)
def profile_json_ld(context, member, bio_html: str = "") -> SafeString:
    """The profile page (``ProfilePage``) about the member (``mainEntity``, a ``Person``)."""
    request = context.get("request")
    base = base_url(request)
    url = base + member.get_absolute_url()
    return script(profile_page(member, base=base, url=url, bio_html=bio_html))
