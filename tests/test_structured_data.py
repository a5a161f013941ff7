"""
Every page describes itself in schema.org JSON-LD that a JSON-LD processor reads: each
URL of the access matrix that some role reads as an HTML page carries blocks that parse,
expand with PyLD (the contexts served from tests/data/, no network), have a type, and use
only schema.org's types and properties. Then what the main page types say.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from core.structured import plain_text, script
from discussions import structured
from discussions.models import Comment, CommentRow, Pseudonym
from events.models import Meeting
from tests.factories import (
    AuthorFactory,
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    UserFactory,
)
from tests.jsonld import blocks, expand, foreign_terms, json_ld, nodes_of_type
from tests.test_access_matrix import MATRIX, World

# Pages some role reads: the role that sees most of each is asked first.
READERS = ["staff", "moderator", "host", "member", "anonymous"]
# The mark of a page of the site's layout (templates/base.html), which has its JSON-LD.
SITE_LAYOUT = '<header class="site-header">'
# What the main page types are, at the top of their JSON-LD.
MAIN_TYPES = {
    "discussions:home": "CollectionPage",
    "discussions:archive": "CollectionPage",
    "discussions:detail": "DiscussionForumPosting",
    "discussions:question": "DiscussionForumPosting",
    "discussions:comment-revisions": "Comment",
    "discussions:clubs": "CollectionPage",
    "discussions:club": "Organization",
    "articles:detail": "ScholarlyArticle",
    "accounts:profile": "ProfilePage",
    "discovery:search": "SearchResultsPage",
    "discovery:browse": "CollectionPage",
    "discovery:subject": "CollectionPage",
    "discovery:subjects": "CollectionPage",
    "discovery:author": "CollectionPage",
    "discovery:journal": "CollectionPage",
    "discovery:year": "CollectionPage",
    "events:list": "CollectionPage",
    "code-of-conduct": "WebPage",
    "account_login": "WebPage",
}


def problems_of(html: str) -> list[str]:
    """
    What is wrong with a page's JSON-LD blocks (none at all is wrong too, on a page of the
    site's layout: Swagger UI's page of the API's documentation and the print page of
    proceedings have their own).
    """
    found = blocks(html)
    if not found:
        return ["no JSON-LD"] if SITE_LAYOUT in html else []
    problems = []
    for text in found:
        if "<" in text:
            problems.append("a '<' left unescaped in the script element")
        try:
            data = json.loads(text)
        except ValueError as error:
            problems.append(f"not JSON: {error}")
            continue
        if not isinstance(data, dict) or "@type" not in data:
            problems.append("no top-level @type")
            continue
        expanded = expand(data)
        if not expanded:
            problems.append("expands to nothing")
        problems += foreign_terms(expanded)
    return problems


@pytest.mark.django_db
def test_every_page_has_json_ld_of_schema_org_terms_only():
    world = World()
    Meeting.objects.filter(pk=world.meeting.pk).update(video_url="https://meet.example.org/x")
    failures, checked, types = [], 0, {}
    for name, (build, table) in sorted(MATRIX.items()):
        role = next((role for role in READERS if table[role][0] == 200), None)
        if role is None:
            continue
        response = world.client(role).get(build(world))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if "<html" not in html[:300]:
            continue  # a fragment, not a page
        checked += 1
        failures += [f"{name}: {problem}" for problem in problems_of(html)]
        types[name] = [data.get("@type") for data in json_ld(html) if isinstance(data, dict)]
        world.reset()
    assert failures == [], "\n".join(failures)
    assert checked > 40
    wrong = {
        name: types.get(name)
        for name, kind in MAIN_TYPES.items()
        if kind not in types.get(name, [])
    }
    assert wrong == {}


# --- The discussion page ---------------------------------------------------------------------


def _page_json_ld(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return json_ld(response.content.decode())[0]


@pytest.mark.django_db
def test_the_discussion_page_is_a_forum_posting_with_its_comments_nested(client):
    discussion = DiscussionFactory(article__doi="10.1186/s12913-020-05145-1")
    question = discussion.questions.first()
    answer = CommentFactory(question=question, body_html="<p>An <em>answer</em>.</p>")
    reply = CommentFactory(parent=answer, body_html="<p>A reply.</p>")
    deeper = CommentFactory(parent=reply, body_html="<p>A reply to the reply.</p>")
    hidden = CommentFactory(parent=answer, status=Comment.Status.HIDDEN, body_html="<p>Rude.</p>")
    kept = CommentFactory(parent=hidden, body_html="<p>Under a hidden one.</p>")
    CommentFactory(parent=answer, deleted_at=timezone.now(), body_html="<p>Gone.</p>")
    CommentFactory(question=question, status=Comment.Status.PENDING, body_html="<p>Waiting.</p>")

    data = _page_json_ld(client, discussion.get_absolute_url())

    assert data["@type"] == "DiscussionForumPosting"
    assert data["headline"] == discussion.article.title
    assert data["url"] == f"http://testserver{discussion.get_absolute_url()}"
    assert data["text"] == "A short commentary by the host."
    assert data["author"]["name"] == discussion.host.name
    assert data["about"]["@type"] == "ScholarlyArticle"
    assert data["about"]["sameAs"] == "https://doi.org/10.1186/s12913-020-05145-1"
    assert data["isPartOf"]["name"] == discussion.club.name
    assert data["interactionStatistic"]["userInteractionCount"] == 4  # public, not deleted
    [top] = data["comment"]
    assert top["url"] == f"http://testserver/comments/{answer.pk}/"
    assert top["text"] == "An answer."
    assert [c["text"] for c in top["comment"]] == ["A reply.", "Under a hidden one."]
    assert top["comment"][0]["comment"][0]["url"].endswith(f"/comments/{deeper.pk}/")
    text = json.dumps(data)
    for withheld in ("Rude", "Gone", "Waiting", f"/comments/{hidden.pk}/"):
        assert withheld not in text
    assert f"/comments/{kept.pk}/" in text


@pytest.mark.django_db
def test_a_pseudonymous_comment_names_only_its_pseudonym(client):
    discussion = DiscussionFactory()
    member = UserFactory(display_name="Dana Revealed", affiliation="Secret Agency")
    pseudonym = Pseudonym.objects.create(discussion=discussion, member=member, name="Quiet Heron")
    CommentFactory(question=discussion.questions.first(), author=member, pseudonym=pseudonym)

    data = _page_json_ld(client, discussion.get_absolute_url())

    assert data["comment"][0]["author"] == {"@type": "Person", "name": "Quiet Heron"}
    text = json.dumps(data)
    for trace in (member.username, "Dana Revealed", "Secret Agency"):
        assert trace not in text


@pytest.mark.django_db
def test_the_question_page_describes_the_question_and_its_answers(client):
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    CommentFactory(question=question, body_html="<p>Yes.</p>")
    url = reverse("discussions:question", args=[discussion.slug, question.number])

    data = _page_json_ld(client, url)

    assert data["@type"] == "DiscussionForumPosting"
    assert data["headline"] == question.text
    assert data["isPartOf"]["url"].endswith(discussion.get_absolute_url())
    assert [comment["text"] for comment in data["comment"]] == ["Yes."]


def _row(pk, parent=None, *, question=1, status="published", deleted=False, text="x"):
    moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(minutes=pk)
    return CommentRow(
        pk=pk, question_id=question, parent_id=parent, root_id=None, author_id=1,
        author_username="someone", author_display_name="Someone", author_affiliation="",
        pseudonym_id=None, body_html=f"<p>{text}</p>", label="", language="en",
        status=status, moderation_note="", helpful_count=0, created_at=moment,
        edited_at=None, deleted_at=moment if deleted else None, version=0,
    )  # fmt: skip


def _count(tree) -> int:
    return sum(1 + _count(node.get("comment", [])) for node in tree)


def test_on_a_page_of_5000_comments_the_json_ld_is_bounded():
    """Every question's answers come first, then replies level by level, up to the cap."""
    rows, pk = [], 0
    for question in (1, 2, 3):
        for _answer in range(50):
            pk += 1
            rows.append(_row(pk, question=question, text="word " * 400))
            parent = pk
            for _reply in range(32):  # a long back-and-forth under each answer
                pk += 1
                rows.append(_row(pk, parent, question=question, text="word " * 400))
                parent = pk
    assert len(rows) > 4900

    tree = structured.comment_tree(rows, base="https://club.example.org")

    assert _count(tree) == structured.MAX_COMMENTS
    assert len(tree) == 100  # the first answers of the questions, in page order
    assert all(len(node["text"]) <= structured.TEXT_LENGTH for node in tree)
    assert len(json.dumps(tree).encode()) < 100_000


