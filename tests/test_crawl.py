"""
No dead links: on the demo content, every internal link reachable from the home page
answers, for a visitor, a member and staff, and following it changes nothing; no page
answers a hostile query string with a server error or echoes a script tag unescaped.

The crawl starts at ``/`` (and at ``robots.txt`` and the sitemap, which crawlers read
first) and follows, breadth first, every internal URL a page hands its reader: links,
stylesheets, scripts, images, feeds, canonical and Open Graph addresses, GET forms, htmx
GETs, the links of feeds and the sitemap, and redirects. The test client does not serve
static files, so those are looked up with the staticfiles finders; POST forms are not
submitted, but their actions must resolve to a view. Sign-out is never followed.

A link fails when it answers 404, 403 or 5xx: a page should not show its reader a link
they may not open. A GET fails when it writes to the database, beyond the session and
a member's own record of when they last read a discussion. The crawl is bounded (pages
per role, query strings per path) so that pagination, sorting and the admin's filters
cannot make it run away.
"""

import io
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import get_language_from_path

from accounts.models import User
from discovery.models import AuthorKey
from tests.factories import UserFactory

ROLES = ["visitor", "member", "staff"]
PASSWORD = "correct horse"  # UserFactory's
MAX_PAGES = 1000  # per role: the demo content needs about 820 for staff (the admin)
MAX_QUERIES_PER_PATH = 3  # query strings followed per path (sorting, filters, pages)
HOSTS = {"testserver", "localhost", "127.0.0.1"}
SEEDS = ["/", "/robots.txt", "/sitemap.xml"]
STATIC_PREFIX = f"/{settings.STATIC_URL.strip('/')}/"
# The admin carries a list's filters along to every object page it links: the same pages.
IGNORED_PARAMETERS = {"_changelist_filters"}
# Links that change the reader's own state rather than lead to a page: signing out, and the
# language switcher (it remembers the choice; the French pages it leads to are the English
# ones' alternates, which the crawl follows from each page's hreflang links).
SIGN_OUT = {"account_logout", "admin:logout", "language"}
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Writes a GET may make: the session, and the moment a member last read a discussion
# (what its page marks as new on their next visit: bookkeeping, not content).
EXPECTED_WRITES = re.compile(
    r'^\s*(INSERT INTO|UPDATE|DELETE FROM) "(django_session|discussions_discussionvisit)"'
)

SCRIPT = "<script>alert(1)</script>"
HOSTILE_QUERIES = {
    "a script in a parameter": [("sort", SCRIPT)],
    "a script in every known parameter": [
        (name, SCRIPT) for name in ("q", "kind", "subject", "year", "status", "page", "next")
    ],
    "a page number past any integer type": [("page", "9" * 20)],
    "a negative page number": [("page", "-1")],
    "a page number that is not a number": [("page", "abc")],
    "a page number in digits int() refuses": [("page", "²")],
    "a page number of 10 kB of digits": [("page", "9" * 10_240)],
    "a 10 kB parameter": [("q", "x" * 10_240)],
    "50 unknown parameters": [(f"unknown{number}", "x") for number in range(50)],
    "a NUL byte": [("q", "\x00")],
    "NUL bytes in every known parameter": [
        (name, "\x00") for name in ("q", "kind", "subject", "year", "status", "page", "sort")
    ],
    "repeated parameters": [("page", "1"), ("page", "2"), ("sort", "a"), ("sort", "b")],
}


@dataclass
class Link:
    """A URL a page hands its reader, and how the reader would use it."""

    url: str
    method: str = "GET"  # or "POST": resolved, never submitted


