"""
oEmbed (https://oembed.com): a site that is given the address of one of our discussions
asks ``/oembed?url=…`` for a card to show in its stead: a "rich" answer whose ``html`` is
a small quotation block (the paper, the club, how many comments, a link), with no script
or frame, so it is safe wherever it is pasted.

Only public discussions have a card (published, in a public club): the address of a
draft, of a private club's discussion, of another site or of another page is "not found",
whoever asks. The card speaks the language of the address (``/fr/…`` in French).
"""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import get_language_from_path, gettext, override

from discussions.models import Comment, Discussion, public_comment_q

WIDTH = 600
HEIGHT = 240
CACHE_AGE = 3600  # seconds a consumer may keep a card: its counts change slowly


def hosts(request) -> set[str]:
    """The host names this site answers to: as this request reached it, and as configured."""
    return {request.get_host().lower(), urlsplit(settings.JOURNAL_CLUB_BASE_URL).netloc.lower()}


def discussion_at(url: str, *, hosts: set[str]) -> tuple[Discussion, str] | None:
    """The public discussion a URL of this site addresses, and the URL's language; else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed address ("http://[")
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
        return None
    path = unquote(parts.path or "/")
    language = get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with override(language):  # "/fr/..." resolves while French is active
            match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "discussions:detail":
        return None
    discussion = (
        Discussion.objects.published()
        .select_related("article", "host", "club")
        .filter(slug=match.kwargs["slug"])
        .first()
    )
    return (discussion, language) if discussion is not None else None


def card(
    discussion: Discussion, *, base: str, maxwidth: int | None = None, maxheight: int | None = None
) -> dict:
    """The oEmbed 1.0 answer (``rich``) for a public discussion, in the active language."""
    url = base + discussion.get_absolute_url()
    comments = Comment.objects.for_discussion(discussion).filter(public_comment_q()).count()
    html = render_to_string(
        "discovery/oembed.html",
        {"discussion": discussion, "url": url, "comments": comments},
    )
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": gettext("Journal Club"),
        "provider_url": base + reverse("discussions:home"),
        "title": discussion.article.title,
        "author_name": discussion.host.name,
        "author_url": base + discussion.host.get_absolute_url(),
        "html": html.strip(),
        "width": min(WIDTH, maxwidth or WIDTH),
        "height": min(HEIGHT, maxheight or HEIGHT),
        "cache_age": CACHE_AGE,
    }
