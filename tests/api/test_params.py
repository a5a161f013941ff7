"""
Bad input is a 400 in problem details that names what is wrong, never a 500 nor a silent
"everything": unknown filters, values a filter cannot take, page sizes out of range.
"""

import pytest

from tests.factories import DiscussionFactory

from .conftest import is_problem, read

LISTS = [
    "/api/v1/clubs/",
    "/api/v1/papers/",
    "/api/v1/discussions/",
    "/api/v1/discussions/known/comments/",
    "/api/v1/sessions/",
]
OBJECTS = [
    "/api/v1/",
    "/api/v1/clubs/journal-club/",
    "/api/v1/discussions/known/",
]


@pytest.fixture(autouse=True)
def known(db):
    return DiscussionFactory(slug="known")


@pytest.mark.parametrize("url", LISTS + OBJECTS)
def test_an_unknown_parameter_is_named_in_a_400(client, url):
    response = read(client, f"{url}?stauts=open&zz=1")
    problem = is_problem(response, 400, "unknown_parameter")
    assert set(problem["errors"]) == {"stauts", "zz"}
    assert "stauts" in problem["detail"]
    assert "zz" in problem["detail"]


def test_the_refusal_says_which_parameters_the_endpoint_takes(client):
    problem = read(client, "/api/v1/discussions/?stauts=open").json()
    for name in ("club", "paper", "subject", "status", "updated_since", "cursor", "page_size"):
        assert name in problem["detail"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "size", ["0", "-1", "201", "1000000", "abc", "1.5", "²", "٣", "", "9" * 40]
)
def test_a_page_size_out_of_range_is_a_400(client, url, size):
    problem = is_problem(read(client, f"{url}?page_size={size}"), 400, "invalid_parameter")
    assert "page_size" in problem["errors"]


@pytest.mark.parametrize("url", LISTS)
def test_page_sizes_from_1_to_200_are_taken(client, url):
    for size in ("1", "200", "050"):
        assert read(client, f"{url}?page_size={size}").status_code == 200


@pytest.mark.parametrize(
    ("url", "query", "name"),
    [
        ("/api/v1/papers/", "doi=not-a-doi", "doi"),
        ("/api/v1/papers/", "subject=not a slug", "subject"),
        ("/api/v1/papers/", "updated_since=yesterday", "updated_since"),
        ("/api/v1/papers/", "updated_since=2026-13-45", "updated_since"),
        ("/api/v1/papers/", "updated_since=0000-01-01T00:00:00Z", "updated_since"),
        ("/api/v1/papers/", "updated_since=9999-12-31T23:59:59-23:59", "updated_since"),
        ("/api/v1/discussions/", "status=drafty", "status"),
        ("/api/v1/discussions/", "club=%3Cscript%3E", "club"),
        ("/api/v1/discussions/", "paper=10.1186%2F%20x%20y", "paper"),
        ("/api/v1/discussions/known/comments/", "question=0", "question"),
        ("/api/v1/discussions/known/comments/", "question=99999", "question"),
        ("/api/v1/discussions/known/comments/", "question=one", "question"),
        ("/api/v1/sessions/", "upcoming=maybe", "upcoming"),
        ("/api/v1/clubs/", "page_size=1&page_size=2", "page_size"),
        ("/api/v1/papers/", "doi=%00", "doi"),
        ("/api/v1/papers/", "subject=" + "x" * 1200, "subject"),
    ],
)
def test_a_value_a_filter_cannot_take_is_a_400_naming_it(client, url, query, name):
    problem = is_problem(read(client, f"{url}?{query}"), 400, "invalid_parameter")
    assert list(problem["errors"]) == [name]


@pytest.mark.parametrize(
    "moment",
    [
        "2026-03-01",
        "2026-03-01T09:00:00Z",
        "2026-03-01t09:00:00z",
        "2026-03-01T09:00:00.123456%2B02:00",
        "2026-03-01T09:00",
    ],
)
def test_updated_since_takes_iso_8601_dates_and_times(client, moment):
    assert read(client, f"/api/v1/discussions/?updated_since={moment}").status_code == 200


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "TRUE"])
def test_upcoming_takes_true_or_false(client, value):
    assert read(client, f"/api/v1/sessions/?upcoming={value}").status_code == 200


def test_an_empty_cursor_is_the_first_page(client):
    assert read(client, "/api/v1/clubs/?cursor=").status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_a_made_up_cursor_is_a_400_not_a_404(client, url):
    for cursor in ("abc", "WyJjbHVicyIsWzFdXQ:1t:sig", "%00"):
        response = read(client, f"{url}?cursor={cursor}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"


def test_a_cursor_of_one_list_is_refused_by_another(client):
    from tests.factories import ClubFactory

    ClubFactory()
    following = read(client, "/api/v1/clubs/?page_size=1").json()["next"]
    cursor = following.split("cursor=")[1]
    is_problem(read(client, f"/api/v1/papers/?cursor={cursor}"), 400, "invalid_cursor")
    assert read(client, following.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_unknown_ids_and_out_of_range_ones_are_404s(client):
    for url in (
        "/api/v1/comments/999999999/",
        f"/api/v1/sessions/{2**63 - 1}/",
        f"/api/v1/comments/{2**70}/",
    ):
        is_problem(read(client, url), 404)
