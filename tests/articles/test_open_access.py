"""
Free copies from Unpaywall: looked up in the background when a paper is added or imported,
again by ``manage.py check_open_access``, shown on the paper and discussion pages and in
the API. Whatever Unpaywall does, the paper is saved and nothing on file is lost.
"""

import datetime
import io

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.openaccess import article_open_access_check
from articles.signals import papers_changed
from articles.sources import crossref
from tests.articles.conftest import ALBERS_DOI, DATA, SECOND_DOI, data_json
from tests.articles.recorded import unpaywall
from tests.articles.test_admin import _existing_paper_data
from tests.articles.test_admin_import import ADD_BY_DOI, IMPORT, preview, review_data
from tests.factories import ArticleFactory, DiscussionFactory

GREEN_PDF = "https://eprints.example.ac.uk/4242/1/carberry-2021-accepted.pdf"
ALBERS_PDF = f"https://bmchealthservres.biomedcentral.com/counter/pdf/{ALBERS_DOI}"
LONG_AGO = timezone.now() - datetime.timedelta(days=40)


@pytest.fixture
def announced():
    """The papers announced by ``papers_changed`` during the test, one list per sending."""
    sent = []

    def receiver(sender, *, articles, **kwargs):
        sent.append(list(articles))

    papers_changed.connect(receiver, dispatch_uid="test-open-access")
    yield sent
    papers_changed.disconnect(dispatch_uid="test-open-access")


def closed_paper(**fields):
    """A paper its publisher's record does not say is open access."""
    return ArticleFactory(**{"doi": SECOND_DOI, "is_open_access": False, "url": "", **fields})


def run(*args):
    out = io.StringIO()
    try:
        call_command("check_open_access", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def unpaywall_requests(api):
    return [r for r in api.requests if r.url.host == "api.unpaywall.org"]


# --- The lookup -------------------------------------------------------------------------------


def test_a_copy_found_is_recorded_and_announced(api, db, announced):
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))
    article = closed_paper()

    outcome = article_open_access_check(article=article)

    assert not outcome.failed
    assert outcome.changed
    article.refresh_from_db()
    assert article.open_access_url == GREEN_PDF
    assert (article.open_access_host, article.open_access_version) == (
        "repository",
        "acceptedVersion",
    )
    assert article.open_access_licence == "cc-by-nc"
    assert article.open_access_checked_at is not None
    assert announced == [[article.pk]]


def test_the_same_answer_again_changes_only_the_date_and_announces_nothing(api, db, announced):
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))
    article = closed_paper()
    article_open_access_check(article=article)
    first = Article.objects.get(pk=article.pk)

    outcome = article_open_access_check(article=article)

    assert not outcome.changed
    again = Article.objects.get(pk=article.pk)
    assert again.open_access_checked_at > first.open_access_checked_at
    assert again.updated_at == first.updated_at
    assert len(announced) == 1


def test_a_copy_unpaywall_no_longer_knows_is_taken_down(api, db, announced):
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))
    article = closed_paper()
    article_open_access_check(article=article)
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-closed.json"))

    outcome = article_open_access_check(article=article)

    assert outcome.changed
    assert outcome.copy is None
    article.refresh_from_db()
    assert (article.open_access_url, article.open_access_host, article.open_access_version) == (
        "",
        "",
        "",
    )
    assert article.open_copy is None
    assert len(announced) == 2


