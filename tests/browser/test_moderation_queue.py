"""
The review queue in Chromium: axe-core finds nothing at phone and desktop widths in light
and dark, nothing overflows sideways, the keyboard shortcuts clear items under the strict
Content-Security-Policy, and the bulk actions work without JavaScript.

The signed-in context and axe-core come from test_accessibility.py.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from discussions.models import Comment
from moderation.models import Flag
from tests.browser.test_accessibility import (  # noqa: F401 - axe_installed is a fixture
    VIEWPORTS,
    axe_installed,
    axe_violations,
    signed_in_context,
)
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records what the Content-Security-Policy refused, where the test can read it.
RECORD_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def queue(live_server, settings):
    """A moderator, and a queue with an item in every state, flags, a reply, a standing."""
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    priya = UserFactory(display_name="Priya Venkatesan")
    lena = UserFactory(display_name="Lena Brandt")
    parent = CommentFactory(question=question, author=lena, body="Evidence is rarely the gap.")
    now = timezone.now()
    items = [
        CommentFactory(
            question=question,
            author=UserFactory(display_name="Noor Haddad"),
            body="My **first** thoughts, as a knowledge broker.",
            status=Comment.Status.PENDING,
            created_at=now - datetime.timedelta(days=2),
        ),
        CommentFactory(
            parent=parent,
            author=priya,
            body="Nonsense, as usual from you.",
            status=Comment.Status.PENDING,
            created_at=now - datetime.timedelta(hours=5),
        ),
        CommentFactory(
            question=question,
            author=UserFactory(display_name="Tomás Ferreira"),
            body="Buy the course at example.com.",
            created_at=now - datetime.timedelta(hours=1),
        ),
    ]
    for comment, reason, note in [
        (items[1], Flag.Reason.DISRESPECTFUL, "A personal remark"),
        (items[2], Flag.Reason.SPAM, ""),
        (items[2], Flag.Reason.OTHER, "An advert for a course"),
    ]:
        Flag.objects.create(comment=comment, flagger=UserFactory(), reason=reason, note=note)
    moderator = UserFactory(display_name="Maya Moderator", roles=["Moderators"])
    return {"base": live_server.url, "moderator": moderator, "items": items}


def signed_in(browser, queue, **options):
    """A browser context signed in as the moderator."""
    return signed_in_context(browser, queue["base"], queue["moderator"], **options)


@pytest.mark.usefixtures("axe_installed")
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_queue_passes_axe_and_fits_the_screen(browser, queue, viewport, scheme):
    context = signed_in(
        browser, queue, axe=True, viewport=VIEWPORTS[viewport], color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    page.goto(queue["base"] + reverse("moderation:queue"))
    width = VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    # With a comment selected (the bulk bar sticks to the bottom), and the list of shortcuts.
    page.locator("[data-select]").first.check()
    expect(page.locator("[data-selected-count]")).to_have_text("1 selected")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    page.keyboard.press("?")
    expect(page.locator("#modq-keys")).to_be_visible()
    assert axe_violations(page) == []
    # The filtered and the hidden views, too.
    page.goto(queue["base"] + reverse("moderation:queue") + "?state=hidden&reason=spam")
    assert axe_violations(page) == []
    context.close()


def test_a_moderator_clears_the_queue_with_the_keyboard(browser, queue):
    noor_post, priya_reply, advert = queue["items"]
    context = signed_in(browser, queue, viewport=VIEWPORTS["desktop"])
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    page.goto(queue["base"] + reverse("moderation:queue"))
    keys = page.keyboard

    # j moves to the first item (the oldest), x selects it; k does not go before the first.
    keys.press("j")
    expect(page.locator(f"#item-{noor_post.pk}")).to_be_focused()
    keys.press("k")
    expect(page.locator(f"#item-{noor_post.pk}")).to_be_focused()
    keys.press("x")
    expect(
        page.get_by_label(f"Select the comment by Noor Haddad, {date(noor_post)}")
    ).to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("1 selected")
    keys.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("None selected")

    # a approves: the page comes back at the next item, which is current.
    keys.press("a")
    page.wait_for_url(f"**#item-{priya_reply.pk}")
    expect(page.locator(f"#item-{priya_reply.pk}")).to_be_focused()
    noor_post.refresh_from_db()
    assert noor_post.status == Comment.Status.PUBLISHED

    # h goes to the reason; letters typed there are text, not shortcuts; Enter hides.
    keys.press("h")
    reason = page.locator(f"#hide-{priya_reply.pk}")
    expect(reason).to_be_focused()
    keys.type("Personal attacks: see the code of conduct (j, k, a and x are just letters)")
    expect(page.locator(f"#item-{priya_reply.pk}")).to_have_count(1)
    keys.press("Enter")
    page.wait_for_url(f"**#item-{advert.pk}")
    priya_reply.refresh_from_db()
    assert priya_reply.status == Comment.Status.HIDDEN
    assert priya_reply.moderation_note.startswith("Personal attacks")

    # Escape leaves the reason field for the item; ? lists the shortcuts, Escape closes.
    keys.press("h")
    expect(page.locator(f"#hide-{advert.pk}")).to_be_focused()
    keys.press("Escape")
    expect(page.locator(f"#item-{advert.pk}")).to_be_focused()
    keys.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    keys.press("a")  # not while the list is open
    keys.press("Escape")
    expect(dialog).to_be_hidden()
    advert.refresh_from_db()
    assert advert.status == Comment.Status.PUBLISHED
    assert advert.flags.filter(resolved_at=None).count() == 2

    # A keeps the flagged comment and dismisses its flags.
    keys.press("a")
    expect(page.get_by_text("Nothing waits for review. Thank you!")).to_be_visible()
    assert not advert.flags.filter(resolved_at=None).exists()
    assert page.evaluate("window.__csp") == []
    context.close()


def test_bulk_actions_work_without_javascript(browser, queue):
    _noor_post, priya_reply, advert = queue["items"]
    context = signed_in(browser, queue, viewport=VIEWPORTS["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(queue["base"] + reverse("moderation:queue") + "?order=newest")
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_hidden()
    page.get_by_label(f"Select the comment by Tomás Ferreira, {date(advert)}").check()
    page.get_by_label(f"Select the comment by Priya Venkatesan, {date(priya_reply)}").check()
    page.locator("#modq-bulk-action").select_option("hide")
    page.locator("#modq-bulk-reason").fill("Not for this club")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("2 comments updated.")).to_be_visible()
    assert page.url.endswith("?order=newest")  # back to the same view of the queue
    assert set(
        Comment.objects.filter(status=Comment.Status.HIDDEN).values_list("pk", flat=True)
    ) == {advert.pk, priya_reply.pk}
    # The filters are a plain form.
    page.get_by_label("Flag reason").select_option("spam")
    page.get_by_role("button", name="Apply filters").click()
    assert "reason=spam" in page.url
    assert "order=newest" in page.url
    context.close()


def date(comment) -> str:
    return timezone.localtime(comment.created_at).strftime("%-d %b")
