"""A discussion's public comments as a W3C Web Annotation collection (discovery.annotations)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discovery import annotations
from discussions.models import Comment, Pseudonym
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.jsonld import expand

OA = "http://www.w3.org/ns/oa#"
BASE = "http://testserver"

pytestmark = pytest.mark.django_db


def url_of(discussion, **query) -> str:
    url = reverse("discovery:annotations", args=[discussion.slug])
    return url + "".join(f"?{name}={value}" for name, value in query.items())


def read(client, discussion, **query) -> dict:
    response = client.get(url_of(discussion, **query))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    )
    return json.loads(response.content)


@pytest.fixture
def thread():
    """An answer, a reply, and what never goes out: hidden, deleted, awaiting review."""
    discussion = DiscussionFactory(article__doi="10.1186/s12913-020-05145-1", language="en")
    question = discussion.questions.get(number=1)
    answer = CommentFactory(question=question, body_html="<p>An <em>answer</em>.</p>")
    reply = CommentFactory(parent=answer, body_html="<p>A reply.</p>", language="fr")
    hidden = CommentFactory(parent=answer, status=Comment.Status.HIDDEN, body_html="<p>Rude</p>")
    under_hidden = CommentFactory(parent=hidden, body_html="<p>Still here.</p>")
    CommentFactory(question=question, deleted_at=timezone.now(), body_html="<p>Gone</p>")
    CommentFactory(question=question, status=Comment.Status.PENDING, body_html="<p>Waiting</p>")
    return {
        "discussion": discussion,
        "question": question,
        "answer": answer,
        "reply": reply,
        "hidden": hidden,
        "under_hidden": under_hidden,
    }


def test_the_public_comments_are_annotations_of_the_paper(client, thread):
    discussion, answer, reply = thread["discussion"], thread["answer"], thread["reply"]

    data = read(client, discussion)

    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["id"] == BASE + url_of(discussion)
    assert data["total"] == 3
    assert data["label"] == f"Comments on “{discussion.article.title}”"
    items = data["first"]["items"]
    assert [item["id"] for item in items] == [
        f"{BASE}/comments/{pk}/" for pk in (answer.pk, reply.pk, thread["under_hidden"].pk)
    ]
    first = items[0]
    assert first["type"] == "Annotation"
    assert first["motivation"] == "commenting"
    assert first["target"]["source"] == "https://doi.org/10.1186/s12913-020-05145-1"
    assert first["target"]["scope"] == f"{BASE}{discussion.get_absolute_url()}#question-1"
    comment, question = first["body"]
    assert comment == {
        "type": "TextualBody",
        "value": "<p>An <em>answer</em>.</p>",
        "format": "text/html",
        "language": "en",
        "purpose": "commenting",
    }
    assert question["purpose"] == "questioning"
    assert question["value"] == thread["question"].text
    assert question["creator"]["name"] == discussion.host.name
    assert first["creator"] == {
        "type": "Person",
        "name": answer.author.name,
        "nickname": answer.author.username,
        "homepage": f"{BASE}{answer.author.get_absolute_url()}",
    }
    assert first["created"] == answer.created_at.isoformat(timespec="seconds")
    assert first["generator"]["name"] == "Journal Club"
    second = items[1]
    assert second["motivation"] == "replying"
    assert second["target"] == f"{BASE}/comments/{answer.pk}/"
    assert second["body"]["language"] == "fr"
    # A reply under a hidden comment still answers it (its address stays).
    assert items[2]["target"] == f"{BASE}/comments/{thread['hidden'].pk}/"
    text = json.dumps(data)
    for withheld in ("Rude", "Gone", "Waiting"):
        assert withheld not in text


def test_the_collection_expands_as_web_annotations(client, thread):
    expanded = expand(read(client, thread["discussion"]))

    [collection] = expanded
    assert collection["@type"] == ["http://www.w3.org/ns/activitystreams#OrderedCollection"]
    page = collection["http://www.w3.org/ns/activitystreams#first"][0]
    items = page["http://www.w3.org/ns/activitystreams#items"][0]["@list"]
    assert [item["@type"] for item in items] == [[OA + "Annotation"]] * 3
    motivations = [item[OA + "motivatedBy"][0]["@id"] for item in items]
    assert motivations == [OA + "commenting", OA + "replying", OA + "replying"]
    target = items[0][OA + "hasTarget"][0]
    assert target[OA + "hasSource"][0]["@id"] == "https://doi.org/10.1186/s12913-020-05145-1"
    created = items[0]["http://purl.org/dc/terms/created"][0]
    assert created["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"


def test_a_pseudonym_is_a_name_alone(client):
    discussion = DiscussionFactory()
    member = UserFactory(display_name="Dana Revealed")
    pseudonym = Pseudonym.objects.create(discussion=discussion, member=member, name="Quiet Heron")
    CommentFactory(question=discussion.questions.first(), author=member, pseudonym=pseudonym)

    data = read(client, discussion)

    assert data["first"]["items"][0]["creator"] == {"type": "Person", "name": "Quiet Heron"}
    assert member.username not in json.dumps(data)
    assert "Dana Revealed" not in json.dumps(data)


def test_a_paper_without_a_doi_is_its_page_here(client):
    discussion = DiscussionFactory(article__doi=None)
    CommentFactory(question=discussion.questions.first())

    data = read(client, discussion)

    source = data["first"]["items"][0]["target"]["source"]
    assert source == f"{BASE}{discussion.article.get_absolute_url()}"


def test_ids_are_the_same_at_the_french_address(client, thread):
    english = read(client, thread["discussion"])
    response = client.get(f"/fr{url_of(thread['discussion'])}")

    french = json.loads(response.content)
    assert [item["id"] for item in french["first"]["items"]] == [
        item["id"] for item in english["first"]["items"]
    ]
    assert french["id"] == english["id"]


def test_the_collection_comes_in_pages(client, thread, monkeypatch):
    monkeypatch.setattr(annotations, "PER_PAGE", 2)
    discussion = thread["discussion"]

    whole = read(client, discussion)
    second = read(client, discussion, page=2)

    assert len(whole["first"]["items"]) == 2
    assert whole["first"]["next"] == f"{BASE}{url_of(discussion)}?page=2"
    assert whole["last"] == f"{BASE}{url_of(discussion)}?page=2"
    assert second["type"] == "AnnotationPage"
    assert second["startIndex"] == 2
    assert second["prev"] == f"{BASE}{url_of(discussion)}?page=1"
    assert "next" not in second
    assert second["partOf"]["total"] == 3
    assert [item["id"] for item in second["items"]] == [
        f"{BASE}/comments/{thread['under_hidden'].pk}/"
    ]
    assert read(client, discussion, page="abc")["id"].endswith("?page=1")
    past = client.get(url_of(discussion, page=3))
    assert past.status_code == 404
    assert "no such page" in past.content.decode()


def test_an_empty_discussion_is_an_empty_collection(client):
    data = read(client, DiscussionFactory())

    assert data["total"] == 0
    assert data["first"]["items"] == []


def test_a_private_discussion_is_not_found_by_outsiders(client):
    club = ClubFactory(visibility="private", joining="invitation")
    discussion = DiscussionFactory(club=club)
    CommentFactory(question=discussion.questions.first())
    member = MembershipFactory(club=club).member

    assert client.get(url_of(discussion)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url_of(discussion)).status_code == 404
    client.force_login(member)
    assert client.get(url_of(discussion)).status_code == 200


def test_a_draft_is_not_found(client):
    discussion = DiscussionFactory(status="draft")

    assert client.get(url_of(discussion)).status_code == 404


def _queries(client, discussion) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url_of(discussion)).status_code == 200
    return len(queries)


def test_a_page_costs_the_same_queries_for_few_comments_or_many(client):
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    answer = CommentFactory(question=question)
    few = _queries(client, discussion)
    for _ in range(10):
        CommentFactory(parent=answer)
        CommentFactory(question=discussion.questions.last())

    assert _queries(client, discussion) == few


def test_the_discussion_page_links_its_annotations(client):
    discussion = DiscussionFactory()

    html = client.get(discussion.get_absolute_url()).content.decode()

    link = (
        '<link rel="alternate" type="application/ld+json" '
        f'title="Comments as W3C Web Annotations" href="{url_of(discussion)}">'
    )
    assert link in html
