"""
What each endpoint gives, and its filters: every object with its id and its addresses, in
the shape the schema documents (``conforms``), and Markdown rendered as the site renders it.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Subject
from core.markdown import render_markdown
from discussions.models import Discussion, DiscussionTranslation, QuestionTranslation
from events.models import Meeting
from tests.factories import (
    ArticleFactory,
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    UserFactory,
)

from .conftest import conforms, is_problem, read, results

BASE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.JOURNAL_CLUB_BASE_URL = BASE


def test_the_index_names_every_list(client, db):
    response = read(client, "/api/v1/")
    conforms(response, "/api/v1/")
    assert response.json() == {
        "clubs": f"{BASE}/api/v1/clubs/",
        "papers": f"{BASE}/api/v1/papers/",
        "discussions": f"{BASE}/api/v1/discussions/",
        "sessions": f"{BASE}/api/v1/sessions/",
        "schema": f"{BASE}/api/v1/schema/",
        "docs": f"{BASE}/api/v1/docs/",
    }


# --- Clubs ------------------------------------------------------------------------------------


def test_a_club_with_its_addresses_and_its_description_rendered(client, db):
    club = ClubFactory(slug="readers", description="We read *together*.", language="fr")
    response = read(client, "/api/v1/clubs/readers/")
    conforms(response, "/api/v1/clubs/{slug}/")
    data = response.json()
    assert data["id"] == club.pk
    assert data["url"] == f"{BASE}/clubs/readers/"
    assert data["api_url"] == f"{BASE}/api/v1/clubs/readers/"
    assert data["description_markdown"] == "We read *together*."
    assert data["description_html"] == render_markdown("We read *together*.")
    assert data["language"] == "fr"
    assert data["visibility"] == "public"
    assert data["discussions_api_url"] == f"{BASE}/api/v1/discussions/?club=readers"
    assert data["logo_url"] is None


def test_the_clubs_are_listed_in_the_order_they_were_made(client, db):
    first, second = ClubFactory(), ClubFactory()
    response = read(client, "/api/v1/clubs/")
    conforms(response, "/api/v1/clubs/")
    slugs = [club["slug"] for club in results(response)]
    assert slugs.index(first.slug) < slugs.index(second.slug)


def test_addresses_are_english_whatever_language_is_asked(client, db):
    """The canonical page address is the unprefixed one, not the reader's /fr/ twin."""
    ClubFactory(slug="readers")
    data = read(client, "/api/v1/clubs/readers/", **{"Accept-Language": "fr"}).json()
    assert data["url"] == f"{BASE}/clubs/readers/"


# --- Papers -----------------------------------------------------------------------------------


