import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs.models import Club
from discussions.models import Discussion
from proceedings import documents
from proceedings.models import Export
from tests.discussions.test_views import add_comments
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.proceedings.worlds import make_world

NAMES = ["html", "markdown", "jsonld", "pdf", "pdf-status"]
# WeasyPrint needs Pango from the system (README, "Proceedings").
needs_pdf = pytest.mark.skipif(not documents.PDF_AVAILABLE, reason="WeasyPrint lacks Pango")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.JOURNAL_CLUB_BASE_URL = "https://club.example.org"
    settings.MEDIA_ROOT = tmp_path
    return make_world()


def url(name, discussion, number=None, **query):
    if number is None:
        path = reverse(f"proceedings:{name}", args=[discussion.slug])
    else:
        path = reverse(f"proceedings:question-{name}", args=[discussion.slug, number])
    return path + ("?syntheses=1" if query.get("syntheses") else "")


# --- The formats ------------------------------------------------------------------------------


def test_the_print_page_is_a_standalone_page_with_its_tools(client, world):
    response = client.get(url("html", world.discussion))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert world.discussion.article.title in html
    assert "First <em>answer</em> text." in html
    assert '<link rel="stylesheet" href="/static/css/proceedings.css">' in html  # this site's
    assert 'class="tools"' in html
    assert f'href="{url("pdf-status", world.discussion)}"' in html
    assert f'href="{url("markdown", world.discussion)}"' in html
    assert "site.css" not in html  # its own stylesheet alone


def test_the_print_page_of_the_syntheses_carries_the_choice_to_the_other_formats(client, world):
    response = client.get(url("html", world.discussion, syntheses=True))

    html = response.content.decode()
    assert "First <em>answer</em>" not in html
    assert "titles" in html
    assert f'href="{url("markdown", world.discussion, syntheses=True)}"' in html
    assert f'href="{url("pdf-status", world.discussion, syntheses=True)}"' in html


def test_markdown_is_served_as_markdown(client, world):
    response = client.get(url("markdown", world.discussion))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert f"{world.discussion.slug}-proceedings-en.md" in response["Content-Disposition"]
    assert "> First *answer* text." in response.content.decode()


def test_jsonld_is_served_as_jsonld(client, world):
    response = client.get(url("jsonld", world.discussion))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert document["@type"] == "Report"
    assert len(document["hasPart"]) == 3


@pytest.mark.parametrize("name", ["html", "markdown", "jsonld"])
def test_one_questions_proceedings(client, world, name):
    response = client.get(url(name, world.discussion, 2))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Words under a pseudonym." in text
    assert "Question number 1?" not in text


@pytest.mark.parametrize("name", NAMES)
def test_a_question_that_does_not_exist_is_not_found(client, world, name):
    assert client.get(url(name, world.discussion, 9)).status_code == 404


def test_french_under_fr(client, world):
    response = client.get("/fr" + url("markdown", world.discussion))

    assert response.status_code == 200
    assert f"https://club.example.org/fr/comments/{world.comments['answer'].pk}/" in (
        response.content.decode()
    )


@pytest.mark.parametrize("name", ["html", "markdown"])
@pytest.mark.usefixtures("clubs_counted")
def test_the_query_count_does_not_grow_with_the_comments(
    client, db, settings, name, django_assert_num_queries
):
    settings.JOURNAL_CLUB_BASE_URL = "https://club.example.org"
    discussion = DiscussionFactory()
    add_comments(discussion, 5)
    with django_assert_num_queries(7) as few:
        response = client.get(url(name, discussion))
    assert response.content.decode().count("/comments/") >= 5

    add_comments(discussion, 45)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url(name, discussion))
    assert response.content.decode().count("/comments/") >= 50


def test_the_discussion_page_offers_the_proceedings(client, world):
    response = client.get(world.discussion.get_absolute_url())

    html = response.content.decode()
    assert 'id="panel-proceedings"' in html
    for name in ("html", "pdf-status", "markdown", "jsonld"):
        assert f'href="{url(name, world.discussion)}"' in html, name
    assert 'name="syntheses" value="1"' in html


# --- The PDF ----------------------------------------------------------------------------------


@needs_pdf
def test_the_pdf_is_queued_then_ready_then_downloaded(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(url("pdf", world.discussion))

    # Queued: the reader is sent to its page, which refreshes itself.
    assert response.status_code == 302
    assert response["Location"] == url("pdf-status", world.discussion)
    export = Export.objects.get()
    assert export.state == Export.State.QUEUED
    assert export.language == "en"
    assert export.question is None
    assert not export.syntheses_only
    page = client.get(response["Location"]).content.decode()
    assert "being prepared" in page
    assert '<meta http-equiv="refresh" content="3">' in page

    # The worker (here, the immediate backend, on commit) builds it.
    for callback in callbacks:
        callback()
    export.refresh_from_db()
    assert export.state == Export.State.READY
    page = client.get(url("pdf-status", world.discussion)).content.decode()
    assert "The PDF is ready." in page
    assert f'href="{url("pdf", world.discussion)}"' in page
    assert 'http-equiv="refresh"' not in page

    response = client.get(url("pdf", world.discussion))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"{world.discussion.slug}-proceedings-en.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert Export.objects.count() == 1


@needs_pdf
def test_asking_twice_makes_one_export_and_a_change_makes_a_new_one(client, world):
    client.get(url("pdf", world.discussion))
    client.get(url("pdf", world.discussion))
    assert Export.objects.count() == 1

    CommentFactory(question=world.discussion.questions.first(), body="Later.")
    client.get(url("pdf", world.discussion))
    client.get(url("pdf", world.discussion, syntheses=True))
    client.get(url("pdf", world.discussion, 2))
    client.get("/fr" + url("pdf", world.discussion))

    assert Export.objects.count() == 5
    assert Export.objects.filter(syntheses_only=True).count() == 1
    assert Export.objects.filter(question__number=2).count() == 1
    assert Export.objects.filter(language="fr").count() == 1


@needs_pdf
def test_the_pdf_page_only_reads_and_its_button_asks(
    client, world, django_capture_on_commit_callbacks
):
    status = url("pdf-status", world.discussion)

    page = client.get(status).content.decode()
    assert Export.objects.count() == 0
    assert "has not been made yet" in page
    assert f'<form method="post" action="{status}">' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status)
    assert response.status_code == 302
    assert response["Location"] == status
    assert Export.objects.get().state == Export.State.READY


