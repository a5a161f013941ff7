"""
Signing up, signing in and connecting an account with ORCID (allauth's ORCID provider),
and an iD shown verified only when it came through ORCID's sign-in.

The OAuth exchange runs for real through allauth, up to the network: ORCID's answers are
the recorded ones in tests/accounts/data/ (its token answer and a v3.0 record), given by
``FakeOrcid`` in place of requests' transport, so the session allauth asks ORCID through
(our timeout, User-Agent and checks of ORCID's answers) is the one under test.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.forms import ProfileForm
from accounts.models import CodeOfConductAgreement, User
from accounts.signals import member_changed
from tests.api.conftest import conforms, read
from tests.factories import UserFactory

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
ORCID_ID = "0000-0001-5555-1238"  # the recorded record's (tests/accounts/data/)
OTHER_ID = "0000-0003-4567-890X"
PASSWORD = "correct horse"
TOKEN_URL = "https://pub.orcid.org/oauth/token"
RECORD_URL = f"https://pub.orcid.org/v3.0/{ORCID_ID}/record"


def recorded(name: str) -> str:
    return (DATA / name).read_text()


class FakeOrcid:
    """
    ORCID's public API, answering from recorded files: requests' HTTP transport is replaced,
    so allauth's calls go through everything else for real. ``answers`` maps a URL to
    (status, body, content type), or to an exception to raise (ORCID out of reach).
    """

    def __init__(self):
        self.answers = {
            TOKEN_URL: (200, recorded("orcid-token.json"), "application/json;charset=UTF-8"),
            RECORD_URL: (200, recorded("orcid-record.json"), "application/orcid+json"),
        }
        self.calls = []  # (prepared request, send's keyword arguments)

    def send(self, request, **kwargs):
        self.calls.append((request, kwargs))
        answer = self.answers.get(request.url.split("?")[0])
        if answer is None:
            raise AssertionError(f"no recorded answer for {request.method} {request.url}")
        if isinstance(answer, Exception):
            raise answer
        status, body, content_type = answer
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        response.headers["Content-Type"] = content_type
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response


@pytest.fixture
def orcid(monkeypatch):
    fake = FakeOrcid()
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", fake.send)
    return fake


@pytest.fixture
def orcid_on(settings):
    """An ORCID client configured, as ORCID_CLIENT_ID and ORCID_CLIENT_SECRET would."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            "BASE_DOMAIN": "orcid.org",
            "MEMBER_API": False,
            "APPS": [{"client_id": "test", "secret": "test-secret"}],
        }
    }


