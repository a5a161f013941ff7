"""The composer's live preview (discussions:comment-preview): the renderer posting uses."""

from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from discussions import services
from discussions.models import Comment
from moderation import services as moderation
from tests.factories import UserFactory
from tests.html_safety import unsafe_parts

PREVIEW = reverse("discussions:comment-preview")


def test_the_preview_is_what_posting_would_store(member_client, member):
    UserFactory(username="priya")
    body = "**Bold**, _italic_, $E = mc^2$, [a link](https://example.org) for @priya"
    response = member_client.post(PREVIEW, {"body": body})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content  # a fragment, for the preview pane
    assert content.strip() == services.render_comment_body(body).strip()
    assert "<strong>Bold</strong>" in content
    assert "<math" in content
    assert 'href="/members/priya/"' in content
    assert not Comment.objects.exists()


def test_hostile_markdown_is_as_harmless_as_when_posted(member_client):
    body = "[x](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>"
    content = member_client.post(PREVIEW, {"body": body}).content.decode()
    assert "<script" not in content
    assert "alert(2)" in content  # shown as text
    assert unsafe_parts(content) == []


def test_an_empty_text_says_there_is_nothing_to_preview(member_client):
    response = member_client.post(PREVIEW, {"body": "  \n "})
    assert response.status_code == 200
    assert "Nothing to preview yet" in response.content.decode()


def test_a_text_over_the_limit_is_refused_as_the_form_would_refuse_it(member_client, settings):
    settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH = 20
    response = member_client.post(PREVIEW, {"body": "**" + "x" * 30 + "**"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "at most 20 characters" in content
    assert "<strong>" not in content
    assert "preview__note--error" in content


def test_a_nul_character_is_refused_as_the_form_would_refuse_it(member_client):
    content = member_client.post(PREVIEW, {"body": "a\x00b"}).content.decode()
    assert "preview__note--error" in content


def test_visitors_are_sent_to_sign_in(client, db):
    response = client.post(PREVIEW, {"body": "*hello*"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_members_who_may_not_post_may_not_preview(client, db):
    client.force_login(UserFactory(verified=False))
    assert client.post(PREVIEW, {"body": "*hello*"}).status_code == 403
    suspended = UserFactory()
    moderation.member_suspend(
        member=suspended, moderator=UserFactory(roles=["Moderators"]), reason="test"
    )
    client.force_login(suspended)
    assert client.post(PREVIEW, {"body": "*hello*"}).status_code == 403


def test_only_post_is_answered(member_client):
    assert member_client.get(PREVIEW).status_code == 405


def test_a_preview_without_the_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(PREVIEW, {"body": "*hello*"}).status_code == 403


def test_previews_are_rate_limited_per_member(member_client, settings):
    settings.JOURNAL_CLUB_RATE_LIMITS = {"preview": (2, 60)}
    for _ in range(2):
        assert member_client.post(PREVIEW, {"body": "*hello*"}).status_code == 200
    refused = member_client.post(PREVIEW, {"body": "*hello*"})
    assert refused.status_code == 429
    assert "too often" in unquote(refused["X-Message"])
    assert int(refused["Retry-After"]) >= 1


def test_the_rate_limit_allows_a_steady_writer(settings):
    """The production limit: a preview every half second, for a minute, is still answered."""
    count, seconds = settings.JOURNAL_CLUB_RATE_LIMITS.get("preview", (120, 60))
    assert count / seconds >= 2


@pytest.fixture
def page(member_client, discussion):
    return member_client.get(discussion.get_absolute_url()).content.decode()


def test_each_answer_form_has_a_composer_that_works_without_javascript(page):
    """The toolbar and the live preview wait, hidden, for static/js/compose.js."""
    assert page.count('class="composer"') == 3
    assert page.count('role="toolbar"') == 3
    toolbar = page[page.index('role="toolbar"') : page.index(">", page.index('role="toolbar"'))]
    assert "hidden" in toolbar
    assert page.count(f'data-url="{PREVIEW}"') == 3
    assert 'aria-controls="id_body_1"' in page
    # The script's own strings come from the JavaScript catalogue, in the page's language.
    assert "/jsi18n/" in page
    assert '<span class="visually-hidden">Bold</span>' in page


def test_a_form_sent_back_is_marked_so_that_no_draft_replaces_it(member_client, discussion):
    answer = reverse("discussions:comment-create", args=[discussion.slug, 1])
    content = member_client.post(answer, {"body": "*kept*", "preview": "1"}).content.decode()
    assert '<div class="composer" data-bound>' in content
    assert "<em>kept</em>" in content


def test_a_text_that_renders_to_nothing_is_nothing_to_preview(member_client):
    response = member_client.post(PREVIEW, {"body": "[ref]: https://example.org"})
    assert response.status_code == 200
    assert "Nothing to preview yet" in response.content.decode()