def test_replies_nest_no_deeper_than_the_page_shows():
    rows = [_row(1)] + [_row(pk, pk - 1) for pk in range(2, 12)]

    tree = structured.comment_tree(rows, base="")

    depth, node = 0, tree[0]
    while node.get("comment"):
        depth, node = depth + 1, node["comment"][0]
    assert depth == structured.MAX_DEPTH
    assert _count(tree) == 11


def test_a_script_end_tag_in_a_comment_cannot_leave_the_script_element():
    hostile = "</script><script>alert(1)</script><!--"
    html = str(script({"@type": "Comment", "text": hostile}))

    assert html.count("</script>") == 1
    assert html.endswith("</script>")
    assert "<!--" not in html
    assert json.loads(blocks(html)[0])["text"] == hostile


@pytest.mark.django_db
def test_a_comment_with_a_script_end_tag_keeps_the_page_whole(client):
    discussion = DiscussionFactory()
    CommentFactory(
        question=discussion.questions.first(), body="`</script><script>alert(1)</script>`"
    )

    html = client.get(discussion.get_absolute_url()).content.decode()

    [data] = json_ld(html)
    assert "</script><script>alert(1)</script>" in data["comment"][0]["text"]
    assert "<script>alert(1)" not in html


def test_plain_text_keeps_paragraphs_and_cuts_long_texts():
    assert plain_text("<p>One &amp; two</p><p>Three</p>") == "One & two\nThree"
    assert plain_text("<p>" + "word " * 100 + "</p>", limit=20) == "word word word word…"


