"""The whole site, admin included, works under its Content-Security-Policy, in Chromium."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from demo.content import DISCUSSION_SLUG as DEMO_SLUG
from discussions.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def staff_page(live_server, page):
    call_command("load_demo", verbosity=0)
    staff = User.objects.create_superuser(
        username="curator", email="curator@example.org", password=PASSWORD, display_name="Curator"
    )
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")
    return page, live_server.url, violations


def test_pages_and_the_admin_work_under_the_policy(staff_page):
    page, base, violations = staff_page
    comment = Comment.objects.filter(parent=None, question__discussion__slug=DEMO_SLUG).first()
    paths = [
        "/",
        "/discussions/implementation-support-practitioners/",
        "/papers/albers-2020-implementation-support-practitioners/",
        "/moderation/",
        "/moderation/log/",
        "/accounts/email/",
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/discussions/discussion/",
        f"/admin/discussions/discussion/{comment.question.discussion_id}/change/",
        "/admin/discussions/comment/",
    ]
    for path in paths:
        response = page.goto(base + path)
        assert response.status < 400, path
    # htmx at work under the policy: open an inline reply form, then preview.
    page.goto(base + "/discussions/implementation-support-practitioners/")
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Reply").click()
    page.locator(f"#reply-slot-{comment.pk} textarea").fill("Checking *the* policy")
    page.locator(f"#reply-slot-{comment.pk}").get_by_role("button", name="Preview").click()
    page.locator(f"#reply-slot-{comment.pk} .preview em").wait_for()
    # The admin's own scripts: the autocomplete widget on the discussion form.
    page.goto(base + "/admin/discussions/discussion/add/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-results__option").first.wait_for()
    assert violations == []


def test_rejected_posts_break_no_rule_of_the_policy(staff_page, settings):
    """
    An empty answer, one over the limit and one over the rate limit, in place (htmx) and
    as a plain form, and an empty reply: the messages and forms that come back use no
    inline script or style.
    """
    page, base, violations = staff_page
    settings.JOURNAL_CLUB_RATE_LIMITS = {"post": (1, 60)}
    settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH = 50
    discussion = base + "/discussions/implementation-support-practitioners/"
    comment = Comment.objects.filter(parent=None, question__discussion__slug=DEMO_SLUG).first()
    report = (
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Refused to ' + e.violatedDirective));"
    )
    for javascript in (True, False):
        context = page.context.browser.new_context(
            java_script_enabled=javascript, storage_state=page.context.storage_state()
        )
        context.add_init_script(report)
        tab = context.new_page()
        tab.on(
            "console",
            lambda message: (
                violations.append(message.text) if "Refused to" in message.text else None
            ),
        )
        tab.goto(discussion)
        for number, body in ((1, ""), (2, "x" * 60), (3, "saved"), (1, "rate limited")):
            tab.locator(f"#id_body_{number}").fill(body)
            tab.locator(f"#answer-{number}").get_by_role("button", name="Post your answer").click()
            tab.wait_for_load_state("networkidle")
            if not javascript:
                tab.goto(discussion)
        tab.goto(base + f"/comments/{comment.pk}/reply/")
        tab.locator("main form").get_by_role("button", name="Post your reply").click()
        tab.wait_for_load_state("networkidle")
        context.close()
        settings.JOURNAL_CLUB_RATE_LIMITS = {}
    assert violations == []


def test_a_swap_over_fields_others_styled_breaks_no_rule(staff_page):
    """
    Autofill and browser extensions give inputs an (empty) style attribute; a form that
    htmx swaps back in keeps its field ids, and htmx must not carry that attribute over
    (setting it would be an inline style).
    """
    page, base, violations = staff_page
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Refused to ' + e.violatedDirective));"
    )
    page.goto(base + "/discussions/implementation-support-practitioners/")
    page.evaluate(
        "document.querySelectorAll('input, textarea').forEach(field => {"
        " field.style.color = 'red'; field.style.color = ''; })"
    )
    assert page.locator("#id_body_1[style]").count() == 1
    page.locator("#id_body_1").fill("An answer, posted in place")
    page.locator("#answer-1").get_by_role("button", name="Post your answer").click()
    expect(page.locator("#question-1")).to_contain_text("An answer, posted in place")
    assert page.locator("#id_body_1").input_value() == ""  # a fresh form, swapped in
    assert violations == []
