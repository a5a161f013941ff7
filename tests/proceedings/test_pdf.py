import datetime
import gc
import io
import shutil
import socket
import subprocess
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from proceedings import documents, tasks
from proceedings.exports import export_request
from proceedings.models import Export
from tests.factories import CommentFactory
from tests.proceedings.worlds import make_world

# WeasyPrint needs Pango from the system (README, "Proceedings"); without it the PDF
# cannot be made, which tests/proceedings/test_export_views.py checks is said plainly.
pytestmark = pytest.mark.skipif(not documents.PDF_AVAILABLE, reason="WeasyPrint lacks Pango")

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
BASE = "https://club.example.org"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.JOURNAL_CLUB_BASE_URL = BASE
    settings.MEDIA_ROOT = tmp_path
    return make_world()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach the network (or a file:// URL through urllib) fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("nothing may be fetched for a document")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return attempts


def text_of(pdf: bytes) -> str:
    if not shutil.which(PDFTOTEXT):
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    return subprocess.run(  # noqa: S603 - poppler's pdftotext on our own bytes
        [PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


# --- The PDF ----------------------------------------------------------------------------------


def test_the_pdf_is_a_tagged_pdf_with_its_title_author_and_language(world, no_network):
    pdf = documents.render_pdf(world.discussion, language="en")

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    title = world.discussion.article.title
    assert reader.metadata.title.startswith(title)
    assert reader.metadata.author == "Maren Host"
    assert not no_network


def test_its_text_reads_back_with_the_title_and_the_comments(world):
    text = " ".join(text_of(documents.render_pdf(world.discussion, language="en")).split())

    assert world.discussion.article.title in text
    assert "First answer text." in text
    assert "Blue Heron (pseudonym)" in text
    assert "Secret Person" not in text
    assert "Hidden words" not in text


def test_syntheses_only_and_one_question_make_their_own_pdfs(world):
    syntheses = " ".join(
        text_of(documents.render_pdf(world.discussion, language="en", syntheses_only=True)).split()
    )
    question = world.discussion.questions.get(number=2)
    second = " ".join(
        text_of(documents.render_pdf(world.discussion, language="en", question=question)).split()
    )

    assert "titles matter" in syntheses
    assert "First answer text." not in syntheses
    assert "Words under a pseudonym." in second
    assert "First answer text." not in second


# --- Nothing is fetched -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://127.0.0.1:8000/static/css/proceedings.css",  # another host than ours
        f"{BASE}/media/proceedings/other.pdf",
        f"{BASE}/static/../config/settings.py",
        f"{BASE}/static/%2e%2e/config/settings.py",
        f"{BASE}/static/",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_all_but_our_static_files(settings, url):
    settings.JOURNAL_CLUB_BASE_URL = BASE

    with pytest.raises(documents.RefusedURL):
        documents.StaticFilesOnly().fetch(url)


def test_the_fetcher_reads_our_stylesheet_from_disk(settings, no_network):
    settings.JOURNAL_CLUB_BASE_URL = BASE

    response = documents.StaticFilesOnly().fetch(f"{BASE}/static/css/proceedings.css")

    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_a_document_naming_remote_images_and_files_fetches_nothing(settings, no_network, caplog):
    settings.JOURNAL_CLUB_BASE_URL = BASE
    html = (
        '<html lang="en"><head><title>T</title>'
        '<link rel="stylesheet" href="https://example.org/evil.css">'
        '<link rel="stylesheet" href="file:///etc/passwd"></head><body><p>Text</p>'
        '<img src="https://example.org/tracker.png" alt="x">'
        '<img src="file:///etc/hostname" alt="y"><img src="/media/logo.png" alt="z">'
        "</body></html>"
    )

    pdf = documents.pdf_of(html)

    assert pdf.startswith(b"%PDF-")
    assert not no_network
    refused = " ".join(record.getMessage() for record in caplog.records)
    assert "tracker.png" in refused
    assert "/etc/hostname" in refused


def test_image_markdown_in_a_comment_fetches_nothing(world, no_network):
    CommentFactory(
        question=world.discussion.questions.first(),
        body="![a pixel](https://example.org/pixel.png) and [a link](https://example.org/)",
    )

    pdf = documents.render_pdf(world.discussion, language="en")

    assert pdf.startswith(b"%PDF-")
    assert not no_network


# --- The worker's task ------------------------------------------------------------------------


def queued(discussion, **options) -> Export:
    options.setdefault("language", "en")
    return export_request(discussion=discussion, **options)  # the test's transaction: not built


def test_the_task_builds_the_pdf_and_keeps_it(world):
    export = queued(world.discussion)
    assert export.state == Export.State.QUEUED

    assert tasks.build_export.call(export.pk) == "ready"

    export.refresh_from_db()
    assert export.state == Export.State.READY
    assert export.size == default_storage.size(export.file.name) > 1000
    assert export.comment_count == 7
    assert export.build_seconds > 0
    assert export.started_at
    assert export.finished_at
    with export.file.open("rb") as file:
        assert file.read(5) == b"%PDF-"


def test_the_task_runs_once_however_often_it_is_enqueued(world):
    export = queued(world.discussion)

    assert tasks.build_export.call(export.pk) == "ready"
    assert tasks.build_export.call(export.pk) == "not claimed"


def test_a_pdf_over_the_size_bound_is_not_kept(world, settings):
    settings.JOURNAL_CLUB_PROCEEDINGS_MAX_BYTES = 1000
    export = queued(world.discussion)

    tasks.build_export.call(export.pk)

    export.refresh_from_db()
    assert export.state == Export.State.FAILED
    assert export.error == "Too large: export one question or the syntheses only."
    assert not export.file
    assert (
        not default_storage.exists("proceedings") or default_storage.listdir("proceedings")[1] == []
    )


def test_too_many_comments_fail_before_the_layout(world, settings, monkeypatch):
    settings.JOURNAL_CLUB_PROCEEDINGS_MAX_COMMENTS = 5
    monkeypatch.setattr(documents, "pdf_of", lambda html: pytest.fail("laid out"))
    export = queued(world.discussion)

    tasks.build_export.call(export.pk)

    export.refresh_from_db()
    assert export.state == Export.State.FAILED
    assert "Too many comments" in export.error


def test_a_build_that_breaks_fails_with_a_reason_and_is_logged(world, monkeypatch, caplog):
    def broken(html):
        raise RuntimeError("pango fell over")

    monkeypatch.setattr(documents, "pdf_of", broken)
    export = queued(world.discussion)

    tasks.build_export.call(export.pk)

    export.refresh_from_db()
    assert export.state == Export.State.FAILED
    assert export.error.startswith("The PDF could not be made.")
    assert "pango fell over" not in export.error  # the details go to the log
    assert "pango fell over" in caplog.text


def test_a_newer_pdf_lets_go_of_the_older_one_file_and_row(
    world, django_capture_on_commit_callbacks
):
    old = queued(world.discussion)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_export.call(old.pk)
    old.refresh_from_db()
    old_file = old.file.name
    other_language = queued(world.discussion, language="fr")
    CommentFactory(question=world.discussion.questions.first(), body="A later comment.")
    world.discussion.refresh_from_db()
    new = queued(world.discussion)
    assert new.key != old.key

    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_export.call(new.pk)

    assert not Export.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old_file)
    assert Export.objects.filter(pk=other_language.pk).exists()  # other options: kept
    new.refresh_from_db()
    assert new.state == Export.State.READY
    assert new.comment_count == 8


def test_a_build_abandoned_longer_than_the_lease_may_be_taken_over(world, settings):
    settings.JOURNAL_CLUB_TASK_LEASE = 60
    export = queued(world.discussion)
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.BUILDING, started_at=timezone.now() - datetime.timedelta(seconds=30)
    )
    assert tasks.build_export.call(export.pk) == "not claimed"  # still within its lease

    Export.objects.filter(pk=export.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert tasks.build_export.call(export.pk) == "ready"


def test_the_cycle_collector_is_back_after_a_pdf_even_a_failed_one(settings, monkeypatch):
    """It is held off while WeasyPrint works (a fifth of a long PDF's time), never longer."""
    settings.JOURNAL_CLUB_BASE_URL = BASE
    documents.pdf_of('<html lang="en"><head><title>T</title></head><body>x</body></html>')
    assert gc.isenabled()

    def broken(self, **options):
        assert not gc.isenabled()
        raise RuntimeError("broken")

    monkeypatch.setattr(documents.HTML, "write_pdf", broken)
    with pytest.raises(RuntimeError):
        documents.pdf_of("<p>x</p>")
    assert gc.isenabled()


def test_the_pdf_is_laid_out_with_our_stylesheet(world, monkeypatch):
    fetched = []
    fetch = documents.StaticFilesOnly.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(documents.StaticFilesOnly, "fetch", spy)

    documents.render_pdf(world.discussion, language="en")

    assert fetched == [f"{BASE}/static/css/proceedings.css"]


def test_a_file_handed_on_finds_the_stylesheet_at_the_site(world):
    html = documents.render_html(world.discussion, language="en")

    assert f'<link rel="stylesheet" href="{BASE}/static/css/proceedings.css">' in html
    assert 'class="tools"' not in html  # the page's own links are for the site's page