class LinkParser(HTMLParser):
    """Every URL in an HTML page that a browser would request or a reader could follow."""

    OPEN_GRAPH_URLS = {"og:url", "og:image", "twitter:image"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value for name, value in attrs if value is not None}
        for name in ("href", "src", "hx-get"):
            if name in attrs:
                self.links.append(Link(attrs[name]))
        if "hx-post" in attrs:
            self.links.append(Link(attrs["hx-post"], "POST"))
        if tag == "form":
            method = attrs.get("method", "get").upper()
            self.links.append(Link(attrs.get("action", ""), "GET" if method == "GET" else "POST"))
        if tag == "button" and "formaction" in attrs:
            self.links.append(Link(attrs["formaction"], "POST"))
        if tag == "meta" and attrs.get("property", attrs.get("name")) in self.OPEN_GRAPH_URLS:
            self.links.append(Link(attrs.get("content", "")))


XML_LINK = re.compile(r"<(?:loc|link|id)>\s*([^<\s]+)\s*</|<link\b[^>]*\bhref=\"([^\"]+)\"")


def links_in(response) -> list[Link]:
    """The links of an HTML page, a feed, the sitemap or robots.txt."""
    content_type = response.get("Content-Type", "")
    body = response.content.decode(response.charset or "utf-8", errors="replace")
    if content_type.startswith("text/html"):
        parser = LinkParser()
        parser.feed(body)
        return parser.links
    if "xml" in content_type:
        return [Link(element or attribute) for element, attribute in XML_LINK.findall(body)]
    if content_type.startswith("text/plain"):
        return [Link(url) for url in re.findall(r"^Sitemap:\s*(\S+)", body, re.MULTILINE)]
    return []


def internal(url: str, base: str) -> str | None:
    """``url`` as read on ``base``: a path and query, no fragment; None if not on this site."""
    url = url.strip()
    if url.startswith("#"):
        return None
    parts = urlsplit(urljoin(f"http://testserver{base}", url))
    if parts.scheme not in {"http", "https"} or parts.hostname not in HOSTS:
        return None  # mailto:, tel:, javascript:, data:, other sites
    query = urlencode(
        [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name not in IGNORED_PARAMETERS
        ]
    )
    return urlunsplit(("", "", parts.path or "/", query, ""))


@dataclass
class Crawl:
    """What a crawl reached, and what it found wrong."""

    statuses: dict[str, int] = field(default_factory=dict)  # URL fetched -> status
    checked: set[str] = field(default_factory=set)  # static files and POST actions
    failures: list[str] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0

    @property
    def pages(self) -> list[str]:
        """The URLs that answered 200: pages, feeds, the sitemap, calendars."""
        return [url for url, status in self.statuses.items() if status == 200]

    def __str__(self):
        return (
            f"{len(self.statuses)} pages visited, "
            f"{len(self.statuses) + len(self.checked)} links checked in {self.seconds:.1f} s"
        )


def crawl(
    client: Client, *, seeds=SEEDS, max_pages: int = MAX_PAGES, language: str = "en"
) -> Crawl:
    """
    Every internal link once, breadth first from ``seeds`` (see the module docstring),
    within the pages of one ``language``: a link to a page in another (its hreflang
    alternate) is checked to lead to a view, and followed by that language's own crawl.
    """
    started = time.monotonic()
    result = Crawl()
    queue = deque((seed, "(start)") for seed in seeds)
    queued = set(seeds)
    queries_of = Counter()

    def check(link: Link, page: str):
        url = internal(link.url, page)
        if url is None:
            return
        path, _, query = url.partition("?")
        if path.startswith(STATIC_PREFIX):
            if path not in result.checked:
                result.checked.add(path)
                if not finders.find(path.removeprefix(STATIC_PREFIX)):
                    result.failures.append(f"{path}: no such static file (linked from {page})")
            return
        path_language = get_language_from_path(path) or settings.LANGUAGE_CODE
        try:
            with translation.override(path_language):  # "/fr/..." resolves in French
                view_name = resolve(unquote(path)).view_name
        except Resolver404:
            view_name = None
        if view_name in SIGN_OUT:
            return
        if path_language != language:
            if view_name is None:
                result.failures.append(f"{path}: no such page (an alternate on {page})")
            result.checked.add(path)
            return
        if link.method == "POST":
            if f"POST {path}" not in result.checked:
                result.checked.add(f"POST {path}")
                if view_name is None:
                    result.failures.append(f"POST {path}: no such view (a form on {page})")
            return
        if url in queued or (query and queries_of[path] >= MAX_QUERIES_PER_PATH):
            return
        queries_of[path] += bool(query)
        queued.add(url)
        queue.append((url, page))

    while queue:
        if len(result.statuses) >= max_pages:
            result.truncated = True
            break
        url, linked_from = queue.popleft()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        status = result.statuses[url] = response.status_code
        if status in (403, 404) or status >= 500:
            result.failures.append(f"{url}: {status} (linked from {linked_from})")
        for query in queries.captured_queries:
            if WRITE.match(query["sql"]) and not EXPECTED_WRITES.match(query["sql"]):
                result.failures.append(f"{url}: a GET that writes: {query['sql'][:200]}")
        if 300 <= status < 400:
            check(Link(response["Location"]), url)
        elif status == 200:
            for link in links_in(response):
                check(link, url)
    result.seconds = time.monotonic() - started
    return result