def test_a_paper_is_its_full_record(client, db):
    paper = ArticleFactory(slug="albers-2020", doi="10.1186/s12913-020-05145-1", issue="1")
    paper.subjects.add(Subject.objects.create(name="Implementation", slug="implementation"))
    paper.authors.filter(position=1).update(orcid="0000-0002-1825-0097")
    response = read(client, "/api/v1/papers/albers-2020/")
    conforms(response, "/api/v1/papers/{slug}/")
    data = response.json()
    assert data["id"] == paper.pk
    assert data["url"] == f"{BASE}/papers/albers-2020/"
    assert data["doi"] == "10.1186/s12913-020-05145-1"
    assert data["doi_url"] == "https://doi.org/10.1186/s12913-020-05145-1"
    assert data["journal"]["title"] == "BMC Health Services Research"
    assert (data["year"], data["published_on"]) == (2020, "2020-05-01")
    assert (data["volume"], data["issue"], data["article_number"]) == ("20", "1", "368")
    assert data["is_open_access"] is True
    assert data["licence"] == "CC BY 4.0"
    assert [author["family_name"] for author in data["authors"]] == ["Lovelace", "Turing"]
    assert data["authors"][0]["orcid"] == "0000-0002-1825-0097"
    assert data["authors"][0]["orcid_url"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["authors"][0]["affiliations"] == ["University of Somewhere"]
    assert data["subjects"] == [{"name": "Implementation", "slug": "implementation"}]
    assert [section["heading"] for section in data["abstract"]] == ["Background", "Conclusion"]


def test_papers_by_doi_in_any_form_and_by_subject(client, db):
    wanted = ArticleFactory(doi="10.1186/abc-1")
    other = ArticleFactory(doi="10.1186/abc-2")
    wanted.subjects.add(Subject.objects.create(name="Nursing", slug="nursing"))
    for doi in ("10.1186/ABC-1", "doi:10.1186/abc-1", "https://doi.org/10.1186/abc-1"):
        found = results(read(client, f"/api/v1/papers/?doi={doi}"))
        assert [paper["id"] for paper in found] == [wanted.pk], doi
    found = results(read(client, "/api/v1/papers/?subject=nursing"))
    assert [paper["id"] for paper in found] == [wanted.pk]
    assert other.pk in [paper["id"] for paper in results(read(client, "/api/v1/papers/"))]


def test_papers_updated_since(client, db):
    old, new = ArticleFactory(), ArticleFactory()
    long_ago = timezone.now() - datetime.timedelta(days=30)
    type(old).objects.filter(pk=old.pk).update(updated_at=long_ago)
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = results(read(client, f"/api/v1/papers/?updated_since={since}"))
    assert [paper["id"] for paper in found] == [new.pk]
    # A date alone means its midnight, UTC.
    day = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    assert [
        paper["id"] for paper in results(read(client, f"/api/v1/papers/?updated_since={day}"))
    ] == [new.pk]


# --- Discussions ------------------------------------------------------------------------------


@pytest.fixture
def translated(db):
    discussion = DiscussionFactory(
        slug="reading-together", commentary="## Why\n\nBecause **we** care.", language="en"
    )
    question = discussion.questions.get(number=1)
    question.synthesis = "# So far\n\nMostly *agreed*."
    question.is_answered = True
    question.save()
    DiscussionTranslation.objects.create(
        discussion=discussion, language="fr", commentary="Parce que."
    )
    QuestionTranslation.objects.create(
        question=question, language="fr", text="Question une ?", synthesis="Plutôt *d'accord*."
    )
    return discussion


def test_a_discussion_with_its_commentary_questions_and_translations(client, translated):
    discussion = translated
    response = read(client, "/api/v1/discussions/reading-together/")
    conforms(response, "/api/v1/discussions/{slug}/")
    data = response.json()
    assert data["id"] == discussion.pk
    assert data["title"] == discussion.article.title
    assert data["url"] == f"{BASE}/discussions/reading-together/"
    assert data["club"]["slug"] == "journal-club"
    assert data["paper"]["doi"] == discussion.article.doi
    assert data["host"]["username"] == discussion.host.username
    assert data["host"]["display_name"] == discussion.host.display_name
    assert "email" not in str(data)
    assert data["status"] == "open"
    assert data["language"] == "en"
    assert data["commentary_markdown"] == "## Why\n\nBecause **we** care."
    # As the discussion page renders it: the host's headings start at <h3>.
    assert data["commentary_html"] == render_markdown(discussion.commentary, heading_level=3)
    assert "<h4>Why</h4>" in data["commentary_html"]
    assert data["comments_api_url"] == f"{BASE}/api/v1/discussions/reading-together/comments/"
    first = data["questions"][0]
    assert [question["number"] for question in data["questions"]] == [1, 2, 3]
    assert first["text"] == "Question number 1?"
    assert first["synthesis_markdown"] == "# So far\n\nMostly *agreed*."
    assert first["synthesis_html"] == render_markdown(first["synthesis_markdown"], heading_level=5)
    assert first["is_answered"] is True
    assert first["url"] == f"{BASE}/discussions/reading-together/#question-1"
    assert first["comments_api_url"].endswith("/comments/?question=1")
    assert data["translations"] == [
        {
            "language": "fr",
            "commentary_markdown": "Parce que.",
            "commentary_html": render_markdown("Parce que."),
            "questions": [
                {
                    "number": 1,
                    "text": "Question une ?",
                    "synthesis_markdown": "Plutôt *d'accord*.",
                    "synthesis_html": render_markdown("Plutôt *d'accord*.", heading_level=5),
                }
            ],
        }
    ]


def test_a_discussion_detail_reads_in_a_constant_number_of_queries(
    client, translated, django_assert_num_queries
):
    # The discussion with its club, paper and host; its questions; both translations.
    with django_assert_num_queries(4):
        assert read(client, "/api/v1/discussions/reading-together/").status_code == 200


def test_the_list_gives_each_discussion_without_its_commentary(client, translated):
    response = read(client, "/api/v1/discussions/")
    conforms(response, "/api/v1/discussions/")
    (data,) = results(response)
    assert data["slug"] == "reading-together"
    assert "commentary_markdown" not in data
    assert "questions" not in data


def test_discussions_by_club_paper_subject_status_and_update(client, db):
    club = ClubFactory(slug="nurses")
    paper = ArticleFactory(doi="10.1186/nurse-1", slug="nurse-paper")
    paper.subjects.add(Subject.objects.create(name="Nursing", slug="nursing"))
    wanted = DiscussionFactory(club=club, article=paper)
    closed = DiscussionFactory(status=Discussion.Status.CLOSED)
    Discussion.objects.filter(pk=closed.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=10)
    )

    def ids(query):
        return [item["id"] for item in results(read(client, f"/api/v1/discussions/?{query}"))]

    assert ids("club=nurses") == [wanted.pk]
    assert ids("paper=10.1186/NURSE-1") == [wanted.pk]
    assert ids("paper=https://doi.org/10.1186/nurse-1") == [wanted.pk]
    assert ids("paper=nurse-paper") == [wanted.pk]
    assert ids("subject=nursing") == [wanted.pk]
    assert ids("status=closed") == [closed.pk]
    assert ids("status=open") == [wanted.pk]
    assert ids("status=open&club=journal-club") == []
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert closed.pk not in ids(f"updated_since={since.replace('+', '%2B')}")
    assert wanted.pk in ids(f"updated_since={since.replace('+', '%2B')}")


