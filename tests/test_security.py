"""Security headers on every page type, cookies, sessions and reauthentication."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import CommentFactory, UserFactory

PASSWORD = "correct horse"


@pytest.fixture
def pages(discussion):
    """One URL of every page type, with the role that can see it."""
    comment = CommentFactory(question=discussion.questions.first())
    member = comment.author
    return {
        "home": (reverse("discussions:home"), None),
        "archive": (reverse("discussions:archive"), None),
        "discussion": (discussion.get_absolute_url(), None),
        "question": (
            reverse("discussions:question", kwargs={"slug": discussion.slug, "number": 1}),
            None,
        ),
        "paper": (discussion.article.get_absolute_url(), None),
        "profile": (member.get_absolute_url(), None),
        "login": (reverse("account_login"), None),
        "signup": (reverse("account_signup"), None),
        "code of conduct": (reverse("code-of-conduct"), None),
        "not found": ("/no/such/page/", None),
        "reply form": (reverse("discussions:comment-reply", args=[comment.pk]), "member"),
        "profile settings": (reverse("accounts:profile-edit"), "member"),
        "email settings": (reverse("account_email"), "member"),
        "moderation queue": (reverse("moderation:queue"), "moderator"),
        "admin": (reverse("admin:index"), "staff"),
    }


def client_for(role):
    client = Client()
    if role == "member":
        client.force_login(UserFactory())
    elif role == "moderator":
        client.force_login(UserFactory(roles=["Moderators"]))
    elif role == "staff":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_every_page_type_sends_the_security_headers(pages):
    for name, (url, role) in pages.items():
        response = client_for(role).get(url, secure=True)
        assert response.status_code in (200, 404), name
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], name
        assert "'unsafe-inline'" not in policy["script-src"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["default-src"] == ["'self'"]
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        hsts = response["Strict-Transport-Security"]
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31_536_000, name
        assert "includeSubDomains" in hsts


def test_plain_http_is_redirected_to_https_in_production(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(reverse("discussions:home"))
    assert response.status_code == 301
    assert response.url.startswith("https://")


def test_cookies_are_secure_httponly_samesite_and_host_prefixed(db):
    member = UserFactory()
    client = Client()
    client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}, secure=True
    )
    session = response.cookies["__Host-sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]
    csrf = client.cookies["__Host-csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]


def test_the_session_key_changes_on_login(db):
    member = UserFactory()
    client = Client()
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert client.session[SESSION_KEY] == str(member.pk)
    assert client.session.session_key != before


def test_changing_the_password_ends_the_members_other_sessions(db):
    member = UserFactory()
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert elsewhere.get(reverse("account_email")).status_code == 200

    here.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
        },
    )

    assert here.get(reverse("account_email")).status_code == 200  # this one stays signed in
    response = elsewhere.get(reverse("account_email"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_changing_the_email_address_asks_for_the_password_again(db):
    member = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    # Reauthentication is asked for once the sign-in is no longer fresh.
    session = client.session
    for key in list(session.keys()):
        if "authentication_records" in key or key.startswith("account_"):
            del session[key]
    session.save()
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "another@example.org"}
    )
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response.url
    assert not member.emailaddress_set.filter(email="another@example.org").exists()


@pytest.mark.parametrize(
    "url",
    ["/members/%00/", "/browse/authors/%00/", "/feeds/members/%00/comments/", "/discussions/%00/"],
)
def test_a_nul_character_in_the_path_is_a_bad_request_not_an_error(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "That address cannot be read" in response.content.decode()


@pytest.mark.parametrize("query", ["?q=%00", "?q=a&subject=%00x", "?page=%00", "?sort=%00"])
@pytest.mark.parametrize("path", ["/", "/search/", "/browse/subjects/", "/archive/"])
def test_a_nul_character_in_a_query_string_is_never_an_error(client, db, path, query):
    assert client.get(path + query).status_code < 500


def test_a_comment_with_a_nul_character_is_refused_with_a_message(member_client, discussion):
    url = reverse("discussions:comment-create", args=[discussion.slug, 1])
    response = member_client.post(url, {"body": "Pasted\x00text"})
    assert response.status_code == 200
    assert "Pasted" in response.content.decode()  # the text is kept
    assert not discussion.questions.first().comments.exists()


def test_the_service_refuses_a_nul_character_too(member, discussion):
    from django.core.exceptions import ValidationError

    from discussions import services

    with pytest.raises(ValidationError, match="NUL"):
        services.comment_post(
            question=discussion.questions.first(), author=member, body="Pasted\x00text"
        )


def test_messages_travel_in_the_session_not_in_a_cookie_of_their_own(client, db):
    member = UserFactory()
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    response = client.post(reverse("account_logout"))
    assert "messages" not in response.cookies
    page = client.get(response["Location"]).content.decode()
    assert "You have signed out." in page
