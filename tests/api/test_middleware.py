"""
What every answer under /api/ carries: ETag and Last-Modified with their 304s, rate limits
with 429 and Retry-After, CORS for anonymous reads only, cache and Vary headers, and
problem details for every error, whoever produced it.
"""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from clubs.models import Club
from tests.factories import ClubFactory, CommentFactory, DiscussionFactory, UserFactory

from .conftest import is_problem, read, token_for


@pytest.fixture
def club(db):
    return ClubFactory(slug="readers")


# --- ETag and Last-Modified ---------------------------------------------------------------


def test_an_unchanged_answer_is_a_304_by_its_etag(client, club):
    first = read(client, "/api/v1/clubs/readers/")
    etag = first["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 20
    again = read(client, "/api/v1/clubs/readers/", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    Club.objects.filter(pk=club.pk).update(tagline="Changed")
    assert read(client, "/api/v1/clubs/readers/", **{"If-None-Match": etag}).status_code == 200


def test_the_etag_is_a_hash_of_the_body_so_equal_answers_share_it(client, club):
    assert read(client, "/api/v1/clubs/")["ETag"] == read(client, "/api/v1/clubs/")["ETag"]
    assert read(client, "/api/v1/clubs/")["ETag"] != read(client, "/api/v1/clubs/readers/")["ETag"]


def test_last_modified_is_the_objects_and_if_modified_since_answers_304(client, club):
    response = read(client, "/api/v1/clubs/readers/")
    assert parse_http_date(response["Last-Modified"]) == int(club.updated_at.timestamp())
    later = http_date(club.updated_at.timestamp() + 60)
    assert read(client, "/api/v1/clubs/readers/", **{"If-Modified-Since": later}).status_code == 304
    earlier = http_date(club.updated_at.timestamp() - 60)
    assert (
        read(client, "/api/v1/clubs/readers/", **{"If-Modified-Since": earlier}).status_code == 200
    )


def test_a_lists_last_modified_is_its_newest_object(client, db):
    old, new = ClubFactory(), ClubFactory()
    Club.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=9))
    response = read(client, "/api/v1/clubs/")
    newest = max(club.updated_at for club in Club.objects.all())
    assert parse_http_date(response["Last-Modified"]) == int(newest.timestamp())
    assert new.updated_at <= newest


def test_a_comment_pages_last_modified_follows_edits_and_moderation(client, db):
    discussion = DiscussionFactory(slug="talk")
    comment = CommentFactory(question=discussion.questions.first())
    url = "/api/v1/discussions/talk/comments/"
    before = parse_http_date(read(client, url)["Last-Modified"])
    edited = timezone.now() + datetime.timedelta(minutes=5)
    type(comment).objects.filter(pk=comment.pk).update(edited_at=edited)
    assert parse_http_date(read(client, url)["Last-Modified"]) == int(edited.timestamp()) > before


def test_a_discussions_last_modified_counts_its_syntheses(client, db):
    discussion = DiscussionFactory(slug="talk")
    later = timezone.now() + datetime.timedelta(hours=1)
    discussion.questions.filter(number=1).update(synthesis="So far.", synthesis_updated_at=later)
    response = read(client, "/api/v1/discussions/talk/")
    assert parse_http_date(response["Last-Modified"]) == int(later.timestamp())


# --- Caching and Vary -------------------------------------------------------------------------


def test_answers_depend_on_the_token_and_nothing_a_cookie_says(client, club):
    visitor = read(client, "/api/v1/clubs/")
    assert "Authorization" in visitor["Vary"]
    assert "Cookie" not in visitor["Vary"]
    assert "public" in visitor["Cache-Control"]
    assert "no-cache" in visitor["Cache-Control"]
    member = read(client, "/api/v1/clubs/", token_for(UserFactory()))
    assert "private" in member["Cache-Control"]


# --- Rate limits ------------------------------------------------------------------------------


@pytest.fixture
def limited(settings):
    settings.JOURNAL_CLUB_API_RATES = {"anonymous": "3/minute", "token": "5/minute"}