@pytest.mark.parametrize(
    ("status", "body", "raises", "message"),
    [
        (404, data_json("unpaywall-404.json"), None, "Unpaywall has no record of this DOI"),
        (429, "Too many requests", None, "Unpaywall asked us to slow down"),
        (500, "Internal Server Error", None, "could not be reached"),
        (503, "Service unavailable", None, "could not be reached"),
        (200, "<html>Maintenance</html>", None, "could not be read"),
        (200, {"doi": "10.5555/other", "is_oa": True}, None, "could not be read"),
        (200, None, httpx.ReadTimeout("timed out"), "could not be reached"),
        (200, None, httpx.ConnectError("no route"), "could not be reached"),
    ],
)
def test_a_failed_lookup_keeps_the_paper_as_it_was(
    api, db, announced, status, body, raises, message
):
    unpaywall(api, SECOND_DOI, status, body, raises=raises)
    article = closed_paper(
        open_access_url=GREEN_PDF,
        open_access_host="repository",
        open_access_version="acceptedVersion",
        open_access_checked_at=LONG_AGO,
    )

    outcome = article_open_access_check(article=article)

    assert outcome.failed
    assert message in outcome.error
    article.refresh_from_db()
    assert article.open_access_url == GREEN_PDF
    assert article.open_access_checked_at == LONG_AGO  # still due: the next run asks again
    assert announced == []


def test_a_paper_without_a_doi_is_not_looked_up(api, db):
    outcome = article_open_access_check(article=closed_paper(doi=None))

    assert outcome.failed
    assert api.requests == []


# --- In the background, when a paper is added or imported --------------------------------


def second_record():
    return crossref.parse_work(data_json("crossref-no-abstract.json")["message"])


def test_adding_a_paper_looks_for_its_copy_once_it_is_saved(
    api, db, django_capture_on_commit_callbacks
):
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))

    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_create_from_record(record=second_record())
        assert unpaywall_requests(api) == []  # not inside the transaction

    article.refresh_from_db()
    assert article.open_access_url == GREEN_PDF
    assert len(unpaywall_requests(api)) == 1


def test_the_paper_is_saved_whatever_unpaywall_does(api, db, django_capture_on_commit_callbacks):
    unpaywall(api, SECOND_DOI, raises=httpx.ConnectTimeout("timed out"))

    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_create_from_record(record=second_record())

    article.refresh_from_db()
    assert article.title == "Knowledge brokering in situ: a realist evaluation"
    assert article.open_access_url == ""
    assert article.open_access_checked_at is None  # check_open_access will ask again
    assert len(unpaywall_requests(api)) == 1


def test_a_paper_without_doi_or_already_looked_up_is_not_looked_up_again(
    api, db, django_capture_on_commit_callbacks
):
    record = second_record()
    record.doi = ""
    checked = ArticleFactory(doi=SECOND_DOI, open_access_checked_at=LONG_AGO)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.article_create_from_record(record=record)
        services.article_update_from_record(article=checked, record=second_record())

    assert callbacks  # the other apps' work on commit ran
    assert unpaywall_requests(api) == []


def test_add_by_doi_in_the_admin_looks_for_the_copy(
    staff_client, albers_api, django_capture_on_commit_callbacks
):
    unpaywall(albers_api, ALBERS_DOI, body=data_json("unpaywall-albers.json"))
    response = staff_client.post(ADD_BY_DOI, {"doi": ALBERS_DOI})

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(ADD_BY_DOI, review_data(response))

    article = Article.objects.get()
    assert article.open_access_url == ALBERS_PDF
    assert article.open_access_host == "publisher"


def test_import_records_in_the_admin_looks_for_the_copies(
    staff_client, api, django_capture_on_commit_callbacks
):
    unpaywall(api, ALBERS_DOI, body=data_json("unpaywall-albers.json"))
    text = (DATA / "doaj-record.txt").read_text(encoding="utf-8")
    payload = preview(staff_client, text=text).context["confirm"]["payload"].value()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(IMPORT, {"confirm": "1", "payload": payload})

    assert Article.objects.get().open_access_url == ALBERS_PDF


def test_import_articles_looks_for_the_copies(
    second_api, albers_api, db, django_capture_on_commit_callbacks
):
    unpaywall(albers_api, ALBERS_DOI, body=data_json("unpaywall-albers.json"))
    unpaywall(albers_api, SECOND_DOI, 503, "Service unavailable")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", ALBERS_DOI, SECOND_DOI, stdout=io.StringIO())

    assert Article.objects.get(doi=ALBERS_DOI).open_access_url == ALBERS_PDF
    second = Article.objects.get(doi=SECOND_DOI)  # saved, and still due
    assert (second.open_access_url, second.open_access_checked_at) == ("", None)


