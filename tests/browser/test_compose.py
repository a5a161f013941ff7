"""
Writing a comment in a real browser: @mentions suggested and chosen with the keyboard, a
character counter that says how far over the limit a long paste is instead of cutting it,
the formatting toolbar and its shortcuts, the server-rendered live preview, drafts kept in
the browser until the comment is posted, the same form without JavaScript, and an axe-core
audit of an open composer. Each test also listens for Content-Security-Policy violations.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.content import DISCUSSION_SLUG as DEMO_SLUG
from discussions.models import Comment
from tests.browser.test_accessibility import AXE_JS, axe_installed, axe_violations  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISCUSSION = "/discussions/implementation-support-practitioners/"
REPORT_CSP = (
    "document.addEventListener('securitypolicyviolation', e => "
    "console.error('Refused to ' + e.violatedDirective));"
)


@pytest.fixture
def violations():
    """CSP violations reported by the pages of a test: none, checked after each test."""
    found: list[str] = []
    yield found
    assert found == []


def watch(page, violations) -> None:
    page.context.add_init_script(REPORT_CSP)
    page.on("console", lambda m: violations.append(m.text) if "Refused to" in m.text else None)


@pytest.fixture
def writer_page(live_server, page, settings, violations):
    settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH = 200
    call_command("load_demo", verbosity=0)
    member = UserFactory(display_name="Wren Writer")
    watch(page, violations)
    page.goto(f"{live_server.url}/accounts/login/?next={DISCUSSION}")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("correct horse")
    page.locator("main form").get_by_role("button").last.click()
    expect(page).to_have_url(re.compile(re.escape(DISCUSSION)))
    return page


def select(box, start: int, end: int) -> None:
    box.evaluate("(el, [start, end]) => el.setSelectionRange(start, end)", [start, end])


def selected(box) -> str:
    return box.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)")


def draft(page, action: str):
    return page.evaluate("key => localStorage.getItem('journal-club:draft:' + key)", action)


def wait_for_draft(page, action: str, *, saved: bool = True) -> None:
    """Until the draft is saved (or gone). Polled from here: the page's CSP forbids eval."""
    for _ in range(50):
        if (draft(page, action) is not None) is saved:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the draft of {action} was never {'saved' if saved else 'dropped'}")


def test_typing_an_at_sign_offers_members_and_the_keyboard_picks_one(writer_page):
    page = writer_page
    box = page.locator("#id_body_1")
    box.click()
    page.keyboard.type("Good point, @pri")
    options = page.locator("#id_body_1-mentions [role=option]")
    expect(options.first).to_contain_text("Priya")
    expect(box).to_have_attribute("aria-controls", "id_body_1-mentions")
    page.keyboard.press("Enter")
    expect(box).to_have_value(re.compile(r"^Good point, @demo-priya $"))
    expect(page.locator("#id_body_1-mentions")).to_be_hidden()
    page.keyboard.type("thanks")
    page.locator("#answer-1").get_by_role("button", name="Post your answer").click()
    comment = page.locator(".comment--own").last
    expect(comment.get_by_role("link", name="@demo-priya")).to_be_visible()


def test_the_counter_counts_and_a_long_paste_is_kept_whole(writer_page):
    page = writer_page
    box = page.locator("#id_body_2")
    counter = page.locator("#id_body_2-count")
    box.fill("x" * 150)
    expect(counter).to_have_text("You have 50 characters left")
    box.fill("y" * 230)  # a paste over the limit
    expect(box).to_have_value("y" * 230)
    expect(counter).to_have_text("You have 30 characters too many")
    expect(counter).to_have_class(re.compile("char-count--over"))
    page.locator("#answer-2").get_by_role("button", name="Post your answer").click()
    expect(page.locator("#answer-2")).to_contain_text("at most 200 characters")
    expect(page.locator("#id_body_2")).to_have_value("y" * 230)


# --- The toolbar ---------------------------------------------------------------------------


