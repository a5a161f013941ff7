"""
Tokens as the API's one way in: a good one reads as its member; a bad one is a 401 that
says so (never a visitor's answer); a browser's session is no way in at all.
"""

import pytest

from api import services
from api.models import ApiToken
from clubs.models import Club
from tests.factories import ClubFactory, MembershipFactory, UserFactory

from .conftest import is_problem, read, token_for

PRIVATE = "/api/v1/clubs/inner-circle/"


@pytest.fixture
def member(db):
    member = UserFactory()
    club = ClubFactory(slug="inner-circle", visibility=Club.Visibility.PRIVATE, joining="request")
    MembershipFactory(club=club, member=member)
    return member


def test_a_token_reads_as_its_member(client, member):
    assert read(client, PRIVATE).status_code == 404
    assert read(client, PRIVATE, token_for(member)).status_code == 200


def test_the_scheme_is_case_insensitive(client, member):
    token = token_for(member)
    response = client.get(PRIVATE, headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer jc_" + "x" * 10,
        "Bearer jc_" + "!" * 43,
        "Token jc_" + "a" * 43,
        "Basic dXNlcjpwYXNz",
        "",
    ],
)
def test_a_malformed_authorization_is_a_401_not_a_visitor(client, member, header):
    response = client.get("/api/v1/clubs/", headers={"Authorization": header})
    problem = is_problem(response, 401, "authentication_failed")
    assert "Bearer" in problem["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="Journal Club API", error="invalid_token"'


def test_an_unknown_token_is_a_401(client, member):
    response = read(client, "/api/v1/clubs/", "jc_" + "a" * 43)
    assert "revoked" in is_problem(response, 401)["detail"]
    assert "invalid_token" in response["WWW-Authenticate"]


def test_a_revoked_token_stops_working_at_once(client, member):
    token = token_for(member)
    assert read(client, PRIVATE, token).status_code == 200
    services.token_revoke(member=member, token=ApiToken.objects.get(member=member))
    is_problem(read(client, PRIVATE, token), 401)


def test_the_token_of_a_closed_account_is_a_401(client, member):
    token = token_for(member)
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    is_problem(read(client, "/api/v1/clubs/", token), 401)


def test_a_token_is_never_taken_from_the_query_or_a_cookie(client, member):
    token = token_for(member)
    assert read(client, f"{PRIVATE}?access_token={token}").status_code == 400  # unknown
    client.cookies["token"] = token
    assert read(client, PRIVATE).status_code == 404


def test_the_last_use_is_written_down(client, member):
    token = token_for(member)
    assert ApiToken.objects.get(member=member).last_used_at is None
    read(client, "/api/v1/", token)
    assert ApiToken.objects.get(member=member).last_used_at is not None


def test_a_token_works_for_head_and_for_errors_too(client, member):
    token = token_for(member)
    assert client.head(PRIVATE, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    is_problem(read(client, "/api/v1/clubs/nothing-here/", token), 404)


def test_no_token_answers_every_request_as_a_visitors(client, db):
    assert read(client, "/api/v1/clubs/").status_code == 200
    assert "WWW-Authenticate" not in read(client, "/api/v1/clubs/")


def test_another_members_token_reads_as_them_not_as_you(client, member):
    other = UserFactory()
    assert read(client, PRIVATE, token_for(other)).status_code == 404
