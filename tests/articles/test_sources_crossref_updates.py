import datetime

import httpx
import pytest

from articles.models import PaperNotice
from articles.sources import http
from articles.sources.crossref_updates import NoticeRecord, fetch_notices, notices_from
from tests.articles.conftest import ALBERS_DOI, SECOND_DOI, data_json
from tests.articles.recorded import (
    CONCERN_DOI,
    CORRECTION_DOI,
    PREPRINT_DOI,
    RETRACTION_DOI,
    crossref_updates,
    crossref_work,
)

Kind = PaperNotice.Kind


def work(name: str) -> dict:
    return data_json(name)["message"]


def items(name: str) -> list:
    return data_json(name)["message"]["items"]


def test_the_works_updating_a_paper_and_its_updated_by_list_give_each_notice_once():
    notices = notices_from(
        SECOND_DOI,
        work=work("crossref-work-second-retracted.json"),
        updating=items("crossref-updates-second.json"),
    )

    assert sorted(notices, key=lambda n: n.doi) == [
        NoticeRecord(Kind.CORRECTION, CORRECTION_DOI, datetime.date(2021, 6, 3), "Correction"),
        NoticeRecord(
            Kind.EXPRESSION_OF_CONCERN,
            CONCERN_DOI,
            datetime.date(2022, 10, 5),
            "Expression of concern",
        ),
        # Seen by both the notice and Retraction Watch: once.
        NoticeRecord(Kind.RETRACTION, RETRACTION_DOI, datetime.date(2023, 2, 14), "Retraction"),
    ]


def test_an_update_to_another_paper_is_not_this_papers_notice():
    notices = notices_from(
        "10.5555/jc.2020.0013",
        work=work("crossref-no-abstract.json"),
        updating=items("crossref-updates-second.json"),
    )

    assert notices == [
        NoticeRecord(Kind.RETRACTION, RETRACTION_DOI, datetime.date(2023, 2, 14), "Retraction")
    ]


def test_a_preprint_points_to_its_published_and_other_versions_never_to_itself():
    notices = notices_from(PREPRINT_DOI, work=work("crossref-work-preprint.json"), updating=[])

    assert notices == [
        NoticeRecord(Kind.NEW_VERSION, SECOND_DOI),
        NoticeRecord(Kind.OTHER_VERSION, "10.5555/jc.preprint.2020.17.v2"),
    ]


def test_an_older_version_or_a_review_is_no_notice():
    assert notices_from(SECOND_DOI, work=work("crossref-no-abstract.json"), updating=[]) == []
    retracted = work("crossref-work-second-retracted.json")
    del retracted["updated-by"]
    assert notices_from(SECOND_DOI, work=retracted, updating=[]) == []  # has-preprint, has-review


@pytest.mark.parametrize(
    ("crossref_type", "kind"),
    [
        ("retraction", Kind.RETRACTION),
        ("partial_retraction", Kind.PARTIAL_RETRACTION),
        ("withdrawal", Kind.WITHDRAWAL),
        ("expression-of-concern", Kind.EXPRESSION_OF_CONCERN),
        ("Erratum", Kind.ERRATUM),
        ("new_version", Kind.NEW_VERSION),
        ("something_new", Kind.UPDATE),
        (None, Kind.UPDATE),
    ],
)
def test_crossref_update_types_become_kinds(crossref_type, kind):
    updating = [
        {"DOI": "10.5555/notice", "update-to": [{"DOI": SECOND_DOI, "type": crossref_type}]}
    ]

    (notice,) = notices_from(SECOND_DOI, work={}, updating=updating)

    assert notice == NoticeRecord(kind, "10.5555/notice")


def test_malformed_entries_are_passed_over():
    updating = [
        "not an item",
        {"DOI": "not a doi", "update-to": [{"DOI": SECOND_DOI, "type": "retraction"}]},
        {"DOI": "10.5555/no-entries", "update-to": "retraction"},
        {
            "DOI": "10.5555/bad-date",
            "update-to": [
                {"DOI": SECOND_DOI, "type": "correction", "updated": {"date-parts": [["x"]]}},
                "not an entry",
            ],
        },
    ]
    odd_work = {"updated-by": [{"type": "retraction"}], "relation": {"is-preprint-of": "x"}}

    assert notices_from(SECOND_DOI, work=odd_work, updating=updating) == [
        NoticeRecord(Kind.CORRECTION, "10.5555/bad-date")
    ]


def test_both_questions_are_asked_of_crossref_as_they_stand_now(api, settings):
    settings.JOURNAL_CLUB_CONTACT_EMAIL = "curators@club.example.org"
    crossref_work(api, SECOND_DOI, body=data_json("crossref-work-second-retracted.json"))
    crossref_updates(api, SECOND_DOI, body=data_json("crossref-updates-second.json"))

    assert len(fetch_notices(SECOND_DOI)) == 3
    assert len(fetch_notices(SECOND_DOI)) == 3

    assert len(api.requests) == 4  # never from the cache
    work_request, listing = api.requests[:2]
    assert work_request.url.path == f"/works/{SECOND_DOI}"
    assert listing.url.path == "/works"
    assert listing.url.params["filter"] == f"updates:{SECOND_DOI}"
    for request in api.requests:
        assert request.url.params["mailto"] == "curators@club.example.org"
        assert "mailto:curators@club.example.org" in request.headers["User-Agent"]
        assert request.extensions["timeout"]["read"] == http.TIMEOUT_SECONDS


def test_a_doi_crossref_does_not_know_is_not_found(api):
    crossref_work(api, "10.5555/unknown", 404, "Resource not found.")

    with pytest.raises(http.RecordNotFound, match="Crossref has no record"):
        fetch_notices("10.5555/unknown")


@pytest.mark.parametrize(
    ("status", "body", "raises"),
    [
        (500, "Internal error", None),
        (503, "Service unavailable", None),
        (200, "<html>not json</html>", None),
        (200, {"status": "ok", "message": {"items": "none"}}, None),
        (200, {"status": "failed", "message": [{"type": "validation-failure"}]}, None),
        (200, None, httpx.ReadTimeout("timed out")),
        (200, None, httpx.ConnectError("no route")),
    ],
)
def test_a_listing_that_cannot_be_read_fails_the_whole_check(api, status, body, raises):
    crossref_work(api, ALBERS_DOI, body=data_json("crossref-albers.json"))
    crossref_updates(api, ALBERS_DOI, status, body, raises=raises)

    with pytest.raises(http.ServiceUnavailable, match="Crossref"):
        fetch_notices(ALBERS_DOI)


def test_a_429_asks_us_to_slow_down(api):
    crossref_work(api, ALBERS_DOI, 429, "Too many requests")

    with pytest.raises(http.Throttled, match="Crossref asked us to slow down"):
        fetch_notices(ALBERS_DOI)
