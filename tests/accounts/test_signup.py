"""Joining, confirming an email address, signing in and resetting a password, end to end."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "a long passphrase 7"
CONFIRMATION_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def sign_up(
    client, *, display_name="Priya Venkatesan", email="priya@example.org", HTTP_HOST=None, **extra
):
    headers = {"HTTP_HOST": HTTP_HOST} if HTTP_HOST else {}
    return client.post(
        reverse("account_signup"),
        {
            "display_name": display_name,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agree_to_code": "on",
            **extra,
        },
        **headers,
    )


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def unverified_member(db):
    return UserFactory(verified=False)


def test_signup_creates_an_unverified_member_and_sends_one_confirmation_email(
    client, db, mailoutbox
):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    member = User.objects.get(email="priya@example.org")
    assert member.display_name == "Priya Venkatesan"
    assert member.username == "priya_venkatesan"
    assert member.check_password(PASSWORD)
    assert not EmailAddress.objects.get(user=member).verified
    assert signed_in_user_id(client) is None
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["priya@example.org"]
    assert message.subject.startswith("[Journal Club] ")
    assert "Welcome, Priya Venkatesan." in message.body
    assert CONFIRMATION_LINK.search(message.body)


def test_members_sharing_a_display_name_get_distinct_usernames_derived_from_it(client, db):
    sign_up(client, email="priya@example.org")
    sign_up(client, email="priya.v@example.net")

    first, second = User.objects.filter(display_name="Priya Venkatesan").order_by("pk")
    assert first.username == "priya_venkatesan"
    assert second.username.startswith("priya_venkatesan")
    assert second.username != first.username


def test_confirming_the_email_verifies_it_and_signs_the_new_member_in(client, db, mailoutbox):
    sign_up(client)
    path = CONFIRMATION_LINK.search(mailoutbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert b"priya@example.org" in page.content
    assert not EmailAddress.objects.get(email="priya@example.org").verified

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("discussions:home")
    address = EmailAddress.objects.get(email="priya@example.org")
    assert address.verified
    assert signed_in_user_id(client) == str(address.user_id)


def test_signing_in_with_an_unverified_email_is_refused(client, unverified_member, mailoutbox):
    response = client.post(
        reverse("account_login"), {"login": unverified_member.email, "password": "correct horse"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    # allauth sends a fresh confirmation link so the member can finish.
    assert len(mailoutbox) == 1
    assert CONFIRMATION_LINK.search(mailoutbox[0].body)


def test_a_verified_member_signs_in(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "correct horse"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("discussions:home")
    assert signed_in_user_id(client) == str(member.pk)


def test_signing_in_with_a_wrong_password_shows_an_error(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "wrong horse"}
    )

    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in (response.content)
    assert signed_in_user_id(client) is None


def test_the_next_parameter_is_honoured_after_signing_in(client, member):
    response = client.post(
        reverse("account_login") + "?next=/discussions/x/",
        {"login": member.email, "password": "correct horse"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/discussions/x/"


def test_the_login_form_carries_next_through(client, db):
    response = client.get(reverse("account_login") + "?next=/discussions/x/")

    assert b'name="next" value="/discussions/x/"' in response.content


def test_an_offsite_next_parameter_is_ignored(client, member):
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse", "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("discussions:home")


def test_password_reset_does_not_reveal_who_is_a_member(client, member, mailoutbox):
    url = reverse("account_reset_password")

    known = client.post(url, {"email": member.email}, follow=True)
    unknown = client.post(url, {"email": "nobody@example.org"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert known.content == unknown.content
    # Each address gets an email: a reset link for the member, a note for the stranger.
    assert [m.to for m in mailoutbox] == [[member.email], ["nobody@example.org"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "/accounts/password/reset/key/" not in mailoutbox[1].body


def test_signing_up_with_a_taken_email_does_not_reveal_it(client, member, mailoutbox):
    response = sign_up(client, display_name="Someone Else", email=member.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=member.email).count() == 1
    assert len(mailoutbox) == 1  # "you already have an account" goes to the owner
    assert mailoutbox[0].to == [member.email]


def test_signup_without_a_display_name_shows_an_error_and_keeps_what_was_typed(client, db):
    response = sign_up(client, display_name="")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input type="text" name="display_name"[^>]*aria-invalid="true"', html)
    assert 'id="id_display_name_error"' in html
    assert re.search(r'<input type="email" name="email" value="priya@example.org"', html)
    assert f'value="{PASSWORD}"' not in html  # passwords are never sent back
    assert not User.objects.filter(email="priya@example.org").exists()


def test_five_failed_sign_ins_lock_the_account_for_a_while(client, member):
    """allauth counts failures per account ("login_failed": 5 per 5 minutes per email).

    The sixth attempt is refused with a form error (not a 429), even with the right
    password; other members can still sign in from the same address.
    """
    url = reverse("account_login")
    for _ in range(5):
        failed = client.post(url, {"login": member.email, "password": "wrong horse"})
        assert b"not correct" in failed.content

    response = client.post(url, {"login": member.email, "password": "correct horse"})

    assert response.status_code == 200
    assert b"Too many failed login attempts. Try again later." in response.content
    assert signed_in_user_id(client) is None

    other = UserFactory()
    response = client.post(url, {"login": other.email, "password": "correct horse"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("discussions:home")


def test_signing_up_with_a_taken_email_costs_what_a_new_sign_up_costs(client, member, monkeypatch):
    """Both paths hash a password once: the time of the answer tells nobody who is a member."""
    from django.contrib.auth.hashers import get_hasher

    hasher = type(get_hasher())
    hashed = []
    real = hasher.encode
    monkeypatch.setattr(hasher, "encode", lambda *a, **k: hashed.append(1) or real(*a, **k))
    sign_up(client, display_name="New Person", email="new.person@example.org")
    new = len(hashed)
    hashed.clear()
    Client().post(reverse("account_logout"))
    taken = sign_up(Client(), display_name="Someone Else", email=member.email)
    assert taken.status_code == 302
    assert new >= 1
    assert len(hashed) == new


def test_links_in_account_emails_use_the_configured_address_not_the_host_header(
    client, member, mailoutbox, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.JOURNAL_CLUB_BASE_URL = "https://club.example.org"
    client.post(
        reverse("account_reset_password"), {"email": member.email}, HTTP_HOST="evil.example"
    )
    sign_up(Client(), email="newcomer@example.org", HTTP_HOST="evil.example")
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "evil.example" not in message.body
        assert "https://club.example.org/accounts/" in message.body
