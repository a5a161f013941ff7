import httpx
import pytest

from articles.sources import http
from articles.sources.crossref import fetch_work
from tests.articles.conftest import ALBERS_DOI, data_json


def test_requests_identify_the_app_with_a_contact_address(albers_api, settings):
    settings.JOURNAL_CLUB_CONTACT_EMAIL = "curators@club.example.org"

    fetch_work(ALBERS_DOI)

    (request,) = albers_api.requests
    assert request.headers["User-Agent"].startswith("JournalClub/0.1 (")
    assert "mailto:curators@club.example.org" in request.headers["User-Agent"]
    assert request.url.params["mailto"] == "curators@club.example.org"
    assert request.url.path == f"/works/{ALBERS_DOI}"


def test_requests_have_a_timeout(albers_api):
    fetch_work(ALBERS_DOI)

    (request,) = albers_api.requests
    assert request.extensions["timeout"] == {
        "connect": http.TIMEOUT_SECONDS,
        "read": http.TIMEOUT_SECONDS,
        "write": http.TIMEOUT_SECONDS,
        "pool": http.TIMEOUT_SECONDS,
    }


def test_answers_are_cached_by_doi(albers_api):
    first = fetch_work(ALBERS_DOI)
    second = fetch_work(ALBERS_DOI)

    assert first == second
    assert len(albers_api.requests) == 1


def test_failures_are_not_cached(api):
    api.crossref(ALBERS_DOI, 503)
    with pytest.raises(http.ServiceUnavailable):
        fetch_work(ALBERS_DOI)
    api.crossref(ALBERS_DOI, body=data_json("crossref-albers.json"))

    assert fetch_work(ALBERS_DOI)["DOI"] == ALBERS_DOI
    assert len(api.requests) == 2


def test_an_unknown_doi_is_not_found(api):
    api.crossref("10.5555/unknown", 404, "Resource not found.")

    with pytest.raises(http.RecordNotFound, match="Crossref has no record of this DOI"):
        fetch_work("10.5555/unknown")


@pytest.mark.parametrize(
    ("status", "body", "raises"),
    [
        (500, "Internal error", None),
        (503, "Service unavailable", None),
        (429, "Too many requests", None),
        (200, "<html>not json</html>", None),
        (200, {"status": "ok", "message": "not a work"}, None),
        (200, None, httpx.ReadTimeout("timed out")),
        (200, None, httpx.ConnectError("no route")),
    ],
)
def test_timeouts_server_errors_and_garbage_are_service_unavailable(api, status, body, raises):
    api.crossref(ALBERS_DOI, status, body, raises=raises)

    with pytest.raises(http.ServiceUnavailable, match="Crossref"):
        fetch_work(ALBERS_DOI)


def test_a_transport_can_be_passed_explicitly(api):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"message": {}}))

    assert fetch_work("10.5555/x", transport=transport) == {}
    assert api.requests == []