def test_bold_wraps_the_selection_and_keeps_it_selected(writer_page):
    page = writer_page
    box = page.locator("#id_body_1")
    box.fill("make this stand out")
    select(box, 5, 9)
    toolbar = page.locator("#answer-1").get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("make **this** stand out")
    expect(box).to_be_focused()
    assert selected(box) == "this"
    # Again: the marks come off.
    toolbar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("make this stand out")
    # The shortcut does the same; Ctrl+Z takes it back (the edit went through the browser).
    select(box, 5, 9)
    page.keyboard.press("Control+i")
    expect(box).to_have_value("make _this_ stand out")
    page.keyboard.press("Control+z")
    expect(box).to_have_value("make this stand out")


def test_link_list_and_maths_buttons_write_markdown(writer_page):
    page = writer_page
    box = page.locator("#id_body_1")
    toolbar = page.locator("#answer-1").get_by_role("toolbar")
    box.fill("the paper")
    select(box, 0, 9)
    page.keyboard.press("Control+k")
    expect(box).to_have_value("[the paper](https://)")
    assert selected(box) == "https://"  # a pasted address replaces it
    box.fill("one\ntwo")
    select(box, 0, 7)
    toolbar.get_by_role("button", name="Numbered list").click()
    expect(box).to_have_value("1. one\n2. two")
    box.press("End")
    box.press("Enter")
    expect(box).to_have_value("1. one\n2. two\n3. ")
    box.fill("E = mc^2")
    select(box, 0, 8)
    toolbar.get_by_role("button", name="Maths").click()
    expect(box).to_have_value("$E = mc^2$")


def test_the_toolbar_is_one_tab_stop_walked_with_the_arrow_keys(writer_page):
    page = writer_page
    toolbar = page.locator("#answer-1").get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_have_attribute("aria-controls", "id_body_1")
    bold = toolbar.get_by_role("button", name="Bold")
    expect(bold).to_have_attribute("title", "Bold (Ctrl+B)")
    bold.focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Maths")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_body_1")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Maths")).to_be_focused()  # where it was left


# --- The live preview ----------------------------------------------------------------------


