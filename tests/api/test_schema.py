"""
The API's OpenAPI 3.1 schema is valid, documents every answer, and the API keeps to it:
schemathesis generates requests from the schema (valid ones and invalid ones) and checks
that nothing answers 5xx and every answer is what the schema says, for a visitor and for a
member's token. The documentation page works under the site's CSP.
"""

import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.settings import patched_settings
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode

from discussions.models import Comment, DiscussionTranslation
from events.models import Meeting
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

from .conftest import Readers, bearer, openapi

# --- The schema -------------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_3_1_served_as_json(client, db, settings):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = response.json()
    validate_schema(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Journal Club API"
    assert document["servers"] == [{"url": settings.JOURNAL_CLUB_BASE_URL}]
    assert document["components"]["securitySchemes"]["personalToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["personalToken"]["description"],
    }


def test_the_schema_is_also_given_as_yaml(client, db):
    response = client.get("/api/v1/schema/", headers={"Accept": "application/yaml"})
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.1.0")


def test_every_component_is_json_schema_2020_12():
    for name, component in openapi()["components"]["schemas"].items():
        Draft202012Validator.check_schema(component), name


def test_every_operation_is_a_read_with_its_problems_documented():
    paths = openapi()["paths"]
    assert set(paths) == {
        "/api/v1/",
        "/api/v1/clubs/",
        "/api/v1/clubs/{slug}/",
        "/api/v1/papers/",
        "/api/v1/papers/{slug}/",
        "/api/v1/discussions/",
        "/api/v1/discussions/{slug}/",
        "/api/v1/discussions/{slug}/comments/",
        "/api/v1/comments/{id}/",
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/members/{username}/",
    }
    for path, methods in paths.items():
        assert set(methods) == {"get"}, path
        responses = methods["get"]["responses"]
        expected = {"200", "400", "401", "429"} | ({"404"} if "{" in path else set())
        assert set(responses) == expected, path
        for status in expected - {"200"}:
            problem = responses[status]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}, (path, status)
        parameters = {parameter["name"] for parameter in methods["get"].get("parameters", [])}
        if path.endswith("/") and responses["200"]["content"]["application/json"]["schema"][
            "$ref"
        ].endswith("Page"):
            assert {"cursor", "page_size"} <= parameters, path


def test_every_filter_is_documented():
    def names(path):
        return {p["name"] for p in openapi()["paths"][path]["get"].get("parameters", [])}

    assert {"doi", "subject", "updated_since"} <= names("/api/v1/papers/")
    assert {"club", "paper", "subject", "status", "updated_since"} <= names("/api/v1/discussions/")
    assert {"question", "updated_since"} <= names("/api/v1/discussions/{slug}/comments/")
    assert {"discussion", "club", "upcoming"} <= names("/api/v1/sessions/")


# --- The documentation page -------------------------------------------------------------------


def test_the_docs_page_has_no_inline_script_or_style(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<style" not in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    script = re.search(r'<script src="([^"]*script[^"]*)"', page).group(1)
    start_up = client.get(script.replace("&amp;", "&"))
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in start_up.content.decode()
    assert '"validatorUrl": null' in start_up.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_works_under_the_policy_in_a_browser(live_server, page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    # The schema names the test server, as it names the site in production.
    with patched_settings({"SERVERS": [{"url": live_server.url}]}):
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() == len(openapi()["paths"])
        # Trying a request from the page: under connect-src 'self'.
        page.locator(".opblock-summary").nth(1).click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        page.locator(".live-responses-table .response-col_status").first.wait_for()
        assert "200" in page.locator(".live-responses-table").first.inner_text()
    assert violations == []


# --- Schemathesis: the API keeps to its schema -------------------------------------------------

django_application = get_wsgi_application()


def application(environ, start_response):
    """
    Django as schemathesis calls it (WSGI), in the test's own database transaction: the
    test client's one precaution, without which each request would close the connection.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = django_application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def content(db, settings):
    """A bit of everything, private club included, so that answers have something in them."""
    settings.JOURNAL_CLUB_API_RATES = {}
    readers = Readers()
    discussion = DiscussionFactory(slug="known", commentary="# Why\n\n**Because.**")
    DiscussionTranslation.objects.create(discussion=discussion, language="fr", commentary="Car.")
    question = discussion.questions.first()
    answer = CommentFactory(question=question, label="evidence")
    CommentFactory(parent=answer, deleted_at="2026-01-02T00:00:00Z")
    CommentFactory(parent=answer, status=Comment.Status.HIDDEN, moderation_note="Rude.")
    CommentFactory(question=question, status=Comment.Status.PENDING, author=readers.users["member"])
    private = DiscussionFactory(club=readers.club, slug="private-one")
    CommentFactory(question=private.questions.first(), author=readers.users["member"])
    for meeting_of in (discussion, private):
        Meeting.objects.create(discussion=meeting_of, starts_at="2030-01-01T10:00:00Z")
    UserFactory(username="known-member", bio="A *bio*.")
    return readers


SETTINGS = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
)


def _without_made_up_cursor(case):
    """
    A valid request, as far as a schema can say, may carry a cursor only the API can make:
    a made-up one is refused with 400, as documented. Valid requests start from the first page.
    """
    if case.meta and case.meta.generation.mode == GenerationMode.POSITIVE and case.query:
        case.query.pop("cursor", None)


@schema.parametrize()
@SETTINGS
def test_the_api_keeps_to_its_schema_for_a_visitor(case, content):
    _without_made_up_cursor(case)
    case.call_and_validate()


@schema.parametrize()
@SETTINGS
def test_the_api_keeps_to_its_schema_for_a_members_token(case, content):
    _without_made_up_cursor(case)
    case.call_and_validate(headers=bearer(content.token("member")))


def test_the_schema_lists_what_schemathesis_tests():
    assert len(list(schema.get_all_operations())) == len(openapi()["paths"])
    assert json.dumps(openapi())  # the document is plain JSON