# --- People, papers, sessions ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("verified", [False, True])
def test_a_member_is_the_same_as_their_orcid_id_only_when_orcid_verified_it(client, verified):
    member = UserFactory(
        display_name="Ada Broker", affiliation="Harbourside", orcid="0000-0002-1825-0097"
    )
    member.orcid_verified = verified
    member.save()

    data = _page_json_ld(client, member.get_absolute_url())

    assert data["@type"] == "ProfilePage"
    person = data["mainEntity"]
    assert person["name"] == "Ada Broker"
    assert person["url"] == f"http://testserver{member.get_absolute_url()}"
    assert person["affiliation"] == {"@type": "Organization", "name": "Harbourside"}
    if verified:
        assert person["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    else:
        assert "sameAs" not in person


@pytest.mark.django_db
def test_the_paper_page_is_a_scholarly_article_with_its_doi(client):
    discussion = DiscussionFactory(
        article__doi="10.1186/s12913-020-05145-1", article__issue="1", article__pages="1–10"
    )
    article = discussion.article
    AuthorFactory(article=article, position=3, family_name="Metz", orcid="0000-0002-1825-0097")
    article.subjects.create(name="Knowledge brokering", slug="knowledge-brokering")

    data = _page_json_ld(client, article.get_absolute_url())

    assert data["@type"] == "ScholarlyArticle"
    assert data["headline"] == article.title
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1186/s12913-020-05145-1",
    }
    assert data["sameAs"] == "https://doi.org/10.1186/s12913-020-05145-1"
    assert data["datePublished"] == "2020-05-01"
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Ada Lovelace",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "affiliation": [{"@type": "Organization", "name": "University of Somewhere"}],
    }
    assert data["author"][2]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    issue = data["isPartOf"]
    assert (issue["@type"], issue["issueNumber"]) == ("PublicationIssue", "1")
    assert issue["isPartOf"]["@type"] == "PublicationVolume"
    assert issue["isPartOf"]["isPartOf"]["issn"] == ["1472-6963"]
    assert (data["pageStart"], data["pageEnd"]) == ("1", "10")
    assert data["keywords"] == ["Knowledge brokering"]
    assert data["abstract"].startswith("Background: Why this matters.")
    assert data["license"] == "CC BY 4.0"
    assert data["url"] == f"http://testserver{article.get_absolute_url()}"
    assert data["subjectOf"][0]["url"].endswith(discussion.get_absolute_url())


@pytest.mark.django_db
def test_a_paper_known_to_the_year_only_says_the_year():
    article = Article(published_on=datetime.date(2020, 1, 1), published_precision="year")
    from articles.structured import published

    assert published(article) == "2020"


@pytest.mark.django_db
def test_the_list_of_sessions_describes_each_as_an_event(client, settings):
    settings.TIME_ZONE = "America/Toronto"
    club = ClubFactory(name="Harbourside Knowledge Brokers")
    discussion = DiscussionFactory(club=club)
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    Meeting.objects.create(
        discussion=discussion,
        starts_at=starts,
        duration=datetime.timedelta(hours=1),
        video_url="https://meet.example.org/room",
    )

    data = _page_json_ld(client, reverse("events:list"))

    [event] = nodes_of_type(data, "Event")
    local = timezone.localtime(starts, timezone.get_current_timezone())
    assert datetime.datetime.fromisoformat(event["startDate"]) == starts
    assert event["startDate"].endswith(local.isoformat()[-6:])  # with its offset
    assert datetime.datetime.fromisoformat(event["endDate"]) == starts + datetime.timedelta(hours=1)
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert event["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.org/room"}
    assert event["organizer"]["name"] == "Harbourside Knowledge Brokers"
    assert event["about"]["name"] == discussion.article.title
    assert event["url"].endswith(
        f"{discussion.get_absolute_url()}#session-{discussion.meetings.get().pk}"
    )


def _queries_of_the_list(client, sessions: int) -> int:
    for _ in range(sessions):
        Meeting.objects.create(
            discussion=DiscussionFactory(club=ClubFactory()),
            starts_at=timezone.now() + datetime.timedelta(days=2),
        )
    client.get(reverse("events:list"))  # what the header keeps for a while is kept
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("events:list")).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_of_sessions_reads_the_same_for_one_session_or_many(client):
    """Each session's organiser (its club) comes with the session: no query per session."""
    one = _queries_of_the_list(client, 1)
    assert _queries_of_the_list(client, 5) == one


@pytest.mark.django_db
def test_pages_in_french_say_so(client):
    discussion = DiscussionFactory()

    data = _page_json_ld(client, f"/fr{discussion.get_absolute_url()}")

    assert data["url"].startswith("http://testserver/fr/")
    home = _page_json_ld(client, "/fr/")
    assert home["inLanguage"] == "fr"