def test_the_preview_shows_the_text_rendered_by_the_server_beside_it(writer_page):
    page = writer_page
    box = page.locator("#id_body_1")
    preview = page.locator("#id_body_1-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Nothing to preview yet")
    box.click()
    page.keyboard.type("**Strong** point: $x^2$ and <script>alert(1)</script>")
    expect(preview.locator("strong")).to_have_text("Strong")
    expect(preview.locator("math")).to_have_count(1)
    expect(preview).to_contain_text("<script>alert(1)</script>")  # as text, never run
    text, shown = box.bounding_box(), preview.bounding_box()
    assert shown["x"] >= text["x"] + text["width"] - 1  # beside the text on a wide screen
    assert abs(shown["y"] - text["y"]) < 2
    # On a phone it goes below the text, and nothing is wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    text, shown = box.bounding_box(), preview.bounding_box()
    assert shown["y"] >= text["y"] + text["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# --- Drafts --------------------------------------------------------------------------------


def test_a_draft_survives_a_reload_and_goes_once_the_answer_is_posted(writer_page):
    page = writer_page
    action = f"{DISCUSSION}questions/2/comments/"
    page.locator("#id_body_2").fill("Half a thought about brokering")
    page.reload()  # at once: leaving the page saves what the timer had not yet saved
    box = page.locator("#id_body_2")
    expect(box).to_have_value("Half a thought about brokering")
    note = page.locator("#id_body_2-draft")
    expect(note).to_contain_text("Draft restored")
    expect(page.locator("#id_body_1")).to_have_value("")  # each form has its own draft
    box.press("End")
    page.keyboard.type(", finished.")
    page.locator("#answer-2").get_by_role("button", name="Post your answer").click()
    expect(page.locator(".comment--own").last).to_contain_text("brokering, finished.")
    assert draft(page, action) is None
    page.reload()
    expect(page.locator("#id_body_2")).to_have_value("")
    expect(page.locator("#id_body_2-draft")).to_be_hidden()


def test_discarding_a_draft_empties_the_form_and_forgets_it(writer_page):
    page = writer_page
    action = f"{DISCUSSION}questions/1/comments/"
    page.locator("#id_body_1").fill("Not worth keeping")
    wait_for_draft(page, action)
    page.reload()
    page.locator("#id_body_1-draft").get_by_role("button", name="Discard").click()
    expect(page.locator("#id_body_1")).to_have_value("")
    expect(page.locator("#id_body_1-draft")).to_be_hidden()
    wait_for_draft(page, action, saved=False)


def test_a_refused_answer_keeps_the_servers_text_over_an_older_draft(writer_page):
    page = writer_page
    box = page.locator("#id_body_3")
    box.fill("y" * 230)  # over the limit of 200
    page.locator("#answer-3").get_by_role("button", name="Post your answer").click()
    expect(page.locator("#answer-3")).to_contain_text("at most 200 characters")
    expect(page.locator("#id_body_3")).to_have_value("y" * 230)
    assert '"body":"' + "y" * 230 in draft(page, f"{DISCUSSION}questions/3/comments/")


def test_a_reply_posted_from_its_own_page_clears_its_draft(writer_page, live_server):
    page = writer_page
    parent = Comment.objects.filter(
        parent=None, deleted_at=None, question__discussion__slug=DEMO_SLUG
    ).first()
    action = f"/comments/{parent.pk}/reply/"
    page.goto(live_server.url + action)  # the page without htmx: a plain form post
    page.locator("main textarea").fill("A reply, posted the old way")
    wait_for_draft(page, action)
    page.reload()
    expect(page.locator("main textarea")).to_have_value("A reply, posted the old way")
    page.locator("main form").get_by_role("button", name="Post your reply").click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    expect(page.locator(".comment--own").last).to_contain_text("posted the old way")
    assert draft(page, action) is None


# --- Without JavaScript, and for everyone ----------------------------------------------------


def test_without_javascript_the_plain_form_previews_and_posts(writer_page, violations):
    context = writer_page.context.browser.new_context(
        java_script_enabled=False, storage_state=writer_page.context.storage_state()
    )
    page = context.new_page()
    watch(page, violations)
    page.goto(writer_page.url.split("#")[0])
    form = page.locator("#answer-1")
    expect(form.get_by_role("toolbar")).to_be_hidden()
    expect(page.locator("#id_body_1-preview")).to_be_hidden()
    page.locator("#id_body_1").fill("Plain *and* simple")
    form.get_by_role("button", name="Preview").click()
    expect(page.locator("#id_body_1-preview em")).to_have_text("and")
    expect(page.locator("#id_body_1")).to_have_value("Plain *and* simple")
    page.locator("#answer-1").get_by_role("button", name="Post your answer").click()
    expect(page.locator(".comment--own").last).to_contain_text("Plain and simple")
    context.close()


@pytest.mark.parametrize(
    ("viewport", "scheme"), [((1280, 800), "light"), ((390, 844), "dark")], ids=["desk", "phone"]
)
def test_an_open_composer_passes_axe(writer_page, axe_installed, viewport, scheme):  # noqa: F811
    width, height = viewport
    context = writer_page.context.browser.new_context(
        storage_state=writer_page.context.storage_state(),
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        bypass_csp=True,  # for axe-core's own script
    )
    context.add_init_script(path=AXE_JS)
    page = context.new_page()
    page.goto(writer_page.url.split("#")[0])
    page.locator("article.comment footer a", has_text=re.compile("^Reply$")).first.click()
    box = page.locator(".reply-slot textarea").first
    box.fill("**Evidence**, [a link](https://example.org), $x^2$:\n\n> quoted\n\n- one\n- two")
    page.locator(".reply-slot .preview strong").first.wait_for()
    page.locator("#id_body_1").fill("Another draft")
    page.locator("#id_body_1-preview p").first.wait_for()
    page.reload()  # the drafts come back, with their notes
    page.locator("#id_body_1-draft").wait_for()
    problems = axe_violations(page)
    assert problems == [], problems
    context.close()