def start(client, process="login", **extra):
    """Press the ORCID button: allauth sends the browser to ORCID's sign-in page."""
    response = client.post(reverse("orcid_login"), {"process": process, **extra})
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "orcid.org",
        "/oauth/authorize",
    )
    query = parse_qs(location.query)
    assert query["client_id"] == ["test"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["/authenticate"]
    assert query["redirect_uri"] == ["http://testserver/accounts/orcid/login/callback/"]
    return query["state"][0]


def come_back(client, state, code="Q70Y3A"):
    """ORCID sends the browser back with a code (the member said yes)."""
    return client.get(reverse("orcid_callback"), {"code": code, "state": state})


def reauthenticate(client):
    """Confirm the password, as allauth asks before connecting or disconnecting."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def verified_member(orcid=ORCID_ID, **kwargs):
    """A member whose iD came through ORCID: their ORCID account is connected."""
    member = UserFactory(orcid=orcid, orcid_verified=True, **kwargs)
    SocialAccount.objects.create(user=member, provider="orcid", uid=orcid, extra_data={})
    return member


# --- Off without a client -----------------------------------------------------------------


def test_without_a_client_no_button_shows_and_the_orcid_addresses_are_not_found(client, db):
    for name in ("account_login", "account_signup"):
        html = client.get(reverse(name)).content.decode()
        assert "Sign in with ORCID" not in html
        assert reverse("orcid_login") not in html
    assert client.get(reverse("orcid_login")).status_code == 404
    assert client.post(reverse("orcid_login")).status_code == 404
    callback = client.get(reverse("orcid_callback"), {"code": "x", "state": "y"})
    assert callback.status_code == 404


def test_without_a_client_settings_have_no_connected_accounts_link(member_client):
    html = member_client.get(reverse("account_email")).content.decode()
    assert "Connected accounts" not in html
    form = ProfileForm(instance=UserFactory())
    assert "Connect your ORCID account" not in form.fields["orcid"].help_text


def test_the_sign_in_page_asks_the_database_nothing_about_providers(client, db, orcid_on):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("account_login")).status_code == 200
    assert not [q["sql"] for q in queries if "socialaccount" in q["sql"]]


# --- The button and the start -------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["account_login", "account_signup"])
def test_sign_in_and_sign_up_pages_offer_orcid_when_configured(client, db, orcid_on, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert f'action="{reverse("orcid_login")}"' in html
    assert '<input type="hidden" name="process" value="login">' in html
    assert "Sign in with ORCID" in html
    assert 'class="orcid-mark"' in html  # the green iD mark, inline
    assert 'fill="#A6CE39"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_get_of_the_orcid_address_asks_before_leaving_for_orcid(client, db, orcid_on, orcid):
    response = client.get(reverse("orcid_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "account-page--entrance" in html  # the site's layout
    assert "Continue to ORCID" in html
    assert orcid.calls == []


def test_the_button_sends_the_browser_to_orcid_with_the_client_and_a_state(client, db, orcid_on):
    state = start(client)
    assert len(state) >= 12


def test_cancelling_at_orcid_changes_nothing(client, db, orcid_on, orcid):
    state = start(client)
    response = client.get(reverse("orcid_callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_login_cancelled")
    page = client.get(response["Location"])
    assert "Signing in with ORCID was cancelled" in page.content.decode()
    assert orcid.calls == []
    assert not User.objects.exists()


# --- Signing up ---------------------------------------------------------------------------


def test_a_new_person_signs_up_with_orcid_and_their_id_is_verified(client, db, orcid_on, orcid):
    response = come_back(client, start(client))

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    form_page = client.get(response["Location"])
    html = form_page.content.decode()
    assert form_page.status_code == 200
    assert "account-page--entrance" in html
    assert ORCID_ID in html
    form = form_page.context["form"]
    assert form.initial["display_name"] == "Amara N. Okafor"  # the record's published name
    assert form.initial["email"] == ""  # ORCID's public API gave none
    assert not User.objects.exists()  # nothing saved before the form

    response = client.post(
        reverse("socialaccount_signup"),
        {"display_name": "Amara N. Okafor", "email": "amara@example.org", "agree_to_code": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    member = User.objects.get()
    assert member.display_name == "Amara N. Okafor"
    assert (member.orcid, member.orcid_verified) == (ORCID_ID, True)
    assert not member.has_usable_password()
    assert SocialAccount.objects.get(user=member).uid == ORCID_ID
    assert CodeOfConductAgreement.objects.filter(member=member).exists()
    # Email verification stays mandatory: confirmed by a link, as for everyone.
    address = EmailAddress.objects.get(user=member)
    assert (address.email, address.verified) == ("amara@example.org", False)
    assert len(mail.outbox) == 1
    assert "_auth_user_id" not in client.session


def test_the_sign_up_form_needs_an_email_address_and_the_code_of_conduct(
    client, db, orcid_on, orcid
):
    come_back(client, start(client))
    response = client.post(reverse("socialaccount_signup"), {"display_name": "Amara"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "agree_to_code"}
    assert not User.objects.exists()


def test_orcid_is_asked_with_a_timeout_and_a_user_agent_naming_the_site(
    client, db, orcid_on, orcid, settings
):
    settings.JOURNAL_CLUB_CONTACT_EMAIL = "club@example.org"
    come_back(client, start(client), code="Q70Y3A")

    (token, _), (record, _) = orcid.calls
    assert (token.method, token.url) == ("POST", TOKEN_URL)
    form = parse_qs(token.body)
    assert form["code"] == ["Q70Y3A"]
    assert form["client_id"] == ["test"]
    assert form["grant_type"] == ["authorization_code"]
    assert (record.method, record.url) == ("GET", RECORD_URL)
    assert record.headers["Accept"] == "application/orcid+json"
    for request, kwargs in orcid.calls:
        assert "mailto:club@example.org" in request.headers["User-Agent"]
        assert kwargs["timeout"] == 10


# --- Signing in ---------------------------------------------------------------------------


def test_a_member_with_a_connected_orcid_account_signs_in_with_it(client, db, orcid_on, orcid):
    member = verified_member()

    response = come_back(client, start(client))

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


def test_signing_in_with_orcid_verifies_the_id_again_over_a_typed_one(client, db, orcid_on, orcid):
    member = verified_member()
    User.objects.filter(pk=member.pk).update(orcid=OTHER_ID, orcid_verified=False)

    come_back(client, start(client))

    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (ORCID_ID, True)


# --- Connecting an existing account -------------------------------------------------------


def test_a_signed_in_member_connects_orcid_after_confirming_their_password(
    member_client, member, orcid_on, orcid
):
    member.orcid = OTHER_ID  # typed before, unverified
    member.save()

    response = come_back(member_client, start(member_client, process="connect"))

    # Connecting lets one sign in as the member: allauth asks for the password first.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not SocialAccount.objects.exists()
    response = member_client.post(
        reverse("account_reauthenticate"), {"password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("socialaccount_connections")
    assert f"Your ORCID iD {ORCID_ID} is connected" in " ".join(messages_of(response))
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (ORCID_ID, True)
    assert SocialAccount.objects.get(user=member).uid == ORCID_ID
    html = response.content.decode()
    assert f"ORCID iD {ORCID_ID}" in html
    assert "Disconnect" in html


def test_an_id_verified_by_another_member_cannot_be_connected(
    member_client, member, orcid_on, orcid
):
    other = verified_member()
    reauthenticate(member_client)

    response = come_back(member_client, start(member_client, process="connect"))

    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_connections")
    page = member_client.get(response["Location"])
    assert f"ORCID iD {ORCID_ID} is already verified on another member" in " ".join(
        messages_of(page)
    )
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == ("", False)
    assert list(SocialAccount.objects.values_list("user", flat=True)) == [other.pk]
    other.refresh_from_db()
    assert (other.orcid, other.orcid_verified) == (ORCID_ID, True)


def test_an_id_verified_elsewhere_makes_no_new_account(client, db, orcid_on, orcid):
    """Even without its ORCID account connected there (staff fixed it by hand, say)."""
    other = UserFactory(orcid=ORCID_ID, orcid_verified=True)

    response = come_back(client, start(client))

    assert response["Location"] == reverse("account_login")
    page = client.get(response["Location"])
    assert "already verified on another member" in " ".join(messages_of(page))
    assert list(User.objects.all()) == [other]
    assert client.get(reverse("socialaccount_signup"))["Location"] == reverse("account_login")


def test_an_account_with_an_orcid_id_connected_cannot_connect_a_second(
    member_client, member, orcid_on, orcid
):
    SocialAccount.objects.create(user=member, provider="orcid", uid=OTHER_ID, extra_data={})
    User.objects.filter(pk=member.pk).update(orcid=OTHER_ID, orcid_verified=True)
    reauthenticate(member_client)

    response = come_back(member_client, start(member_client, process="connect"))

    page = member_client.get(response["Location"])
    assert f"already connected to ORCID iD {OTHER_ID}" in " ".join(messages_of(page))
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (OTHER_ID, True)
    assert SocialAccount.objects.filter(user=member).count() == 1


# --- ORCID failing ------------------------------------------------------------------------


def failed(response) -> str:
    """allauth's error page, in the site's layout, with our message."""
    assert response.status_code == 401
    html = response.content.decode()
    assert "Signing in with ORCID did not work" in html
    assert "Nothing was changed." in html
    assert "account-page--entrance" in html
    return html


@pytest.mark.parametrize(
    "answer",
    [
        requests.ConnectionError("Connection refused"),
        requests.Timeout("Read timed out"),
        (503, "<html><body>Service Unavailable</body></html>", "text/html"),
        (200, "<html><body>Maintenance</body></html>", "text/html"),  # garbage
        (200, '{"access_token": "4bed1e13", "token_type": "bearer"}', "application/json"),
        (400, recorded("orcid-token-error.json"), "application/json"),
    ],
    ids=["down", "timeout", "503", "html", "no-orcid-id", "invalid-grant"],
)
def test_a_token_answer_that_fails_shows_the_error_page_and_saves_nothing(
    client, db, orcid_on, orcid, answer
):
    orcid.answers[TOKEN_URL] = answer

    failed(come_back(client, start(client)))

    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert "socialaccount_sociallogin" not in client.session


@pytest.mark.parametrize(
    "answer",
    [
        requests.ConnectionError("Connection reset"),
        (500, '{"response-code": 500}', "application/json"),
        (200, recorded("orcid-record.json").replace(ORCID_ID, OTHER_ID), "application/json"),
        (200, "[]", "application/json"),
    ],
    ids=["down", "500", "another-id", "not-an-object"],
)
def test_a_record_that_cannot_be_read_leaves_a_connecting_member_unchanged(
    member_client, member, orcid_on, orcid, answer
):
    orcid.answers[RECORD_URL] = answer
    reauthenticate(member_client)

    failed(come_back(member_client, start(member_client, process="connect")))

    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == ("", False)
    assert not SocialAccount.objects.exists()


def test_coming_back_with_a_stale_state_is_refused(client, db, orcid_on, orcid):
    start(client)
    failed(come_back(client, "not-the-state"))
    assert orcid.calls == []


def test_the_failure_is_logged_with_its_reason(client, db, orcid_on, orcid, caplog):
    orcid.answers[TOKEN_URL] = requests.ConnectionError("Connection refused")
    come_back(client, start(client))
    assert "Signing in with orcid failed: Connection refused" in caplog.text


# --- Typed and verified -------------------------------------------------------------------


def save_profile(member, orcid):
    form = ProfileForm(
        data={"display_name": member.display_name, "orcid": orcid, "time_zone": ""},
        instance=member,
    )
    assert form.is_valid(), form.errors
    return services.profile_update(form=form)


def test_typing_another_id_clears_verified_and_typing_the_connected_one_restores_it(db):
    member = verified_member()

    save_profile(member, OTHER_ID)
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (OTHER_ID, False)

    save_profile(member, f"https://orcid.org/{ORCID_ID}")
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (ORCID_ID, True)


def test_saving_the_profile_without_touching_the_id_keeps_it_verified(db):
    member = verified_member()
    save_profile(member, ORCID_ID)
    member.refresh_from_db()
    assert member.orcid_verified


def test_a_typed_id_is_never_verified_without_a_connected_account(db):
    member = UserFactory()
    save_profile(member, ORCID_ID)
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (ORCID_ID, False)


def test_the_profile_form_says_whether_the_id_is_verified(member_client, member, orcid_on):
    member.orcid = OTHER_ID
    member.save()
    html = member_client.get(reverse("accounts:profile-edit")).content.decode()
    assert "Unverified: you typed it." in html
    assert f'href="{reverse("socialaccount_connections")}"' in html

    User.objects.filter(pk=member.pk).update(orcid_verified=True)
    html = member_client.get(reverse("accounts:profile-edit")).content.decode()
    assert "Verified: it came through signing in with ORCID." in html


def test_the_profile_page_shows_verified_and_unverified_ids(client, db):
    verified = verified_member()
    typed = UserFactory(orcid=OTHER_ID)

    html = client.get(verified.get_absolute_url()).content.decode()
    assert "Verified by ORCID sign-in" in html
    assert 'class="orcid-mark"' in html  # ORCID's mark only beside a verified iD
    assert f'href="https://orcid.org/{ORCID_ID}"' in html

    html = client.get(typed.get_absolute_url()).content.decode()
    assert "Unverified" in html
    assert "Verified by ORCID sign-in" not in html
    assert 'class="orcid-mark"' not in html
    assert f'href="https://orcid.org/{OTHER_ID}"' in html


def test_the_api_says_whether_a_members_id_is_verified(client, db):
    verified = verified_member(username="amara")
    UserFactory(username="typed", orcid=OTHER_ID)

    response = read(client, "/api/v1/members/amara/")
    conforms(response, "/api/v1/members/{username}/")
    assert response.json()["orcid_verified"] is True
    assert read(client, "/api/v1/members/typed/").json()["orcid_verified"] is False
    assert verified.orcid_verified


def test_staff_typing_an_id_in_the_admin_cannot_verify_it(staff_client, db):
    member = verified_member()
    response = staff_client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    form = response.context["adminform"].form
    assert "orcid_verified" not in form.fields  # shown, read-only
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"groups", "user_permissions", "password"}
    }
    data.update(
        {
            "orcid": OTHER_ID,
            "date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": member.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = staff_client.post(reverse("admin:accounts_user_change", args=[member.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (OTHER_ID, False)


# --- Connected accounts -------------------------------------------------------------------


def test_account_settings_link_to_connected_accounts_when_configured(member_client, orcid_on):
    html = member_client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("socialaccount_connections")}"' in html
    page = member_client.get(reverse("socialaccount_connections"))
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r"<h1>\s*Connected accounts\s*</h1>", html)
    assert f'<a href="{reverse("socialaccount_connections")}" aria-current="page">' in html
    assert "No ORCID account is connected" in html
    assert '<input type="hidden" name="process" value="connect">' in html
    assert "Connect your ORCID iD" in html


def test_disconnecting_orcid_keeps_the_id_unverified(client, db, orcid_on):
    member = verified_member()
    client.force_login(member)
    account = SocialAccount.objects.get(user=member)
    html = client.get(reverse("socialaccount_connections")).content.decode()
    assert f"ORCID iD {ORCID_ID}" in html
    reauthenticate(client)

    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "no longer shown as verified" in " ".join(messages_of(page))
    assert not SocialAccount.objects.exists()
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (ORCID_ID, False)


def test_a_member_without_a_password_cannot_disconnect_their_only_way_in(client, db, orcid_on):
    member = verified_member()
    member.set_unusable_password()
    member.save()
    client.force_login(member)
    account = SocialAccount.objects.get(user=member)

    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert response.status_code == 200
    assert "Your account has no password set up." in response.content.decode()
    member.refresh_from_db()
    assert member.orcid_verified
    assert SocialAccount.objects.filter(user=member).exists()


# --- A member's data ----------------------------------------------------------------------


def test_the_export_lists_the_id_its_verification_and_the_connection(client, db):
    member = verified_member()
    client.force_login(member)
    data = json.loads(client.get(reverse("accounts:data-export")).content)
    assert data["profile"]["orcid"] == ORCID_ID
    assert data["profile"]["orcid_verified"] is True
    assert data["connected_accounts"] == [{"provider": "orcid", "uid": ORCID_ID}]


def test_deleting_the_account_removes_the_orcid_connection(client, db):
    member = verified_member()
    client.force_login(member)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == ("", False)
    # Another person may then sign up with that iD.
    services.member_orcid_verify(member=UserFactory(), orcid=ORCID_ID)


# --- The services -------------------------------------------------------------------------


def test_verifying_an_id_verified_by_another_member_is_refused(db):
    verified_member()
    member = UserFactory(orcid=OTHER_ID)
    with pytest.raises(ValidationError):
        services.member_orcid_verify(member=member, orcid=ORCID_ID)
    member.refresh_from_db()
    assert (member.orcid, member.orcid_verified) == (OTHER_ID, False)


def test_verifying_again_changes_and_announces_nothing(db):
    member = verified_member()
    heard = []

    def listen(sender, member, **kwargs):
        heard.append(member.pk)

    member_changed.connect(listen)
    try:
        services.member_orcid_verify(member=member, orcid=ORCID_ID)
        services.member_orcid_verify(member=UserFactory(), orcid=OTHER_ID)
    finally:
        member_changed.disconnect(listen)
    assert len(heard) == 1  # only the second, a change


# --- Settings -----------------------------------------------------------------------------


def settings_with(**env: str) -> subprocess.CompletedProcess:
    """``config.settings`` computed in a fresh process with ``env``."""
    script = """
import json
from config import settings as s
print(json.dumps({
    "providers": s.SOCIALACCOUNT_PROVIDERS,
    "form_action": [str(src) for src in s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]],
}))
"""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ORCID_", "JOURNAL_"))
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_configure_the_client_and_the_registry_from_the_environment():
    off = json.loads(settings_with().stdout)
    assert off["providers"]["orcid"]["APPS"] == []
    assert off["providers"]["orcid"]["BASE_DOMAIN"] == "orcid.org"
    assert off["form_action"] == ["'self'"]

    on = json.loads(
        settings_with(
            ORCID_CLIENT_ID="APP-1234",
            ORCID_CLIENT_SECRET="s3cret",
            JOURNAL_CLUB_ORCID_DOMAIN="sandbox.orcid.org",
        ).stdout
    )
    assert on["providers"]["orcid"]["APPS"] == [{"client_id": "APP-1234", "secret": "s3cret"}]
    assert on["providers"]["orcid"]["BASE_DOMAIN"] == "sandbox.orcid.org"
    # The button's POST is redirected to ORCID: browsers hold redirects to form-action.
    assert on["form_action"] == ["'self'", "https://sandbox.orcid.org"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JOURNAL_CLUB_ORCID_DOMAIN": "evil.example"}, "must be orcid.org or sandbox.orcid.org"),
        ({"ORCID_CLIENT_ID": "APP-1234"}, "ORCID_CLIENT_SECRET must be set"),
    ],
)
def test_a_bad_orcid_setting_stops_the_start_with_a_message(env, message):
    result = settings_with(**env)
    assert result.returncode != 0
    assert message in result.stderr
