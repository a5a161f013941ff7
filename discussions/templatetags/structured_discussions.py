"""
The discussions' pages in schema.org JSON-LD (``discussions.structured``): each tag builds
from what its template already has, so no view changes and no page reads more.
"""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from clubs.structured import organization
from core.structured import base_url, item_list, page_url, script, web_page

from ..structured import discussion_posting, discussion_summary, question_posting, single_comment

register = template.Library()


@register.simple_tag(takes_context=True)
def discussion_json_ld(context, page) -> SafeString:
    """The discussion page (``selectors.DiscussionPage``): a ``DiscussionForumPosting``."""
    return script(discussion_posting(page, base=base_url(context.get("request"))))


@register.simple_tag(takes_context=True)
def question_json_ld(context, page) -> SafeString:
    """A question's page of answers (``selectors.QuestionPage``)."""
    request = context.get("request")
    base = base_url(request)
    url = page_url(request) if request is not None else base
    return script(question_posting(page, base=base, url=url))


@register.simple_tag(takes_context=True)
def discussions_json_ld(context, page, name: str = "") -> SafeString:
    """A page of discussions (the home page, the archive, a year): a ``CollectionPage``."""
    request = context.get("request")
    base = base_url(request)
    discussions = [discussion_summary(discussion, base=base) for discussion in page.object_list]
    start = page.start_index() if discussions and hasattr(page, "start_index") else 1
    return script(
        web_page(
            request,
            type="CollectionPage",
            name=name or context.get("meta_title", ""),
            mainEntity=item_list(discussions, start=start),
        )
    )


@register.simple_tag(takes_context=True)
def club_json_ld(context, club) -> SafeString:
    """A club's page: the club (``Organization``)."""
    return script(organization(club, base=base_url(context.get("request"))))


@register.simple_tag(takes_context=True)
def clubs_json_ld(context, page) -> SafeString:
    """The directory of public clubs (a page of them): a ``CollectionPage`` of organisations."""
    request = context.get("request")
    base = base_url(request)
    clubs = [organization(club, base=base) for club in page.object_list]
    start = page.start_index() if clubs else 1
    return script(
        web_page(
            request,
            type="CollectionPage",
            name=gettext("Clubs"),
            mainEntity=item_list(clubs, start=start),
        )
    )


@register.simple_tag(takes_context=True)
def comment_json_ld(context, comment) -> SafeString:
    """A page of one comment (its history): the ``Comment``, or the plain page if not public."""
    request = context.get("request")
    data = single_comment(comment, base=base_url(request))
    return script(data or web_page(request, name=context.get("meta_title", "")))
