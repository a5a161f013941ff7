"""The site's icon: the files, and the admin's pages that link them."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

ICON_LINKS = (
    '<link rel="icon" href="/static/favicon.ico" sizes="32x32">',
    '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
)


def test_the_icon_exists_as_svg_and_as_an_ico_with_the_usual_sizes():
    svg = Path(finders.find("favicon.svg")).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "<script" not in svg
    ico = Path(finders.find("favicon.ico")).read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00"  # an icon resource
    count = int.from_bytes(ico[4:6], "little")
    sizes = {ico[6 + 16 * index] for index in range(count)}
    assert {16, 32} <= sizes


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:discussions_discussion_changelist"),
        reverse("admin:discussions_discussion_add"),
        reverse("admin:articles_article_add_by_doi"),
    ],
)
def test_admin_pages_link_the_site_icon(staff_client, url):
    content = staff_client.get(url).content.decode()

    for link in ICON_LINKS:
        assert content.count(link) == 1
    assert "Journal Club administration" in content  # still Django's base_site, extended


@pytest.mark.parametrize("method", ["get", "head"])
def test_favicon_ico_at_the_root_redirects_to_the_static_file(client, method):
    """Browsers and crawlers ask for /favicon.ico whatever the page links."""
    response = getattr(client, method)("/favicon.ico")

    assert response.status_code == 302  # not permanent: the static URL changes with the file
    assert response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico")


def test_favicon_ico_is_named_for_reversing():
    assert reverse("favicon") == "/favicon.ico"


def test_site_pages_link_both_icons(client, db):
    content = client.get(reverse("code-of-conduct")).content.decode()

    for link in ICON_LINKS:
        assert content.count(link) == 1
