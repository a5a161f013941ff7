"""The API tokens page among a member's account settings: make a token, see it once, revoke it."""

import pytest
from django.test import Client
from django.urls import reverse

from api import services
from api.models import ApiToken, token_digest
from tests.factories import UserFactory

from .conftest import read

LIST = "/members/settings/api-tokens/"


def test_the_page_lists_the_members_tokens_and_no_one_elses(member_client, member):
    mine, _secret = services.token_create(member=member, name="Club website")
    services.token_create(member=UserFactory(), name="Someone else's")
    revoked, _secret = services.token_create(member=member, name="Old script")
    services.token_revoke(member=member, token=revoked)
    response = member_client.get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Club website" in content
    assert f"{mine.prefix}…" in content
    assert "Someone else" not in content
    assert "Old script" not in content
    assert "Never" in content  # not used yet
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_account_settings_link_to_it(member_client):
    page = member_client.get(reverse("accounts:profile-edit")).content.decode()
    assert f'href="{LIST}"' in page
    assert 'aria-current="page"' in member_client.get(LIST).content.decode()


def test_making_a_token_shows_it_once(member_client, member):
    response = member_client.post(LIST, {"name": "Club website"})
    assert response.status_code == 200
    token = ApiToken.objects.get(member=member)
    secret = response.context["created"]["secret"]
    assert token.digest == token_digest(secret)
    assert f'value="{secret}"' in response.content.decode()
    assert "not shown again" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # It works at once, and the page never shows it again.
    assert read(member_client, "/api/v1/", secret).status_code == 200
    assert secret not in member_client.get(LIST).content.decode()


def test_a_refused_name_keeps_what_was_typed(member_client, member):
    services.token_create(member=member, name="Club website")
    response = member_client.post(LIST, {"name": "Club website"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "You already have a token with this name." in content
    assert 'value="Club website"' in content
    assert response.context["created"] is None
    assert ApiToken.objects.filter(member=member).count() == 1
    empty = member_client.post(LIST, {"name": "  "})
    assert "This field is required." in empty.content.decode()


def test_too_many_tokens_is_said_on_the_form(member_client, member):
    for number in range(services.MAX_TOKENS):
        services.token_create(member=member, name=f"t{number}")
    response = member_client.post(LIST, {"name": "one more"})
    assert "revoke one you no longer use" in response.content.decode()
    assert 'value="one more"' in response.content.decode()


def test_revoking_asks_first_then_revokes(member_client, member):
    token, secret = services.token_create(member=member, name="Club website")
    url = reverse("api-tokens:revoke", args=[token.pk])
    question = member_client.post(url)
    assert question.status_code == 200
    assert "Revoke the token “Club website”?" in question.content.decode()
    assert ApiToken.objects.active().filter(pk=token.pk).exists()
    done = member_client.post(url, {"confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == LIST
    assert "no longer works" in done.content.decode()
    assert not ApiToken.objects.active().filter(pk=token.pk).exists()
    assert read(member_client, "/api/v1/", secret).status_code == 401
    # Revoked already: nothing left to revoke.
    assert member_client.post(url, {"confirm": "1"}).status_code == 404


def test_another_members_token_cannot_be_revoked_or_named(member_client, member):
    token, _secret = services.token_create(member=UserFactory(), name="Theirs")
    url = reverse("api-tokens:revoke", args=[token.pk])
    assert member_client.post(url).status_code == 404
    assert member_client.post(url, {"confirm": "1"}).status_code == 404
    assert ApiToken.objects.active().filter(pk=token.pk).exists()


def test_revoking_is_a_post(member_client, member):
    token, _secret = services.token_create(member=member, name="Club website")
    assert member_client.get(reverse("api-tokens:revoke", args=[token.pk])).status_code == 405


@pytest.mark.parametrize("url", [LIST, "/members/settings/api-tokens/1/revoke/"])
def test_visitors_are_sent_to_sign_in(client, db, url):
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_a_post_without_the_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(LIST, {"name": "Forged"}).status_code == 403
    token, _secret = services.token_create(member=member, name="Mine")
    url = reverse("api-tokens:revoke", args=[token.pk])
    assert client.post(url, {"confirm": "1"}).status_code == 403
    assert ApiToken.objects.filter(member=member).count() == 1
    assert ApiToken.objects.active().filter(pk=token.pk).exists()


def test_the_page_is_there_in_french(member_client):
    response = member_client.get("/fr" + LIST)
    assert response.status_code == 200
    assert 'action="/fr/members/settings/api-tokens/"' in response.content.decode()
