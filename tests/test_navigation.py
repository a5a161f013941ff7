"""
Everything is reachable: every page type is at most two clicks from the home page, for the
reader it is meant for, through the links (and GET forms) the pages show.
"""

import io
from collections import deque
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from discussions.models import Comment
from moderation.services import flag_create
from tests.factories import UserFactory
from tests.test_crawl import internal, links_in

# The page types each kind of reader must reach within two clicks of "/".
EVERYONE = {
    "discussions:home",
    "discussions:archive",
    "discussions:detail",
    "discussions:question",
    "articles:detail",
    "accounts:profile",
    "discovery:search",
    "discovery:browse",
    "discovery:subjects",
    "discovery:subject",
    "discovery:authors",
    "discovery:author",
    "discovery:journals",
    "discovery:journal",
    "discovery:years",
    "discovery:year",
    "events:list",
    "code-of-conduct",
}
PAGE_TYPES = {
    "visitor": EVERYONE | {"account_login", "account_signup"},
    "member": EVERYONE
    | {"notifications:list", "notifications:settings", "accounts:profile-edit", "account_email"},
    "moderator": EVERYONE | {"moderation:queue", "moderation:log", "notifications:list"},
}


def within_two_clicks(client) -> dict[str, str]:
    """View name -> the first URL of that kind found within two clicks of the home page."""
    reached: dict[str, str] = {}
    queue = deque([("/", 0)])
    seen = {"/"}
    while queue:
        url, clicks = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            continue
        try:
            reached.setdefault(resolve(unquote(url.partition("?")[0])).view_name, url)
        except Resolver404:
            continue
        if clicks == 2:
            continue
        for link in links_in(response):
            target = internal(link.url, url)
            if link.method != "GET" or target is None or target in seen:
                continue
            if target.startswith("/static/") or "logout" in target:
                continue
            if target.startswith("/language/"):
                continue  # the language switcher: the same pages in French

            seen.add(target)
            queue.append((target, clicks + 1))
    return reached


@pytest.mark.parametrize("role", ["visitor", "member", "moderator"])
def test_every_page_type_is_at_most_two_clicks_from_the_home_page(db, role):
    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    if role == "member":
        client.force_login(UserFactory())
    elif role == "moderator":
        client.force_login(UserFactory(roles=["Moderators"]))
        flag_create(  # something in the queue, as on a real site
            comment=Comment.objects.first(), flagger=UserFactory(), reason="spam"
        )
    reached = within_two_clicks(client)
    assert PAGE_TYPES[role] - set(reached) == set()
