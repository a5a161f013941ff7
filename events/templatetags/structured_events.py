"""The list of live sessions in schema.org JSON-LD: a ``CollectionPage`` of ``Event``s."""

from django import template
from django.utils.safestring import SafeString

from core.structured import base_url, item_list, script, web_page

from ..structured import event

register = template.Library()


@register.simple_tag(takes_context=True)
def sessions_json_ld(context, page) -> SafeString:
    """The sessions of this page of the list, each an ``Event`` (``events.structured``)."""
    request = context.get("request")
    base = base_url(request)
    events = [event(meeting, base=base) for meeting in page.object_list]
    start = page.start_index() if events else 1
    return script(
        web_page(
            request,
            type="CollectionPage",
            name=context.get("meta_title", ""),
            mainEntity=item_list(events, start=start),
        )
    )
