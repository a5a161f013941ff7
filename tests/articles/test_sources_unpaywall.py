import httpx
import pytest

from articles.models import OpenCopy
from articles.sources import http, unpaywall
from tests.articles.conftest import ALBERS_DOI, SECOND_DOI, data_json
from tests.articles.recorded import unpaywall as route


def test_a_gold_paper_is_read_at_the_publisher():
    body = data_json("unpaywall-albers.json")

    copy = unpaywall.parse(body, doi=ALBERS_DOI)

    assert copy == OpenCopy(
        url=f"https://bmchealthservres.biomedcentral.com/counter/pdf/{ALBERS_DOI}",
        host="publisher",
        version="publishedVersion",
        licence="cc-by",
    )
    assert copy.description == "published version, publisher"
    assert copy.licence_name == "CC BY"


def test_a_green_paper_is_read_in_a_repository_as_the_accepted_manuscript():
    copy = unpaywall.parse(data_json("unpaywall-second-green.json"), doi=SECOND_DOI)

    assert copy.url == "https://eprints.example.ac.uk/4242/1/carberry-2021-accepted.pdf"
    assert (copy.host, copy.version, copy.licence) == ("repository", "acceptedVersion", "cc-by-nc")
    assert copy.description == "author’s accepted manuscript, repository"
    assert copy.licence_name == "CC BY-NC"


def test_a_closed_paper_has_no_copy():
    assert unpaywall.parse(data_json("unpaywall-closed.json"), doi=SECOND_DOI) is None


def test_a_location_without_a_web_address_gives_way_to_the_next():
    body = data_json("unpaywall-albers.json")
    body["best_oa_location"]["url"] = "ftp://example.org/paper.pdf"
    body["best_oa_location"]["url_for_pdf"] = None
    body["best_oa_location"]["url_for_landing_page"] = "javascript:alert(1)"
    del body["oa_locations"][0]

    copy = unpaywall.parse(body, doi=ALBERS_DOI)

    assert copy.url == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7197149"
    assert (copy.host, copy.version, copy.licence) == ("repository", "publishedVersion", "")


def test_the_landing_page_serves_when_there_is_no_pdf():
    body = data_json("unpaywall-second-green.json")
    body["best_oa_location"].update(url=None, url_for_pdf=None)

    copy = unpaywall.parse(body, doi=SECOND_DOI)

    assert copy.url == "https://eprints.example.ac.uk/4242/"


def test_unknown_hosts_and_versions_are_left_blank_rather_than_guessed():
    body = data_json("unpaywall-second-green.json")
    body["best_oa_location"].update(host_type="preprint server", version="draft", license=7)

    copy = unpaywall.parse(body, doi=SECOND_DOI)

    assert (copy.host, copy.version, copy.licence, copy.description) == ("", "", "", "")


@pytest.mark.parametrize(
    "change",
    [
        {"doi": "10.5555/another-paper"},
        {"doi": None},
        {"is_oa": "yes"},
        {"is_oa": None},
    ],
)
def test_an_answer_about_another_doi_or_not_in_the_format_is_unreadable(change):
    body = data_json("unpaywall-albers.json") | change

    with pytest.raises(http.ServiceUnavailable, match="Unpaywall sent an answer"):
        unpaywall.parse(body, doi=ALBERS_DOI)


def test_requests_identify_the_app_give_the_contact_address_and_have_a_timeout(api, settings):
    settings.JOURNAL_CLUB_CONTACT_EMAIL = "curators@club.example.org"
    route(api, ALBERS_DOI, body=data_json("unpaywall-albers.json"))

    unpaywall.fetch(ALBERS_DOI)

    (request,) = api.requests
    assert request.url.host == "api.unpaywall.org"
    assert request.url.path == f"/v2/{ALBERS_DOI}"
    assert request.url.params["email"] == "curators@club.example.org"
    assert "mailto:curators@club.example.org" in request.headers["User-Agent"]
    assert request.extensions["timeout"]["read"] == http.TIMEOUT_SECONDS


def test_answers_are_not_cached_a_check_asks_what_unpaywall_knows_now(api):
    route(api, ALBERS_DOI, body=data_json("unpaywall-albers.json"))

    unpaywall.fetch(ALBERS_DOI)
    unpaywall.fetch(ALBERS_DOI)

    assert len(api.requests) == 2


def test_an_unknown_doi_is_not_found(api):
    route(api, "10.5555/unknown", 404, data_json("unpaywall-404.json"))

    with pytest.raises(http.RecordNotFound, match="Unpaywall has no record of this DOI"):
        unpaywall.fetch("10.5555/unknown")


def test_a_429_asks_us_to_slow_down(api):
    route(api, ALBERS_DOI, 429, {"error": True, "message": "Too many requests"})

    with pytest.raises(http.Throttled, match="Unpaywall asked us to slow down"):
        unpaywall.fetch(ALBERS_DOI)


@pytest.mark.parametrize(
    ("status", "body", "raises"),
    [
        (500, "Internal Server Error", None),
        (502, "<html>Bad gateway</html>", None),
        (503, "Service unavailable", None),
        (200, "<html>not json</html>", None),
        (200, '{"doi": "10.1186/s12913-020-05145-1", "is_oa": tru', None),
        (200, ["not", "an", "object"], None),
        (200, None, httpx.ReadTimeout("timed out")),
        (200, None, httpx.ConnectError("no route")),
    ],
)
def test_timeouts_server_errors_and_garbage_are_service_unavailable(api, status, body, raises):
    route(api, ALBERS_DOI, status, body, raises=raises)

    with pytest.raises(http.ServiceUnavailable, match="Unpaywall"):
        unpaywall.fetch(ALBERS_DOI)
