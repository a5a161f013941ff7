"""allauth's pages render inside our layout, with our accessible form elements."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.forms import SetPasswordForm, default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

from accounts.adapters import AccountAdapter
from tests.factories import UserFactory


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(response):
    """Every start tag of the page as (name, attributes)."""
    parser = _StartTags()
    parser.feed(response.content.decode())
    return parser.tags


def element(response, element_id):
    """The attributes of the one element with this id."""
    found = [attrs for _, attrs in start_tags(response) if attrs.get("id") == element_id]
    assert len(found) == 1, f"expected one element with id={element_id!r}, found {len(found)}"
    return found[0]


def assert_in_site_layout(response):
    """The page uses base.html: language, skip link, header, one <main> and one h1."""
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    assert html.count('<main id="main"') == 1
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    assert html.count("<h1") == 1
    assert "· Journal Club</title>" in html
    # allauth's stock layout prints its own "Menu:" list; ours replaces it.
    assert "Menu:" not in html


@pytest.fixture
def unverified_member(db):
    return UserFactory(verified=False)


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key_done",
        "account_email_verification_sent",
        "account_inactive",
    ],
)
def test_entrance_pages_use_the_site_layout(client, db, url_name):
    response = client.get(reverse(url_name))

    assert_in_site_layout(response)
    assert b"account-page--entrance" in response.content


@pytest.mark.parametrize(
    "url_name",
    ["account_logout", "account_email", "account_change_password"],
)
def test_settings_pages_use_the_site_layout_with_a_sub_navigation(member_client, url_name):
    response = member_client.get(reverse(url_name))

    assert_in_site_layout(response)
    html = response.content.decode()
    assert 'aria-label="Account settings"' in html
    for linked in ("account_email", "account_change_password", "account_logout"):
        assert f'href="{reverse(linked)}"' in html
    assert f'href="{reverse("accounts:profile-edit")}"' in html
    assert f'<a href="{reverse(url_name)}" aria-current="page">' in html
    assert html.count('aria-current="page"') == 1


def test_reauthenticate_page_uses_the_site_layout(member_client):
    response = member_client.get(reverse("account_reauthenticate"))

    assert_in_site_layout(response)
    assert element(response, "id_password")["autocomplete"] == "current-password"


def test_email_page_lists_addresses_as_labelled_radios_with_badges(member_client, member):
    response = member_client.get(reverse("account_email"))

    radio = element(response, "email_radio_0")
    assert radio["type"] == "radio"
    assert radio["value"] == member.email
    assert "checked" in radio
    html = response.content.decode()
    assert '<label for="email_radio_0">' in html
    assert "badge--success" in html  # verified
    assert 'class="button button--secondary"' in html  # re-send verification
    assert element(response, "id_email")["type"] == "email"  # add another address


def test_email_confirmation_page_with_a_real_key(client, unverified_member):
    address = EmailAddress.objects.get(user=unverified_member)
    key = EmailConfirmationHMAC(address).key

    response = client.get(reverse("account_confirm_email", args=[key]))

    assert_in_site_layout(response)
    assert unverified_member.email in response.content.decode()
    assert b'<button type="submit" class="button">' in response.content


def test_email_confirmation_page_with_a_bad_key_explains_itself(client, db):
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))

    assert_in_site_layout(response)
    assert b"expired or is invalid" in response.content


def test_password_reset_from_key_page(client, member):
    url = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(member),
            "key": default_token_generator.make_token(member),
        },
    )

    response = client.get(url, follow=True)

    assert_in_site_layout(response)
    assert element(response, "id_password1")["autocomplete"] == "new-password"


def test_signup_fields_are_labelled_described_and_in_our_order(client, db):
    response = client.get(reverse("account_signup"))

    names = [
        attrs["name"]
        for tag, attrs in start_tags(response)
        if tag == "input" and attrs.get("type") not in ("hidden", None, "search")
    ]
    assert names == ["display_name", "email", "password1", "password2", "agree_to_code"]
    html = response.content.decode()
    for field_id in ("id_display_name", "id_email", "id_password1", "id_password2"):
        assert f'<label for="{field_id}">' in html
    # Help text is tied to its input.
    assert element(response, "id_display_name")["aria-describedby"] == "id_display_name_helptext"
    assert element(response, "id_display_name_helptext")
    assert element(response, "id_password1")["aria-describedby"] == "id_password1_helptext"
    # autocomplete hints survive our templates.
    assert element(response, "id_display_name")["autocomplete"] == "name"
    assert element(response, "id_email")["autocomplete"] == "email"
    assert element(response, "id_password1")["autocomplete"] == "new-password"
    assert b'class="button button--prominent"' in response.content


def test_signup_links_the_code_of_conduct_from_the_checkbox_help_text(client, db):
    response = client.get(reverse("account_signup"))

    checkbox = element(response, "id_agree_to_code")
    assert checkbox["type"] == "checkbox"
    assert checkbox["aria-describedby"] == "id_agree_to_code_helptext"
    html = response.content.decode()
    assert (
        '<label for="id_agree_to_code">I agree to the site&#x27;s code of conduct</label>' in html
    )
    help_text = re.search(
        r'<div class="field__help" id="id_agree_to_code_helptext">(.*?)</div>', html
    )
    assert help_text[1] == (
        f'<a href="{reverse("code-of-conduct")}">Read the code of conduct</a>: '
        "be respectful, stay on topic, no spam."
    )
    assert "Read it at /code-of-conduct/" not in html


def test_login_field_errors_are_next_to_the_field_and_announced(client, db):
    response = client.post(reverse("account_login"), {"login": "", "password": "x"})

    assert_in_site_layout(response)
    login = element(response, "id_login")
    assert login["aria-invalid"] == "true"
    assert "id_login_error" in login["aria-describedby"].split()
    assert element(response, "id_login_error")["class"] == "errorlist"
    assert "aria-invalid" not in element(response, "id_password")


def test_login_with_wrong_credentials_shows_the_error_at_the_top_of_the_form(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "wrong password"}
    )

    assert_in_site_layout(response)
    html = response.content.decode()
    errors_at = html.index('<div class="form-errors" role="alert">')
    assert html.index('<ul class="errorlist nonfield">') > errors_at
    assert errors_at < html.index('id="id_login"')
    assert "not correct" in html
    # The checkbox's label follows its input.
    assert html.index('id="id_remember"') < html.index('<label for="id_remember">')


def test_signup_errors_mark_the_invalid_field(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Priya Venkatesan",
            "email": "priya@example.org",
            "password1": "a long passphrase 1",
            "password2": "a different one 2",
        },
    )

    assert_in_site_layout(response)
    password2 = element(response, "id_password2")
    assert password2["aria-invalid"] == "true"
    assert password2["aria-describedby"] == "id_password2_error"
    assert element(response, "id_password2_error")["class"] == "errorlist"
    assert "aria-invalid" not in element(response, "id_email")


def test_logout_confirmation_signs_the_member_out(member_client):
    response = member_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in member_client.session


def test_csrf_failure_page_uses_the_site_layout_and_explains(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("account_login"), {"login": "someone@example.org", "password": "x"}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "Skip to main content" in html
    assert '<main id="main"' in html
    assert "Your form expired or was sent without its security token" in html
    assert "Nothing was saved." in html


def test_permission_denied_page_shows_the_reason(rf, db):
    request = rf.get("/somewhere/")

    response = permission_denied(request, PermissionDenied("Only the host may close this."))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do that" in html
    assert "Only the host may close this." in html
    assert '<main id="main"' in html


def test_rate_limited_password_resets_get_our_429_page(client, db):
    """allauth allows five reset requests a minute per address, then answers 429."""
    url = reverse("account_reset_password")
    for _ in range(5):
        assert client.post(url, {"email": "someone@example.org"}).status_code == 302

    response = client.post(url, {"email": "someone@example.org"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts, wait a moment and try again." in html
    assert '<main id="main"' in html
    assert "Skip to main content" in html


# --- Sentence case, and a contact address to write to -------------------------------------

# Two capitalised words in a row ("Sign In", "Re-send Verification"), once the proper
# nouns the pages may name are taken out.
TITLE_CASE = re.compile(r"\b[A-Z][\w’'-]*\s+[A-Z][a-z]")
PROPER_NOUNS = ("Journal Club",)


class _Headings(HTMLParser):
    """The text of the page's title, headings, buttons and submit inputs."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("title", "h1", "h2", "h3", "button", "summary"):
            self._open.append(tag)
            self.texts.append("")
        elif tag == "input" and attrs.get("type") == "submit":
            self.texts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self.texts[-1] += data


