"""
What other programs read of a discussion: its comments as W3C Web Annotations
(``annotations``) and its oEmbed card (``oembed``). Errors are plain sentences, as the
programs that ask show them to people as they are.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.structured import base_url
from discussions.models import Discussion

from . import annotations, oembed

# A page number as a URL gives it: past any plausible page, and the page is "not found".
_MAX_PAGE = 1_000_000


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")


@require_safe
def discussion_annotations(request, slug):
    """A discussion's public comments as a W3C ``AnnotationCollection`` (JSON-LD), by page."""
    # The rule of the discussion page: a private club's discussion is not found by outsiders.
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related("article", "host"), slug=slug
    )
    page = None
    if "page" in request.GET:
        value = request.GET["page"]
        page = int(value) if value.isascii() and value.isdigit() and len(value) < 8 else 1
        page = min(max(page, 1), _MAX_PAGE)
    data = annotations.collection(discussion, base=base_url(request), page=page)
    if data is None:
        return _plain(404, _("This collection of annotations has no such page."))
    return JsonResponse(
        data, content_type=annotations.CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def _dimension(request, name: str) -> int | None:
    """``maxwidth`` or ``maxheight`` in pixels, if given; ValueError if not a positive number."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6 or int(value) < 1:
        raise ValueError(name)
    return int(value)


@require_safe
def oembed_card(request):
    """A public discussion's oEmbed card (``rich``, JSON), for sites that embed its address."""
    if request.GET.get("format", "json") != "json":
        return _plain(501, _("Only the JSON format is available here: use format=json."))
    url = request.GET.get("url", "")
    if not url.strip():
        return _plain(400, _("Give the address of a discussion in the url parameter."))
    try:
        maxwidth, maxheight = _dimension(request, "maxwidth"), _dimension(request, "maxheight")
    except ValueError:
        return _plain(400, _("maxwidth and maxheight must be whole numbers of pixels, from 1."))
    found = oembed.discussion_at(url, hosts=oembed.hosts(request))
    if found is None:
        return _plain(404, _("That address is not a public discussion on this site."))
    discussion, language = found
    with translation.override(language):
        data = oembed.card(
            discussion, base=base_url(request), maxwidth=maxwidth, maxheight=maxheight
        )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
