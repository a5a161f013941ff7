"""allauth's forms label their fields in sentence case."""

import re

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from accounts.allauth_forms import LoginForm


def labels(response) -> dict[str, str]:
    """Each label of the page's form fields: {field id: text}."""
    html = response.content.decode()
    return dict(re.findall(r'<label for="(id_\w+)">(.*?)</label>', html))


def placeholders(response) -> dict[str, str]:
    """Each placeholder of the page's form fields: {field id: text}."""
    found = {}
    for tag in re.findall(r"<input\b[^>]*>", response.content.decode()):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attributes.get("id", "").startswith("id_") and "placeholder" in attributes:
            found[attributes["id"]] = attributes["placeholder"]
    return found


def test_login_says_remember_me_in_sentence_case(client, db):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert labels(response)["id_remember"] == "Remember me"
    assert "Remember Me" not in response.content.decode()


def test_the_login_form_still_works_without_its_remember_field(settings, db):
    """With ACCOUNT_SESSION_REMEMBER set, allauth drops the checkbox; relabelling skips it."""
    settings.ACCOUNT_SESSION_REMEMBER = True

    assert "remember" not in LoginForm().fields


def test_password_change_labels_are_in_sentence_case(member_client):
    response = member_client.get(reverse("account_change_password"))

    assert response.status_code == 200
    assert labels(response) == {
        "id_oldpassword": "Current password",
        "id_password1": "New password",
        "id_password2": "New password (again)",
    }
    assert placeholders(response) == labels(response)
    assert "New Password" not in response.content.decode()


def test_password_reset_from_key_labels_are_in_sentence_case(client, member):
    url = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(member),
            "key": default_token_generator.make_token(member),
        },
    )

    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert labels(response) == {
        "id_password1": "New password",
        "id_password2": "New password (again)",
    }
    assert placeholders(response) == labels(response)
    assert "New Password" not in response.content.decode()


def test_changing_the_password_with_the_relabelled_form_still_works(member_client, member):
    response = member_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct horse",
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a new long passphrase")