def test_a_doi_entered_or_changed_in_the_admin_form_is_looked_up(
    staff_client, api, django_capture_on_commit_callbacks
):
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))
    article = ArticleFactory(doi=None, with_record=False)
    url = reverse("admin:articles_article_change", args=[article.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, _existing_paper_data(article, doi=SECOND_DOI))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        article.refresh_from_db()
        staff_client.post(url, _existing_paper_data(article, title="Retitled"))

    article.refresh_from_db()
    assert article.open_access_url == GREEN_PDF
    assert len(unpaywall_requests(api)) == 1  # not again for a change that kept the DOI


# --- manage.py check_open_access ----------------------------------------------------------


def test_the_check_takes_papers_never_looked_up_or_stale(api, db):
    never = closed_paper(slug="never")
    stale = ArticleFactory(slug="stale", doi=ALBERS_DOI, open_access_checked_at=LONG_AGO)
    ArticleFactory(slug="fresh", open_access_checked_at=timezone.now())
    ArticleFactory(slug="no-doi", doi=None)
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))
    unpaywall(api, ALBERS_DOI, body=data_json("unpaywall-closed.json") | {"doi": ALBERS_DOI})

    out, error = run()

    assert error is None
    assert out.splitlines() == [
        f"Free    * never  {GREEN_PDF}  (author’s accepted manuscript, repository)",
        "No copy   stale",
        "2 looked up: 1 with a free copy, 1 changed, 0 failed.",
    ]
    never.refresh_from_db()
    stale.refresh_from_db()
    assert never.open_access_url == GREEN_PDF
    assert stale.open_access_checked_at > LONG_AGO


def test_stale_days_says_how_old_a_lookup_may_be(api, db):
    ArticleFactory(slug="a-week-old", doi=SECOND_DOI, open_access_checked_at=LONG_AGO)
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))

    assert run("--stale-days", "60")[0].startswith("0 looked up")
    assert run("--stale-days", "7")[0].endswith(
        "1 looked up: 1 with a free copy, 1 changed, 0 failed.\n"
    )


def test_papers_given_by_doi_are_looked_up_now_and_unknown_ones_fail(api, db):
    closed_paper(slug="second", open_access_checked_at=timezone.now())
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))

    out, error = run(f"https://doi.org/{SECOND_DOI.upper()}", "10.5555/nothing-here")

    assert error.returncode == 1
    assert out.splitlines() == [
        "Failed    10.5555/nothing-here: No paper with this DOI is on file.",
        f"Free    * second  {GREEN_PDF}  (author’s accepted manuscript, repository)",
        "1 looked up: 1 with a free copy, 1 changed, 1 failed.",
    ]


@pytest.mark.parametrize("args", [["not-a-doi"], ["--stale-days", "-1"]])
def test_bad_arguments_exit_with_status_2(api, db, args):
    assert run(*args)[1].returncode == 2
    assert api.requests == []


def test_failures_are_reported_per_paper_the_rest_recorded_and_a_later_run_retries(api, db):
    down = ArticleFactory(slug="down", doi=ALBERS_DOI, is_open_access=False, url="")
    closed_paper(slug="second")
    unpaywall(api, ALBERS_DOI, 502, "<html>Bad gateway</html>")
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))

    out, error = run()

    assert error.returncode == 1
    assert "1 paper(s) could not be checked" in str(error)
    assert out.splitlines() == [
        "Failed    down: Unpaywall could not be reached just now. Please try again in a minute.",
        f"Free    * second  {GREEN_PDF}  (author’s accepted manuscript, repository)",
        "2 looked up: 1 with a free copy, 1 changed, 1 failed.",
    ]
    assert Article.objects.get(pk=down.pk).open_access_checked_at is None

    unpaywall(api, ALBERS_DOI, body=data_json("unpaywall-albers.json"))
    out, error = run()

    assert error is None
    assert out.splitlines()[-1] == "1 looked up: 1 with a free copy, 1 changed, 0 failed."
    assert Article.objects.get(pk=down.pk).open_access_url == ALBERS_PDF