@needs_pdf
def test_in_debug_the_pdf_is_ready_at_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("pdf-status", world.discussion, syntheses=True))

    response = client.get(url("pdf", world.discussion, syntheses=True))

    assert response.status_code == 200
    assert "syntheses" in response["Content-Disposition"]


@needs_pdf
def test_a_failed_pdf_says_why_and_can_be_tried_again(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.JOURNAL_CLUB_PROCEEDINGS_MAX_BYTES = 1000
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url("pdf", world.discussion))
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.state == Export.State.FAILED

    page = client.get(url("pdf-status", world.discussion)).content.decode()
    assert "Too large: export one question or the syntheses only." in page
    assert "Try again" in page
    assert 'http-equiv="refresh"' not in page
    # Asking for the PDF again does not retry on its own: the button does.
    client.get(url("pdf", world.discussion))
    assert Export.objects.get().state == Export.State.FAILED

    settings.JOURNAL_CLUB_PROCEEDINGS_MAX_BYTES = 25 * 1024 * 1024
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("pdf-status", world.discussion))
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.state == Export.State.READY
    assert export.error == ""


@needs_pdf
def test_a_pdf_stuck_longer_than_the_lease_can_be_tried_again(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.JOURNAL_CLUB_TASK_LEASE = 60
    client.get(url("pdf", world.discussion))
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.BUILDING, started_at=timezone.now() - datetime.timedelta(minutes=2)
    )

    page = client.get(url("pdf-status", world.discussion)).content.decode()
    assert "something held it up" in page
    assert "Try again" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("pdf-status", world.discussion))
    export.refresh_from_db()
    assert export.state == Export.State.READY


@needs_pdf
def test_a_ready_pdf_whose_file_is_gone_is_built_again(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url("pdf", world.discussion))
    export = Export.objects.get()
    export.file.storage.delete(export.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url("pdf", world.discussion))

    assert response.status_code == 302
    export.refresh_from_db()
    assert export.state == Export.State.READY
    assert export.file.storage.exists(export.file.name)


# --- Who may read them ------------------------------------------------------------------------


@pytest.fixture
def private(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    club = ClubFactory(visibility=Club.Visibility.PRIVATE, joining=Club.Joining.INVITATION)
    member = MembershipFactory(club=club).member
    discussion = DiscussionFactory(club=club)
    CommentFactory(question=discussion.questions.first(), author=member, body="Inside words.")
    return discussion, member


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("number", [None, 1])
def test_a_private_clubs_proceedings_are_not_found_by_outsiders(client, private, name, number):
    discussion, member = private

    assert client.get(url(name, discussion, number)).status_code == 404
    assert client.post(url(name, discussion, number)).status_code in (404, 405)
    client.force_login(UserFactory())
    assert client.get(url(name, discussion, number)).status_code == 404
    assert client.post(url(name, discussion, number)).status_code in (404, 405)
    assert Export.objects.count() == 0

    client.force_login(member)
    assert client.get(url(name, discussion, number)).status_code in (200, 302)


def test_a_drafts_proceedings_are_for_its_hosts(client, world):
    Discussion.objects.filter(pk=world.discussion.pk).update(status=Discussion.Status.DRAFT)

    assert client.get(url("html", world.discussion)).status_code == 404
    client.force_login(world.alice)
    assert client.get(url("markdown", world.discussion)).status_code == 404
    MembershipFactory(club=world.discussion.club, member=world.host, role="host")
    client.force_login(world.host)
    response = client.get(url("markdown", world.discussion))
    assert response.status_code == 200
    assert "First *answer*" not in response.content.decode()  # a draft shows no comments


@needs_pdf
def test_the_pdf_of_the_document_matches_the_markdown(world):
    """The PDF and the Markdown are read from the same data."""
    data = documents.read(world.discussion, language="en")
    assert data.comment_count == 7


def test_without_pango_the_pdf_says_so_and_the_other_formats_work(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(documents, "PDF_AVAILABLE", False)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url("pdf", world.discussion))
    assert Export.objects.get().state == Export.State.FAILED
    page = client.get(url("pdf-status", world.discussion)).content.decode()
    assert "WeasyPrint needs the Pango library" in page
    assert client.get(url("markdown", world.discussion)).status_code == 200
