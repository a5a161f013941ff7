"""oEmbed cards of public discussions (discovery.oembed, /oembed)."""

import html
import json
import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from tests.factories import ClubFactory, CommentFactory, DiscussionFactory

pytestmark = pytest.mark.django_db


def ask(client, **query):
    return client.get(reverse("oembed") + "?" + urlencode(query))


def address(discussion, language: str = "") -> str:
    prefix = f"/{language}" if language else ""
    return f"http://testserver{prefix}{discussion.get_absolute_url()}"


def test_a_public_discussion_has_a_rich_card(client):
    discussion = DiscussionFactory(club=ClubFactory(name="Harbourside Knowledge Brokers"))
    question = discussion.questions.first()
    CommentFactory(question=question)
    CommentFactory(question=question)

    response = ask(client, url=address(discussion), format="json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    card = json.loads(response.content)
    assert card["version"] == "1.0"
    assert card["type"] == "rich"
    assert card["provider_name"] == "Journal Club"
    assert card["provider_url"] == "http://testserver/"
    assert card["title"] == discussion.article.title
    assert card["author_name"] == discussion.host.name
    assert card["author_url"] == f"http://testserver{discussion.host.get_absolute_url()}"
    assert (card["width"], card["height"]) == (600, 240)
    assert card["cache_age"] == 3600
    markup = card["html"]
    assert markup.startswith("<blockquote")
    assert markup.endswith("</blockquote>")
    assert html.escape(discussion.article.title) in markup
    assert "Harbourside Knowledge Brokers, 2 comments" in markup
    assert f'href="{address(discussion)}"' in markup
    for forbidden in ("<script", "<iframe", "<style", " style="):
        assert forbidden not in markup
    assert not re.search(r"\son\w+=", markup)  # no event handler


def test_the_card_keeps_within_the_size_asked_for(client):
    discussion = DiscussionFactory()

    card = ask(client, url=address(discussion), maxwidth="320", maxheight="100").json()

    assert (card["width"], card["height"]) == (320, 100)
    roomy = ask(client, url=address(discussion), maxwidth="2000").json()
    assert roomy["width"] == 600


@pytest.mark.parametrize("value", ["0", "-5", "wide", "1e3", "\uff19\uff19"])
def test_a_size_that_is_not_a_number_of_pixels_is_refused(client, value):
    response = ask(client, url=address(DiscussionFactory()), maxwidth=value)

    assert response.status_code == 400
    assert "whole numbers of pixels" in response.content.decode()


def test_the_french_address_has_its_card_in_french(client):
    discussion = DiscussionFactory()

    card = ask(client, url=address(discussion, "fr")).json()

    assert card["provider_url"] == "http://testserver/fr/"
    assert f'href="{address(discussion, "fr")}"' in card["html"]
    assert card["author_url"].startswith("http://testserver/fr/")


def test_only_json_is_offered(client):
    response = ask(client, url=address(DiscussionFactory()), format="xml")

    assert response.status_code == 501
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "format=json" in response.content.decode()


def test_without_an_address_the_request_is_refused(client):
    response = client.get(reverse("oembed"))

    assert response.status_code == 400
    assert "url parameter" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example.org/discussions/{slug}/",
        "ftp://testserver/discussions/{slug}/",
        "http://[testserver/discussions/{slug}/",
        "not an address",
        "http://testserver/discussions/no-such-discussion/",
        "http://testserver/papers/{paper}/",
        "http://testserver/discussions/{slug}/questions/1/",
        "http://testserver/",
    ],
)
def test_what_is_not_a_discussion_of_this_site_is_not_found(client, url):
    discussion = DiscussionFactory()

    response = ask(client, url=url.format(slug=discussion.slug, paper=discussion.article.slug))

    assert response.status_code == 404
    assert response.content.decode() == "That address is not a public discussion on this site.\n"


@pytest.mark.parametrize(
    "make",
    [
        lambda: DiscussionFactory(status="draft"),
        lambda: DiscussionFactory(club=ClubFactory(visibility="private", joining="invitation")),
    ],
    ids=["draft", "private club"],
)
def test_a_draft_or_private_discussion_has_no_card_even_for_its_members(client, make, admin_user):
    discussion = make()
    client.force_login(admin_user)  # who sees every club: an embed is for anyone to see

    response = ask(client, url=address(discussion))

    assert response.status_code == 404
    assert discussion.article.title not in response.content.decode()


def test_the_discussion_page_announces_its_card(client):
    discussion = DiscussionFactory()

    page = client.get(discussion.get_absolute_url()).content.decode()

    [link] = re.findall(r'<link rel="alternate" type="application/json\+oembed"[^>]*>', page)
    href = html.unescape(re.search(r'href="([^"]+)"', link).group(1))
    response = client.get(href)
    assert response.status_code == 200
    assert response.json()["title"] == discussion.article.title


def test_a_private_discussion_page_announces_no_card(client, admin_user):
    discussion = DiscussionFactory(club=ClubFactory(visibility="private", joining="invitation"))
    client.force_login(admin_user)

    page = client.get(discussion.get_absolute_url()).content.decode()

    assert "application/json+oembed" not in page