def test_after_a_429_the_rest_are_not_asked_this_run(api, db):
    ArticleFactory(slug="first", doi=ALBERS_DOI)
    closed_paper(slug="second")
    unpaywall(api, ALBERS_DOI, 429, "Too many requests")

    out, error = run()

    assert error.returncode == 1
    assert len(api.requests) == 1
    assert out.splitlines() == [
        "Failed    first: Unpaywall asked us to slow down. Please try again later.",
        "Failed    second: Not asked: Unpaywall asked us to slow down. Please try again later.",
        "2 looked up: 0 with a free copy, 0 changed, 2 failed.",
    ]


# --- Pages and the API ------------------------------------------------------------------------


def test_the_paper_page_links_the_free_copy_with_its_version_and_host(client, db):
    article = closed_paper(
        open_access_url=GREEN_PDF,
        open_access_host="repository",
        open_access_version="acceptedVersion",
        open_access_licence="cc-by-nc",
    )

    content = client.get(article.get_absolute_url()).content.decode()

    assert (
        f'<a class="open-copy__link" href="{GREEN_PDF}">'
        "Read it free (author’s accepted manuscript, repository)</a>"
    ) in content
    assert '<span class="open-copy__licence">CC BY-NC</span>' in content


def test_a_paper_open_access_at_its_publisher_links_the_publishers_copy(client, db):
    article = ArticleFactory(is_open_access=True, url="https://journal.example.org/articles/42")

    content = client.get(article.get_absolute_url()).content.decode()

    assert (
        '<a class="open-copy__link" href="https://journal.example.org/articles/42">'
        "Read it free (published version, publisher)</a>"
    ) in content


def test_a_paper_with_no_known_free_copy_offers_none(client, db):
    content = client.get(closed_paper().get_absolute_url()).content.decode()

    assert "Read it free" not in content
    assert "paper-status" not in content


def test_a_copy_found_reaches_the_cached_discussion_page(client, api, db):
    discussion = DiscussionFactory(article=closed_paper())
    assert "Read it free" not in client.get(discussion.get_absolute_url()).content.decode()
    unpaywall(api, SECOND_DOI, body=data_json("unpaywall-second-green.json"))

    article_open_access_check(article=discussion.article)

    content = client.get(discussion.get_absolute_url()).content.decode()
    assert f'href="{GREEN_PDF}">Read it free (author’s accepted manuscript, repository)' in content


def test_the_api_gives_the_free_copy_of_a_paper(client, db):
    checked = timezone.now()
    found = closed_paper(
        open_access_url=GREEN_PDF,
        open_access_host="repository",
        open_access_version="acceptedVersion",
        open_access_licence="cc-by-nc",
        open_access_checked_at=checked,
    )
    none = ArticleFactory(is_open_access=False)

    paper = client.get(reverse("api:paper-detail", args=[found.slug])).json()
    other = client.get(reverse("api:paper-detail", args=[none.slug])).json()

    assert {key: value for key, value in paper.items() if key.startswith("open_access")} == {
        "open_access_url": GREEN_PDF,
        "open_access_host": "repository",
        "open_access_version": "acceptedVersion",
        "open_access_licence": "cc-by-nc",
        "open_access_checked_at": checked.isoformat().replace("+00:00", "Z"),
    }
    assert (other["open_access_url"], other["open_access_host"], other["open_access_licence"]) == (
        None,
        None,
        "",
    )
    assert other["open_access_checked_at"] is None
