import functools
import itertools
import json
import re

import pytest
from django.contrib.auth.models import Permission
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator

from api import services
from clubs.models import Club
from tests.factories import ClubFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _no_api_limits(settings):
    """No rate limits unless a test sets them: tests read far faster than any script."""
    settings.JOURNAL_CLUB_API_RATES = {}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


_made = itertools.count()


def token_for(member) -> str:
    """A working token of this member's (what their settings page would show once)."""
    return services.token_create(member=member, name=f"script {next(_made)}")[1]


def read(client, url: str, token: str | None = None, **headers):
    """GET ``url`` as a visitor or, with ``token``, as its member."""
    return client.get(url, headers={**(bearer(token) if token else {}), **headers})


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@functools.cache
def openapi() -> dict:
    """The API's OpenAPI document, as /api/v1/schema/ serves it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def conforms(response, path: str) -> None:
    """
    The response is what the schema says ``GET path`` answers with its status: the body
    validated against the documented JSON Schema (OpenAPI 3.1 is JSON Schema 2020-12).
    """
    document = openapi()
    status = str(response.status_code)
    operation = document["paths"][path]["get"]
    assert status in operation["responses"], f"{status} is not documented for {path}"
    content_type = response["Content-Type"].split(";")[0]
    content = operation["responses"][status]["content"]
    assert content_type in content, f"{content_type} is not documented for {status} {path}"
    pointer = _pointer("paths", path, "get", "responses", status, "content", content_type, "schema")
    Draft202012Validator({**document, "$ref": pointer}).validate(response.json())


def is_problem(response, status: int, code: str | None = None) -> dict:
    """The response is RFC 9457 problem details with this status (and ``code``)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(problem)
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    if code is not None:
        assert problem["code"] == code
    return problem


MARK = "zqxprivate"
MARKED = re.compile(rf"{MARK}\w*")


class Readers:
    """
    A private club and who stands where towards it: its lead (hosts its discussions), a
    member, a member it banned, an outsider (a member of the site only), and staff who
    curate clubs; each with a token. The club's texts carry ``MARK``.
    """

    def __init__(self):
        self.club = ClubFactory(
            name=f"Ward {MARK}",
            slug=f"{MARK}-ward",
            tagline=f"{MARK}tagline",
            visibility=Club.Visibility.PRIVATE,
            joining=Club.Joining.INVITATION,
        )
        self.users = {
            "lead": MembershipFactory(club=self.club, role="lead").member,
            "member": MembershipFactory(club=self.club).member,
            "banned": MembershipFactory(club=self.club).member,
            "outsider": UserFactory(),
            "curator": UserFactory(is_staff=True),
            "staff_only": UserFactory(is_staff=True),
        }
        self.users["curator"].user_permissions.add(
            Permission.objects.get(codename="change_club", content_type__app_label="clubs")
        )
        self.club.memberships.filter(member=self.users["banned"]).update(
            banned_at="2026-01-01T00:00:00Z"
        )
        self.tokens = {name: token_for(user) for name, user in self.users.items()}

    def token(self, reader: str) -> str | None:
        return self.tokens.get(reader)
