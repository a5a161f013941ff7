"""A paper's page in schema.org JSON-LD (``articles.structured``)."""

from django import template
from django.utils.safestring import SafeString

from core.structured import base_url, script

from ..structured import scholarly_article

register = template.Library()


@register.simple_tag(takes_context=True)
def paper_json_ld(
    context, article, authors, subjects, abstract_sections, discussions=()
) -> SafeString:
    """
    The paper (``ScholarlyArticle``) from what its page read, with the discussions of it
    that the page lists (``subjectOf``).
    """
    base = base_url(context.get("request"))
    data = scholarly_article(
        article,
        base=base,
        authors=authors,
        subjects=subjects,
        abstract_sections=abstract_sections,
    )
    if discussions:
        data["subjectOf"] = [
            {"@type": "DiscussionForumPosting", "url": base + discussion.get_absolute_url()}
            for discussion in discussions
        ]
    return script(data)