# --- Sessions ---------------------------------------------------------------------------------


def _session(discussion, days, **fields):
    return Meeting.objects.create(
        discussion=discussion, starts_at=timezone.now() + datetime.timedelta(days=days), **fields
    )


def test_a_session_with_its_discussion_and_notes(client, db):
    discussion = DiscussionFactory(slug="with-session")
    meeting = _session(
        discussion,
        2,
        title="Live one",
        duration=datetime.timedelta(hours=1, minutes=30),
        place="Room 4",
        video_url="https://video.example.org/room",
        notes="# Said\n\nA *lot*.",
    )
    response = read(client, f"/api/v1/sessions/{meeting.pk}/")
    conforms(response, "/api/v1/sessions/{id}/")
    data = response.json()
    assert data["id"] == meeting.pk
    assert data["url"] == f"{BASE}/discussions/with-session/#session-{meeting.pk}"
    assert data["ics_url"] == f"{BASE}{reverse('events:meeting-ics', args=[meeting.pk])}"
    assert data["duration_seconds"] == 5400
    assert data["ends_at"] is not None
    assert data["notes_html"] == render_markdown(meeting.notes, heading_level=5)
    assert data["discussion"]["slug"] == "with-session"
    assert data["club"]["slug"] == "journal-club"


def test_sessions_soonest_first_by_discussion_club_and_upcoming(client, db):
    here = DiscussionFactory(slug="here", club=ClubFactory(slug="here-club"))
    there = DiscussionFactory(slug="there")
    later = _session(here, 5)
    sooner = _session(there, 1)
    past = _session(here, -3)

    def ids(query=""):
        response = read(client, f"/api/v1/sessions/?{query}")
        conforms(response, "/api/v1/sessions/")
        return [item["id"] for item in results(response)]

    assert ids() == [past.pk, sooner.pk, later.pk]
    assert ids("discussion=here") == [past.pk, later.pk]
    assert ids("club=here-club") == [past.pk, later.pk]
    assert ids("upcoming=true") == [sooner.pk, later.pk]
    assert ids("upcoming=false") == [past.pk]


def test_sessions_page_by_their_start(client, db):
    discussion = DiscussionFactory()
    made = [_session(discussion, days) for days in (3, 1, 2, 1)]
    seen, url = [], "/api/v1/sessions/?page_size=1"
    while url:
        response = client.get(url)
        seen += [item["id"] for item in results(response)]
        url = response.json()["next"]
    by_start = sorted(made, key=lambda meeting: (meeting.starts_at, meeting.pk))
    assert seen == [meeting.pk for meeting in by_start]


# --- Members ----------------------------------------------------------------------------------


def test_a_members_public_profile_and_never_their_email(client, db):
    member = UserFactory(
        username="ada",
        display_name="Ada L.",
        first_name="Augusta",
        affiliation="Analytical Engines",
        orcid="0000-0002-1825-0097",
        bio="I *like* engines.",
    )
    response = read(client, "/api/v1/members/ada/")
    conforms(response, "/api/v1/members/{username}/")
    data = response.json()
    assert data == {
        "id": member.pk,
        "username": "ada",
        "display_name": "Ada L.",
        "affiliation": "Analytical Engines",
        "orcid": "0000-0002-1825-0097",
        "orcid_verified": False,
        "orcid_url": "https://orcid.org/0000-0002-1825-0097",
        "bio_html": render_markdown("I *like* engines."),
        "url": f"{BASE}/members/ada/",
        "api_url": f"{BASE}/api/v1/members/ada/",
    }
    assert member.email not in response.content.decode()
    assert "Augusta" not in response.content.decode()


def test_a_closed_account_has_no_profile(client, db):
    UserFactory(username="gone", is_active=False)
    is_problem(read(client, "/api/v1/members/gone/"), 404, "not_found")


def test_a_comment_by_a_closed_account_names_no_profile(client, db):
    discussion = DiscussionFactory()
    comment = CommentFactory(question=discussion.questions.first())
    type(comment.author).objects.filter(pk=comment.author_id).update(is_active=False)
    author = read(client, f"/api/v1/comments/{comment.pk}/").json()["author"]
    assert author["url"] is None
    assert author["api_url"] is None


# --- The same queries whatever the page holds ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # The clubs.
        ("/api/v1/clubs/?page_size=200", 1),
        # The papers with their journals; their authors, subjects, abstracts.
        ("/api/v1/papers/?page_size=200", 4),
        # The discussions with their clubs, papers and hosts.
        ("/api/v1/discussions/?page_size=200", 1),
        # The sessions with their discussions, papers and clubs.
        ("/api/v1/sessions/?page_size=200", 1),
    ],
)
@pytest.mark.parametrize("count", [2, 30])
def test_a_list_reads_in_the_same_queries_at_any_length(
    client, db, url, queries, count, django_assert_num_queries
):
    for _ in range(count):
        discussion = DiscussionFactory(club=ClubFactory())
        _session(discussion, 1)
    with django_assert_num_queries(queries):
        assert len(results(read(client, url))) >= count
