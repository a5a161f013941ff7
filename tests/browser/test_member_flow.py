"""
A newcomer's first visit, in a real browser: read, sign up, confirm, answer, reply, edit,
react, collapse, catch up on what is new. Then the same core flow with JavaScript off.

These drive Debian's Chromium through Playwright against a live server; see conftest.py
for the browser set-up and for how they are skipped where Chromium is missing.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from demo.content import DISCUSSION_SLUG as DEMO_SLUG
from discussions import services
from discussions.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISCUSSION = "/discussions/implementation-support-practitioners/"
PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def demo(live_server, settings):
    call_command("load_demo", verbosity=0)
    settings.JOURNAL_CLUB_BASE_URL = live_server.url  # the links in emails lead here
    return live_server.url


def confirmation_link(mailoutbox) -> str:
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)


def sign_up(page, demo, mailoutbox, name="Nadia Newcomer", email="nadia@example.org"):
    page.goto(demo + DISCUSSION)
    expect(page.locator("#question-2")).to_contain_text("Sign in to join the discussion")
    page.locator("#question-2").get_by_role("link", name="Create an account").click()
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_label("I agree to the site's code of conduct").check()
    page.locator("main form").get_by_role("button").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Verify", re.I))
    page.goto(confirmation_link(mailoutbox))
    page.locator("main form").get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.goto(demo + DISCUSSION)
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(name)


def test_newcomer_signs_up_and_discusses_in_place(page, demo, mailoutbox):
    page.goto(demo)
    page.get_by_role("link", name=re.compile("Implementation support practitioners")).click()
    expect(page).to_have_url(demo + DISCUSSION)
    sign_up(page, demo, mailoutbox)
    nadia = User.objects.get(email="nadia@example.org")

    # Answer question 2, previewing first (maths is rendered server-side to MathML).
    form = page.locator("#answer-2")
    form.get_by_label("Your answer").fill("More research is **not** what we lack: $n > 98$.")
    form.get_by_role("button", name="Preview").click()
    expect(page.locator("#answer-2 .preview strong")).to_have_text("not")
    expect(page.locator("#answer-2 .preview math")).to_have_count(1)
    assert not Comment.objects.filter(author=nadia).exists()
    page.locator("#answer-2").get_by_role("button", name="Post your answer").click()
    answer_box = page.locator("#thread-2 article.comment--own")
    expect(answer_box).to_contain_text("More research is not what we lack")
    expect(page.locator("#answer-2 textarea")).to_have_value("")
    answer = Comment.objects.get(author=nadia)

    # Reply to another member, in place: the form opens under the comment.
    other = Comment.objects.filter(
        question__number=1, parent=None, question__discussion__slug=DEMO_SLUG
    ).first()
    page.locator(f"#comment-{other.pk}").get_by_role("link", name="Reply").click()
    slot = page.locator(f"#reply-slot-{other.pk}")
    expect(slot.get_by_label("Your reply")).to_be_focused()
    slot.get_by_label("Your reply").fill("A job title is a promise to employers.")
    slot.get_by_role("button", name="Post your reply").click()
    reply_box = page.locator(f"#replies-{other.pk} article.comment--own")
    expect(reply_box).to_contain_text("A job title is a promise to employers.")
    reply = Comment.objects.get(parent=other, author=nadia)
    expect(page.locator(f"#comment-{reply.pk}")).to_be_in_viewport()

    # Edit it after the grace period: a revision is kept and "edited" links to it.
    Comment.objects.filter(pk=reply.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page.locator(f"#comment-{reply.pk}").get_by_role("link", name="Edit").click()
    editor = page.locator(f"#comment-{reply.pk} textarea")
    expect(editor).to_have_value("A job title is a promise to employers.")
    editor.fill("A job title is a *promise* to employers.")
    page.locator(f"#comment-{reply.pk}").get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#comment-{reply.pk} em")).to_have_text("promise")
    page.locator(f"#comment-{reply.pk}").get_by_role("link", name=re.compile("edited")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit history")
    expect(page.locator("main")).to_contain_text("A job title is a promise to employers.")
    page.go_back()

    # Mark someone else's comment helpful, and take it back.
    helpful = page.locator(f"#comment-{other.pk}").get_by_role("button", name="Helpful")
    helpful.click()
    expect(
        page.locator(f"#comment-{other.pk}").get_by_role("button", name="Helpful")
    ).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#comment-{other.pk}")).to_contain_text("1 found this helpful")

    # Collapse a subtree with the keyboard; aria-expanded follows.
    toggle = page.locator(f"#item-{other.pk} > .thread-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#replies-{other.pk}")).to_be_hidden()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#replies-{other.pk}")).to_be_visible()

    # Someone else answers; the next visit marks it new and offers to jump to it.
    priya = User.objects.get(username="demo-priya")
    fresh = services.comment_post(question=answer.question, author=priya, body="Welcome, Nadia!")
    page.reload()
    page.get_by_role("link", name="Jump to the first new comment").click()
    expect(page).to_have_url(re.compile(f"#comment-{fresh.pk}$"))
    expect(page.locator(f"#item-{fresh.pk}")).to_have_class(re.compile("thread__item--new"))

    # Everything is still there after a reload.
    page.reload()
    expect(page.locator(f"#comment-{answer.pk}")).to_contain_text(
        "More research is not what we lack"
    )
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("A job title is a promise")
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("edited")


def test_the_same_flow_works_without_javascript(browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    member = User.objects.create_user(
        username="nojs", email="nojs@example.org", password=PASSWORD, display_name="No Script"
    )
    member.emailaddress_set.create(email=member.email, verified=True, primary=True)
    member.groups.add(Group.objects.get(name="Members"))  # as confirming the address does
    page.goto(f"{demo}/accounts/login/?next={DISCUSSION}")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(demo + DISCUSSION)
    # Nothing that needs a script to work is shown: no "Hide replies", no counter.
    assert page.locator(".thread-toggle").count() > 0
    for selector in (".thread-toggle", ".char-count", ".mention-options"):
        expect(page.locator(selector).first).to_be_hidden()

    page.locator("#answer-1").get_by_label("Your answer").fill("Plain *HTML* still works.")
    page.locator("#answer-1").get_by_role("button", name="Preview").click()
    expect(page.locator("#answer-1 .preview em")).to_have_text("HTML")
    page.locator("#answer-1").get_by_role("button", name="Post your answer").click()
    answer = Comment.objects.get(author=member)
    expect(page).to_have_url(re.compile(f"#comment-{answer.pk}$"))

    page.locator(f"#comment-{answer.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reply to No Script")
    page.get_by_label("Your reply").fill("Replying to myself, without scripts.")
    page.get_by_role("button", name="Post your reply").click()
    reply = Comment.objects.get(parent=answer)
    expect(page).to_have_url(re.compile(f"#comment-{reply.pk}$"))

    page.locator(f"#comment-{reply.pk}").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("deleted by its author")
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        DISCUSSION,
        "/papers/albers-2020-implementation-support-practitioners/",
        "/accounts/signup/",
        "/accounts/login/",
    ],
)
def test_pages_fit_a_phone_screen(page, demo, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} overflows horizontally by {overflow}px at 390px"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )
    assert wide == []
