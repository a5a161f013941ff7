"""Which language a page is served in, the switcher, and each page's address per language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.languages import language_url, offered
from tests.factories import DiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_english_pages_are_unprefixed_and_french_ones_under_fr():
    discussion = DiscussionFactory()
    english = discussion.get_absolute_url()
    with translation.override("fr"):
        french = discussion.get_absolute_url()
    assert french == f"/fr{english}"
    assert language_url(english, "fr") == french
    assert language_url(french, "en") == english


def test_a_french_page_is_in_french(client):
    response = client.get("/fr/")
    assert response.status_code == 200
    assert b'<html lang="fr">' in response.content
    assert "Rechercher" in response.content.decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.5", "/fr/"),
        ("fr", "/fr/"),
        ("de-DE,de;q=0.9", None),  # not offered: English, without a word
        ("en-GB,en;q=0.9,fr;q=0.5", None),
        ("", None),
        ("xx-invalid;;q=abc", None),
    ],
)
def test_the_browsers_language_chooses_for_a_visitor(client, header, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    if expected is None:
        assert response.status_code == 200
        assert b'<html lang="en">' in response.content
    else:
        assert response.status_code == 302
        assert response.url == expected


def test_the_redirect_keeps_the_query_string(client):
    response = client.get("/search/?q=connaissance", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response.url == "/fr/search/?q=connaissance"


def test_english_pages_say_they_vary_by_language_and_cookie(client):
    response = client.get("/")
    vary = response["Vary"]
    assert "Accept-Language" in vary
    assert "Cookie" in vary


def test_the_cookie_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").url == "/fr/"


def test_a_cookie_naming_a_language_not_offered_falls_back_to_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "klingon"
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="en">' in response.content


def test_a_members_own_setting_wins_over_cookie_and_browser(client):
    member = UserFactory(language="fr")
    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/archive/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.url == "/fr/archive/"


def test_a_member_without_a_setting_follows_the_browser(client):
    client.force_login(UserFactory(language=""))
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").url == "/fr/"


def test_htmx_requests_and_posts_are_served_as_addressed(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr", HTTP_HX_REQUEST="true").status_code == 200
    response = client.post("/search/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code != 302 or not response.url.startswith("/fr/")


def test_addresses_outside_the_pages_are_not_redirected(client):
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200


def test_a_prefix_of_a_language_not_offered_leads_to_the_english_page(client):
    response = client.get("/de/archive/?page=1")
    assert response.status_code == 302
    assert response.url == "/archive/?page=1"
    assert client.get("/zz/archive/").status_code == 404  # no such language: no such page
    assert client.get("/de/no-such-page/").status_code == 404


def test_the_switcher_remembers_the_choice_and_shows_the_same_page(client):
    discussion = DiscussionFactory()
    url = reverse("language", kwargs={"code": "fr"}) + f"?next={discussion.get_absolute_url()}"
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/fr{discussion.get_absolute_url()}"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # Back to English: the cookie now says English, so the English page stays English.
    response = client.get(reverse("language", kwargs={"code": "en"}) + "?next=/fr/archive/")
    assert response.url == "/archive/"
    assert client.get("/archive/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200


def test_the_switcher_keeps_a_members_choice(client):
    member = UserFactory(language="")
    client.force_login(member)
    client.get(reverse("language", kwargs={"code": "fr"}) + "?next=/")
    member.refresh_from_db()
    assert member.language == "fr"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_the_switcher_never_leaves_the_site(client, target):
    response = client.get(reverse("language", kwargs={"code": "fr"}), {"next": target})
    assert response.url == "/fr/"


def test_the_switcher_ignores_a_language_not_offered(client):
    response = client.get(reverse("language", kwargs={"code": "de"}) + "?next=/archive/")
    assert response.url == "/archive/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_every_page_names_its_alternates_and_links_the_other_language(client):
    discussion = DiscussionFactory()
    path = discussion.get_absolute_url()
    html = client.get(path).content.decode()
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{path}">' in html
    assert f'<link rel="alternate" hreflang="fr" href="http://testserver/fr{path}">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{path}">' in html
    assert f'href="/language/fr/?next={path.replace("/", "%2F")}"' in html
    french = client.get(f"/fr{path}").content.decode()
    assert f'href="/language/en/?next=%2Ffr{path.replace("/", "%2F")}"' in french


def test_offered_reads_regional_variants():
    assert offered("fr-CA") == "fr"
    assert offered("en-GB") == "en"
    assert offered("de") is None
    assert offered("") is None


def test_the_javascript_catalogue_follows_the_page(client):
    assert client.get("/jsi18n/").status_code == 200
    assert client.get("/fr/jsi18n/").status_code == 200