def test_a_visitor_past_the_limit_gets_429_with_retry_after(client, club, limited):
    for _ in range(3):
        assert read(client, "/api/v1/clubs/").status_code == 200
    response = read(client, "/api/v1/clubs/readers/")  # every address counts
    problem = is_problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Retry-After" in problem["detail"] or "available" in problem["detail"]


def test_the_limit_is_per_address(client, club, limited):
    for _ in range(3):
        read(client, "/api/v1/clubs/")
    assert read(client, "/api/v1/clubs/").status_code == 429
    assert client.get("/api/v1/clubs/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_token_has_its_own_limit(client, club, limited):
    token, other = token_for(UserFactory()), token_for(UserFactory())
    for _ in range(3):
        read(client, "/api/v1/clubs/")
    assert read(client, "/api/v1/clubs/").status_code == 429  # the address, for visitors
    for _ in range(5):
        assert read(client, "/api/v1/clubs/", token).status_code == 200
    is_problem(read(client, "/api/v1/clubs/", token), 429)
    assert read(client, "/api/v1/clubs/", other).status_code == 200


def test_behind_a_proxy_the_limit_is_the_clients_address(client, club, limited, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(3):
        client.get("/api/v1/clubs/", headers={"X-Forwarded-For": "203.0.113.7"})
    assert (
        client.get("/api/v1/clubs/", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    )
    assert (
        client.get("/api/v1/clubs/", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200
    )


# --- CORS -------------------------------------------------------------------------------------


def test_any_site_may_read_what_anyone_may_read(client, club):
    response = client.get("/api/v1/clubs/", headers={"Origin": "https://elsewhere.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_preflight_allows_reading_but_never_the_authorization_header(client, club):
    response = client.options(
        "/api/v1/clubs/",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 200
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" not in allowed
    assert "if-none-match" in allowed
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "Access-Control-Allow-Credentials" not in response


def test_an_answer_to_a_token_carries_no_cors_headers(client, club):
    token = token_for(UserFactory())
    response = read(client, "/api/v1/clubs/", token, Origin="https://elsewhere.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_the_sites_pages_are_not_opened_to_other_sites(client, db):
    response = client.get("/", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in response


# --- Problem details for every error ----------------------------------------------------------


def test_an_unknown_address_under_api_is_a_404_problem_for_any_method(client, db):
    for url in ("/api/", "/api/v2/clubs/", "/api/v1/nothing/", "/api/v1/clubs/readers/extra/"):
        for method in ("get", "post", "put", "delete", "options"):
            problem = is_problem(getattr(client, method)(url), 404, "not_found")
            assert problem["instance"] == url


def test_writing_is_a_405_problem_naming_what_is_allowed(client, club):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/clubs/readers/")
        is_problem(response, 405, "method_not_allowed")
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_head_answers_like_get_without_a_body(client, club):
    head = client.head("/api/v1/clubs/readers/")
    get = client.get("/api/v1/clubs/readers/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]


def test_a_crash_is_a_logged_500_problem(client, club, caplog):
    client.raise_request_exception = False
    with mock.patch("api.selectors.clubs_for", side_effect=RuntimeError("boom")):
        response = read(client, "/api/v1/clubs/")
    problem = is_problem(response, 500, "internal_server_error")
    assert "boom" not in problem["detail"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_the_database_out_of_reach_is_a_503_problem_with_retry_after(client, club):
    client.raise_request_exception = False
    with mock.patch("api.selectors.clubs_for", side_effect=OperationalError("gone")):
        response = read(client, "/api/v1/clubs/")
    is_problem(response, 503)
    assert response["Retry-After"] == "5"


def test_a_400_from_the_site_before_the_api_is_a_problem_too(client, db):
    """A NUL in the address is refused by a middleware of the site: still problem details."""
    is_problem(client.get("/api/v1/clubs/a%00b/"), 400, "bad_request")


def test_a_412_from_a_precondition_is_a_problem(client, club):
    response = read(client, "/api/v1/clubs/readers/", **{"If-Match": '"nope"'})
    is_problem(response, 412)


def test_an_accept_the_api_cannot_satisfy_is_a_406_problem(client, club):
    response = client.get("/api/v1/clubs/", headers={"Accept": "application/xml"})
    is_problem(response, 406, "not_acceptable")
