import re
import xml.etree.ElementTree as ET

import pytest

from discussions.models import Discussion
from tests.discovery import factories as make
from tests.factories import DiscussionFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def meta(html: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def test_a_discussion_page_carries_canonical_and_sharing_tags(client):
    article = make.paper(
        "Fidelity & adaptation", abstract="Background text " + "word " * 100, indexed=False
    )
    chat = DiscussionFactory(article=article, slug="fidelity-2020")
    html = client.get(f"{chat.get_absolute_url()}?sort=newest").content.decode()
    assert '<link rel="canonical" href="http://testserver/discussions/fidelity-2020/">' in html
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:title") == "Fidelity &amp; adaptation"
    assert meta(html, "property", "og:url") == "http://testserver/discussions/fidelity-2020/"
    assert meta(html, "property", "og:site_name") == "Journal Club"
    description = meta(html, "property", "og:description")
    assert description.startswith("Background text word")
    assert len(description) <= 200
    assert meta(html, "name", "twitter:card") == "summary"
    assert html.count('rel="canonical"') == 1


def test_a_paper_page_carries_sharing_tags(client):
    article = make.paper("A paper worth sharing", indexed=False)
    html = client.get(article.get_absolute_url()).content.decode()
    assert meta(html, "property", "og:title") == "A paper worth sharing"
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_other_pages_get_the_clubs_defaults(client):
    html = client.get("/archive/?page=2").content.decode()
    assert meta(html, "property", "og:type") == "website"
    assert meta(html, "property", "og:title") == "Journal Club"
    assert '<link rel="canonical" href="http://testserver/archive/?page=2">' in html
    assert (
        '<link rel="canonical" href="http://testserver/">' in client.get("/?x=1").content.decode()
    )


@pytest.mark.parametrize("page", ["9" * 10_240, "²", "-2", "2.0", "abc", ""])
def test_a_page_number_that_is_not_a_plain_number_is_left_out_of_the_canonical_url(client, page):
    response = client.get("/archive/", {"page": page})
    assert response.status_code == 200
    assert '<link rel="canonical" href="http://testserver/archive/">' in response.content.decode()


def test_search_pages_are_not_indexed(client):
    html = client.get("/search/", {"q": "anything"}).content.decode()
    assert '<meta name="robots" content="noindex">' in html


def test_the_sitemap_lists_public_pages_only(client):
    published = DiscussionFactory(article=make.paper("Public", subjects=("Nursing",)))
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = {
        element.text
        for element in ET.fromstring(response.content).findall("s:url/s:loc", SITEMAP_NS)
    }
    for path in (
        "/",
        "/archive/",
        "/browse/",
        published.get_absolute_url(),
        published.article.get_absolute_url(),
        "/browse/subjects/nursing/",
        "/browse/authors/albers-b/",
        "/browse/journals/implementation-science/",
        f"/browse/years/{published.opens_at.year}/",
    ):
        assert f"http://testserver{path}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert not any("/accounts/" in location or "/admin/" in location for location in locations)


def test_the_sitemap_lists_public_clubs_and_no_private_ones(client):
    from tests.factories import ClubFactory

    public = ClubFactory(slug="brokers")
    private = ClubFactory(slug="ward", visibility="private", joining="invitation")
    secret = DiscussionFactory(club=private)
    content = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver/clubs/{public.slug}/" in content
    assert f"/clubs/{private.slug}/" not in content
    assert secret.get_absolute_url() not in content


def test_robots_txt_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in (
        "/accounts/",
        "/admin/",
        "/moderation/",
        "/notifications/",
        "/members/settings/",
        "/search/",
    ):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