def title_case_texts(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html)
    texts = [" ".join(text.split()) for text in parser.texts]
    for noun in PROPER_NOUNS:
        texts = [text.replace(noun, "") for text in texts]
    return [text for text in texts if TITLE_CASE.search(text)]


def reset_key_url(member) -> str:
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(member),
            "key": default_token_generator.make_token(member),
        },
    )


@pytest.fixture
def account_pages(db):
    """Every account page a visitor or member can reach: {name: rendered HTML}."""
    member = UserFactory()
    no_password = UserFactory()
    no_password.set_unusable_password()
    no_password.save()
    unverified = UserFactory(verified=False)
    confirm_key = EmailConfirmationHMAC(EmailAddress.objects.get(user=unverified)).key

    def get(url, user=None, **kwargs):
        visitor = Client()
        if user is not None:
            visitor.force_login(user)
        response = visitor.get(url, follow=True, **kwargs)
        assert response.status_code == 200, url
        return response.content.decode()

    pages = {
        name: get(reverse(name))
        for name in (
            "account_login",
            "account_signup",
            "account_reset_password",
            "account_reset_password_done",
            "account_reset_password_from_key_done",
            "account_email_verification_sent",
            "account_inactive",
        )
    }
    pages |= {
        name: get(reverse(name), member)
        for name in (
            "account_logout",
            "account_email",
            "account_change_password",
            "account_reauthenticate",
        )
    }
    pages["account_reset_password_from_key"] = get(reset_key_url(member))
    pages["account_reset_password_from_key (bad key)"] = get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "0", "key": "bad-key"})
    )
    pages["account_confirm_email"] = get(reverse("account_confirm_email", args=[confirm_key]))
    pages["account_confirm_email (bad key)"] = get(
        reverse("account_confirm_email", args=["not-a-key"])
    )

    def render(template_name, user, **context):
        """A page no link leads to, rendered from its template."""
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(template_name, context, request=request)

    # Setting a first password asks to confirm access with a password, which the member
    # does not have: they choose one by email instead (see the account sub-navigation).
    pages["account_set_password"] = render(
        "account/password_set.html", no_password, form=SetPasswordForm(user=no_password)
    )
    # Shown by allauth's verified_email_required decorator, which no view here uses.
    pages["verified_email_required"] = render("account/verified_email_required.html", member)
    return pages


