"""
Retractions, corrections and newer versions from Crossref: kept once each by
``manage.py check_paper_updates``, shown on the paper and discussion pages, and nothing
lost when Crossref fails.
"""

import datetime
import io

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, PaperNotice
from articles.signals import papers_changed
from articles.updates import article_updates_check
from discussions.models import Discussion
from tests.articles.conftest import ALBERS_DOI, SECOND_DOI, data_json
from tests.articles.recorded import (
    CONCERN_DOI,
    CORRECTION_DOI,
    PREPRINT_DOI,
    RETRACTION_DOI,
    crossref_updates,
    crossref_work,
)
from tests.factories import ArticleFactory, ClubFactory, DiscussionFactory

Kind = PaperNotice.Kind


@pytest.fixture
def announced():
    sent = []

    def receiver(sender, *, articles, **kwargs):
        sent.append(list(articles))

    papers_changed.connect(receiver, dispatch_uid="test-paper-updates")
    yield sent
    papers_changed.disconnect(dispatch_uid="test-paper-updates")


@pytest.fixture
def retracted_api(api):
    """Crossref knows the second paper was corrected, met with concern, then retracted."""
    crossref_work(api, SECOND_DOI, body=data_json("crossref-work-second-retracted.json"))
    crossref_updates(api, SECOND_DOI, body=data_json("crossref-updates-second.json"))
    return api


@pytest.fixture
def preprint_api(api):
    """The preprint of the second paper, which Crossref links to its published version."""
    crossref_work(api, PREPRINT_DOI, body=data_json("crossref-work-preprint.json"))
    crossref_updates(api, PREPRINT_DOI, body=data_json("crossref-updates-empty.json"))
    return api


def quiet_api(api, doi):
    """Crossref has nothing to say about this paper."""
    crossref_work(api, doi, body=data_json("crossref-albers.json"))
    crossref_updates(api, doi, body=data_json("crossref-updates-empty.json"))