@pytest.fixture
def demo(db):
    """The demo content as ``make run`` loads it (and indexes it), with a password."""
    call_command("load_demo", password=PASSWORD, stdout=io.StringIO())


def signed_in(role: str) -> Client:
    """A client for a role, signed in through the sign-in form as a reader would be."""
    client = Client()
    if role == "visitor":
        return client
    if role == "member":
        email = User.objects.get(username="demo-priya").email
    else:
        email = UserFactory(is_staff=True, is_superuser=True).email
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, f"{role} could not sign in"
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_link_reachable_from_the_home_page_answers_and_changes_nothing(demo, role):
    result = crawl(signed_in(role))

    print(f"{role}: {result}")
    assert not result.truncated, f"more than {MAX_PAGES} pages: raise the bound or narrow it"
    assert not result.failures, "\n".join(result.failures)
    # The crawl reached what it is meant to check: the stylesheet, an author's page (the
    # links of subject pages once answered 404) and, for staff, the admin.
    assert "/static/css/site.css" in result.checked
    assert result.statuses["/browse/authors/albers-b/"] == 200
    assert ("/admin/" in result.statuses) == (role == "staff")


def test_every_link_of_the_french_pages_answers_and_changes_nothing(demo):
    """The same crawl from the French home page, within the French pages, as a visitor."""
    result = crawl(Client(), seeds=["/fr/"], language="fr")

    print(f"French: {result}")
    assert not result.truncated, f"more than {MAX_PAGES} pages: raise the bound or narrow it"
    assert not result.failures, "\n".join(result.failures)
    assert result.statuses["/fr/browse/authors/albers-b/"] == 200
    assert all(url.startswith("/fr/") for url in result.statuses)


def test_no_link_is_dead_while_the_index_lags_behind_the_papers(demo):
    """
    Browse pages list papers from their own tables, the author pages from the index: a
    paper written outside the services (an import, the admin before the next
    ``rebuild_search_index --stale``) is listed before its authors have a page.
    """
    AuthorKey.objects.all().delete()

    result = crawl(Client())

    assert not result.failures, "\n".join(result.failures)


def test_hostile_query_strings_get_a_page_never_a_server_error(demo):
    pages = {url.partition("?")[0] for url in crawl(Client()).pages}
    failures = []

    client = Client(raise_request_exception=False)  # a server error is a failure like any
    for path in sorted(pages):
        for name, parameters in HOSTILE_QUERIES.items():
            response = client.get(f"{path}?{urlencode(parameters)}")
            if response.status_code >= 500:
                failures.append(f"{path} with {name}: {response.status_code}")
            elif SCRIPT.encode() in response.content:
                failures.append(f"{path} with {name}: the script tag comes back unescaped")

    assert len(pages) > 30  # the crawl reached the site
    assert not failures, "\n".join(failures)
