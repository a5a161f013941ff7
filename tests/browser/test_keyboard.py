"""
The whole posting flow with the keyboard alone: sign in, find a comment, open the reply
form, write, send, and land on the new reply. After the first page load the test only
presses keys, and the page itself records any mouse button press, to prove there was none.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.content import DISCUSSION_SLUG as DEMO_SLUG
from discussions.models import Comment
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DISCUSSION = "/discussions/implementation-support-practitioners/"
# Counts real pointer presses across page loads (keyboard activation fires no mousedown).
COUNT_MOUSE = """
document.addEventListener('mousedown', () => {
  sessionStorage.mouse = String(Number(sessionStorage.mouse || 0) + 1);
}, true);
"""


def tab_to(page, predicate: str, *, limit: int = 400) -> int:
    """Press Tab until ``predicate`` (JS, given the focused element) holds; how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({predicate}))(document.activeElement)"):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached: {predicate}")


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_a_member_signs_in_and_replies_with_the_keyboard_only(browser, live_server):
    call_command("load_demo", verbosity=0)
    member = UserFactory(display_name="Kim Keyboard")  # password: "correct horse"
    parent = (
        Comment.objects.filter(
            question__number=1,
            parent=None,
            deleted_at=None,
            question__discussion__slug=DEMO_SLUG,
        )
        .order_by("created_at", "id")
        .first()
    )
    context = browser.new_context()
    context.add_init_script(COUNT_MOUSE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={DISCUSSION}")
    keyboard = page.keyboard

    # The first Tab reaches the skip link; following it puts focus on the main content.
    keyboard.press("Tab")
    assert focused_text(page) == "Skip to main content"
    keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Sign in.
    tab_to(page, "el.name === 'login'")
    keyboard.type(member.email)
    tab_to(page, "el.name === 'password'")
    keyboard.type("correct horse")
    keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{DISCUSSION}")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Kim Keyboard")

    # Reach the comment's Reply link and open the form in place: the text box takes focus.
    tab_to(page, f"el.closest('#comment-{parent.pk}') && el.textContent.trim() === 'Reply'")
    keyboard.press("Enter")
    reply_box = page.locator(f"#reply-slot-{parent.pk} textarea")
    expect(reply_box).to_be_focused()
    keyboard.type("Typed without a mouse: *every* control is reachable.")

    # Send it with the form's own button.
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Post your reply'")
    keyboard.press("Enter")

    reply = page.locator(f"#replies-{parent.pk} article.comment--own")
    expect(reply).to_contain_text("Typed without a mouse: every control is reachable.")
    saved = Comment.objects.get(author=member)
    assert saved.parent_id == parent.pk
    # Focus follows the new reply, so the keyboard user carries on from there.
    expect(page.locator(f"#comment-{saved.pk}")).to_be_focused()
    assert page.evaluate("sessionStorage.mouse || '0'") == "0"
    context.close()