def test_the_title_case_check_finds_title_case():
    assert title_case_texts("<h1>Change Password</h1><button>Re-send Verification</button>") == [
        "Change Password",
        "Re-send Verification",
    ]
    assert title_case_texts("<title>Sign in · Journal Club</title><h2>I agree</h2>") == []


def test_account_pages_use_sentence_case_in_titles_headings_and_buttons(account_pages):
    found = {
        name: texts for name, html in account_pages.items() if (texts := title_case_texts(html))
    }

    assert len(account_pages) == 17
    assert found == {}


def test_signup_closed_page_uses_sentence_case(client, db, monkeypatch):
    monkeypatch.setattr(AccountAdapter, "is_open_for_signup", lambda self, request: False)

    html = client.get(reverse("account_signup")).content.decode()

    assert "Sign-up closed" in html
    assert title_case_texts(html) == []


@pytest.fixture
def contact_address(settings):
    settings.JOURNAL_CLUB_CONTACT_EMAIL = "curators@club.example.org"
    return settings.JOURNAL_CLUB_CONTACT_EMAIL


def test_every_contact_us_links_the_clubs_contact_address(contact_address, account_pages):
    pages = account_pages

    linked = f'<a href="mailto:{contact_address}">contact us</a>'
    for name in (
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
        "verified_email_required",
    ):
        assert linked in pages[name], name
    for name, html in pages.items():
        assert html.count("contact us") == html.count(linked), name