def run(*args):
    out = io.StringIO()
    try:
        call_command("check_paper_updates", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def notices(article):
    return sorted((n.kind, n.doi, n.date, n.label) for n in article.notices.all())


SECOND_NOTICES = [
    (Kind.CORRECTION, CORRECTION_DOI, datetime.date(2021, 6, 3), "Correction"),
    (
        Kind.EXPRESSION_OF_CONCERN,
        CONCERN_DOI,
        datetime.date(2022, 10, 5),
        "Expression of concern",
    ),
    (Kind.RETRACTION, RETRACTION_DOI, datetime.date(2023, 2, 14), "Retraction"),
]


# --- The check ------------------------------------------------------------------------------


def test_notices_are_kept_and_announced(retracted_api, db, announced):
    article = ArticleFactory(doi=SECOND_DOI)

    outcome = article_updates_check(article=article)

    assert not outcome.failed
    assert sorted(n.doi for n in outcome.added) == [CORRECTION_DOI, CONCERN_DOI, RETRACTION_DOI]
    assert notices(article) == SECOND_NOTICES
    assert Article.objects.get(pk=article.pk).updates_checked_at is not None
    assert announced == [[article.pk]]


def test_a_second_check_adds_nothing_and_announces_nothing(retracted_api, db, announced):
    article = ArticleFactory(doi=SECOND_DOI)
    article_updates_check(article=article)

    outcome = article_updates_check(article=article)

    assert outcome.added == []
    assert PaperNotice.objects.count() == 3
    assert notices(article) == SECOND_NOTICES
    assert len(announced) == 1


def test_a_notice_crossref_no_longer_lists_is_kept_and_a_new_one_added(api, db, announced):
    article = ArticleFactory(doi=SECOND_DOI)
    crossref_work(api, SECOND_DOI, body=data_json("crossref-no-abstract.json"))
    crossref_updates(api, SECOND_DOI, body=data_json("crossref-updates-second.json"))
    article_updates_check(article=article)
    crossref_work(api, SECOND_DOI, body=data_json("crossref-work-second-retracted.json"))
    crossref_updates(api, SECOND_DOI, body=data_json("crossref-updates-empty.json"))

    outcome = article_updates_check(article=article)

    assert [n.doi for n in outcome.added] == [CONCERN_DOI]
    assert notices(article) == SECOND_NOTICES
    assert len(announced) == 2


def test_a_date_or_label_given_later_completes_the_notice(api, db, announced):
    article = ArticleFactory(doi=SECOND_DOI)
    PaperNotice.objects.create(article=article, kind=Kind.RETRACTION, doi=RETRACTION_DOI)
    crossref_work(api, SECOND_DOI, body=data_json("crossref-no-abstract.json"))
    updating = data_json("crossref-updates-second.json")
    del updating["message"]["items"][0]  # the correction
    crossref_updates(api, SECOND_DOI, body=updating)

    assert article_updates_check(article=article).added == []

    notice = article.notices.get()
    assert (notice.date, notice.label) == (datetime.date(2023, 2, 14), "Retraction")
    assert announced == [[article.pk]]


def test_a_preprint_learns_of_its_published_version(preprint_api, db):
    article = ArticleFactory(doi=PREPRINT_DOI)

    article_updates_check(article=article)

    assert notices(article) == [
        (Kind.NEW_VERSION, SECOND_DOI, None, ""),
        (Kind.OTHER_VERSION, "10.5555/jc.preprint.2020.17.v2", None, ""),
    ]


@pytest.mark.parametrize(
    ("which", "status", "body", "raises", "message"),
    [
        ("work", 404, "Resource not found.", None, "Crossref has no record of this DOI"),
        ("work", 429, "Too many requests", None, "Crossref asked us to slow down"),
        ("updates", 500, "Internal error", None, "could not be reached"),
        ("updates", 503, "Service unavailable", None, "could not be reached"),
        ("updates", 200, "<html>not json</html>", None, "could not be read"),
        ("updates", 200, {"message": {"items": {"oops": 1}}}, None, "could not be read"),
        ("work", 200, None, httpx.ReadTimeout("timed out"), "could not be reached"),
        ("updates", 200, None, httpx.ConnectError("no route"), "could not be reached"),
    ],
)
def test_a_failed_check_writes_nothing(
    retracted_api, db, announced, which, status, body, raises, message
):
    article = ArticleFactory(doi=SECOND_DOI)
    route = crossref_work if which == "work" else crossref_updates
    route(retracted_api, SECOND_DOI, status, body, raises=raises)

    outcome = article_updates_check(article=article)

    assert outcome.failed
    assert message in outcome.error
    assert not article.notices.exists()
    assert Article.objects.get(pk=article.pk).updates_checked_at is None
    assert announced == []


# --- manage.py check_paper_updates ------------------------------------------------------------


def test_the_check_takes_the_papers_of_discussions_that_are_not_drafts(retracted_api, db):
    DiscussionFactory(article=ArticleFactory(slug="discussed", doi=SECOND_DOI))
    private = ClubFactory(visibility="private", joining="invitation")
    DiscussionFactory(club=private, article=ArticleFactory(slug="private", doi=ALBERS_DOI))
    quiet_api(retracted_api, ALBERS_DOI)
    DiscussionFactory(article=ArticleFactory(slug="drafted"), status=Discussion.Status.DRAFT)
    ArticleFactory(slug="alone")

    out, error = run()

    assert error is None
    assert out.splitlines() == [
        f"New       discussed: correction {CORRECTION_DOI} (2021-06-03)",
        f"New       discussed: retraction {RETRACTION_DOI} (2023-02-14)",
        f"New       discussed: expression of concern {CONCERN_DOI} (2022-10-05)",
        "2 checked: 3 new notice(s), 0 failed.",
    ]
    hosts = {request.url.path for request in retracted_api.requests}
    assert hosts == {f"/works/{SECOND_DOI}", f"/works/{ALBERS_DOI}", "/works"}

    out, error = run()
    assert out.splitlines() == ["2 checked: 0 new notice(s), 0 failed."]
    assert PaperNotice.objects.count() == 3


def test_all_checks_every_paper_with_a_doi(api, db):
    for number, doi in enumerate([ALBERS_DOI, SECOND_DOI]):
        ArticleFactory(slug=f"paper-{number}", doi=doi)
        quiet_api(api, doi)
    ArticleFactory(slug="no-doi", doi=None)

    out, error = run("--all")

    assert error is None
    assert out.splitlines() == ["2 checked: 0 new notice(s), 0 failed."]


def test_papers_given_by_doi_are_checked_and_unknown_ones_fail(preprint_api, db):
    ArticleFactory(slug="preprint", doi=PREPRINT_DOI)

    out, error = run(f"doi:{PREPRINT_DOI}", "10.5555/nothing-here")

    assert error.returncode == 1
    assert out.splitlines() == [
        "Failed    10.5555/nothing-here: No paper with this DOI is on file.",
        f"New       preprint: newer version {SECOND_DOI}",
        "New       preprint: other version 10.5555/jc.preprint.2020.17.v2",
        "1 checked: 2 new notice(s), 1 failed.",
    ]


def test_a_bad_doi_exits_with_status_2(api, db):
    assert run("not-a-doi")[1].returncode == 2
    assert api.requests == []


def test_failures_are_reported_per_paper_the_rest_kept_and_a_later_run_retries(retracted_api, db):
    down = DiscussionFactory(article=ArticleFactory(slug="down", doi=ALBERS_DOI)).article
    DiscussionFactory(article=ArticleFactory(slug="second", doi=SECOND_DOI))
    crossref_work(retracted_api, ALBERS_DOI, 503, "Service unavailable")

    out, error = run()

    assert error.returncode == 1
    lines = out.splitlines()
    assert lines[0] == (
        "Failed    down: Crossref could not be reached just now. Please try again in a minute."
    )
    assert len(lines) == 5
    assert lines[-1] == "2 checked: 3 new notice(s), 1 failed."

    quiet_api(retracted_api, ALBERS_DOI)
    out, error = run()
    assert error is None
    assert out.splitlines() == ["2 checked: 0 new notice(s), 0 failed."]
    assert Article.objects.get(pk=down.pk).updates_checked_at is not None


def test_after_a_429_the_rest_are_not_asked_this_run(retracted_api, db):
    DiscussionFactory(article=ArticleFactory(slug="first", doi=ALBERS_DOI))
    DiscussionFactory(article=ArticleFactory(slug="second", doi=SECOND_DOI))
    crossref_work(retracted_api, ALBERS_DOI, 429, "Too many requests")

    out, error = run()

    assert error.returncode == 1
    assert len(retracted_api.requests) == 1
    assert out.splitlines()[1] == (
        "Failed    second: Not asked: Crossref asked us to slow down. Please try again later."
    )


# --- Pages ------------------------------------------------------------------------------------


def test_the_paper_page_shows_a_retraction_first_and_prominently(retracted_api, client, db):
    article = ArticleFactory(doi=SECOND_DOI)
    article_updates_check(article=article)

    content = client.get(article.get_absolute_url()).content.decode()

    retraction = content.index("paper-notice paper-notice--serious")
    assert retraction < content.index("paper-notice--caution") < content.index("paper-notice--info")
    assert "This paper has been retracted." in content
    assert f'<a href="https://doi.org/{RETRACTION_DOI}">Read the retraction notice</a>' in content
    assert '<time datetime="2023-02-14">14 February 2023</time>' in content
    assert "An expression of concern about this paper was published." in content
    assert "A correction to this paper was published." in content
    assert f'<a href="https://doi.org/{CORRECTION_DOI}">Read the notice</a>' in content


def test_the_paper_page_shows_a_newer_version(preprint_api, client, db):
    article = ArticleFactory(doi=PREPRINT_DOI)
    article_updates_check(article=article)

    content = client.get(article.get_absolute_url()).content.decode()

    assert "A newer version of this paper exists." in content
    assert f'<a href="https://doi.org/{SECOND_DOI}">Read the newer version</a>' in content
    assert content.index("A newer version") < content.index("Another version of this paper")


@pytest.mark.usefixtures("clubs_counted")
def test_a_page_of_a_paper_never_checked_asks_nothing_of_notices(
    client, db, django_assert_num_queries
):
    checked = ArticleFactory(updates_checked_at=datetime.datetime.now(datetime.UTC))
    PaperNotice.objects.create(article=checked, kind=Kind.RETRACTION, doi=RETRACTION_DOI)
    never = ArticleFactory()

    with django_assert_num_queries(5):
        client.get(never.get_absolute_url())
    with django_assert_num_queries(6):
        response = client.get(checked.get_absolute_url())
    assert "This paper has been retracted." in response.content.decode()


def test_a_new_notice_reaches_the_cached_discussion_page(retracted_api, client, db):
    discussion = DiscussionFactory(article=ArticleFactory(doi=SECOND_DOI))
    assert "retracted" not in client.get(discussion.get_absolute_url()).content.decode()

    call_command("check_paper_updates", stdout=io.StringIO())

    content = client.get(discussion.get_absolute_url()).content.decode()
    assert "This paper has been retracted." in content
    assert f'href="https://doi.org/{RETRACTION_DOI}">Read the retraction notice</a>' in content


def test_the_admin_shows_the_notices_and_the_open_copy_read_only(retracted_api, staff_client):
    article = ArticleFactory(doi=SECOND_DOI, open_access_url="https://eprints.example.ac.uk/4242/")
    article_updates_check(article=article)

    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="https://doi.org/{RETRACTION_DOI}">{RETRACTION_DOI}</a>' in content
    assert '<a href="https://eprints.example.ac.uk/4242/">' in content
    assert 'name="open_access_url"' not in content
