"""
Hard content lays out: the longest names the site accepts, names in Arabic and Chinese
script and of emoji alone, an unbroken 200-character word, a paper with 60 authors and a
question 1,000 characters long, at a phone's width and a desktop's, in Chromium. Nothing
may make a page wider than the window (no sideways scrolling), and nothing may spill out
of the box it belongs to.

Then what the discussion page offers a reader to find their way: the abstract, record and
citation folded away and remembered as left, the questions beside the conversation on a
desktop (the one on screen marked) and in a menu on a phone, and long conversations
folded to "N more replies".
"""

import pytest
from playwright.sync_api import expect

from discussions.models import Comment
from tests.factories import (
    AuthorFactory,
    CommentFactory,
    DiscussionFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
WORD = "Pneumonoultramicroscopic" * 8 + "silicovolcanoconiosis"  # 213 characters, no break
QUESTION = ("What would it take " + "to close the gap between research and practice, " * 25)[:1000]

# What sticks out of its own box: an element wider than the page's main column, or one
# whose right edge passes the window's.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("main *, header *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) out.push(el.tagName + "." + el.className);
  }
  return out.slice(0, 5);
}"""


@pytest.fixture
def hard(db):
    """A discussion where everything is as long or as unusual as the site allows."""
    discussion = DiscussionFactory(questions=0, article__title="A title " + WORD)
    for position in range(1, 61):
        AuthorFactory(
            article=discussion.article,
            position=position,
            given_name="Maximiliana-Josephina",
            family_name=f"Vandenberghe-Oppenheimer {position}",
            affiliations="Department of Implementation Science and Knowledge Mobilisation",
        )
    question = QuestionFactory(discussion=discussion, number=1, text=QUESTION)
    names = [
        "W" * 80,  # the longest display name allowed, without a space to break at
        "Bartholomew " * 6 + "Longname",  # 80 characters of words
        "محمد عبد الرحمن",
        "李小龍",
        "🦉🌿📚",
    ]
    members = [
        UserFactory(display_name=name[:80], affiliation="Affiliation " + WORD[:150])
        for name in names
    ]
    answer = CommentFactory(question=question, author=members[0], body=WORD)
    parent = answer
    for member in members[1:]:
        parent = CommentFactory(parent=parent, author=member, body=f"A reply with {WORD}.")
    return discussion, members


@pytest.mark.parametrize("width", WIDTHS)
def test_hard_content_never_overflows(live_server, browser, hard, width):
    """(Light and dark share every size; test_accessibility.py audits both schemes.)"""
    discussion, members = hard
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    pages = [
        discussion.get_absolute_url(),
        discussion.get_absolute_url() + "questions/1/",
        f"/members/{members[0].username}/",
        f"/members/{members[2].username}/",
        "/",
        discussion.article.get_absolute_url(),
    ]
    for path in pages:
        page.goto(live_server.url + path)
        for panel in page.locator("details.panel").all():
            panel.locator("summary").click()  # the folded record holds the 60 authors
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (path, scroll_width)
        assert page.evaluate(OVERFLOWING) == [], path
    context.close()


def test_avatars_show_initials_of_every_script(live_server, page, hard):
    discussion, _members = hard
    page.goto(live_server.url + discussion.get_absolute_url())
    avatars = page.locator("article.comment .avatar").all_inner_texts()
    assert avatars == ["W", "BL", "ما", "李", "🦉"]


def test_panels_are_folded_and_remembered(live_server, page, discussion):
    page.goto(live_server.url + discussion.get_absolute_url())
    abstract = page.locator("#panel-abstract")
    expect(abstract).not_to_have_attribute("open", "")
    abstract.locator("summary").click()
    expect(abstract).to_have_attribute("open", "")
    page.wait_for_function("localStorage.getItem('journal-club:panel:abstract') === 'open'")
    page.reload()
    expect(page.locator("#panel-abstract")).to_have_attribute("open", "")
    expect(page.locator("#panel-record")).not_to_have_attribute("open", "")
    page.locator("#panel-abstract summary").click()
    # The toggle event, which remembers, comes a moment after the click: reloading at
    # once could leave before it (as a busy machine showed).
    page.wait_for_function("localStorage.getItem('journal-club:panel:abstract') === 'closed'")
    page.reload()
    expect(page.locator("#panel-abstract")).not_to_have_attribute("open", "")


def test_questions_beside_the_conversation_and_in_a_menu_on_a_phone(
    live_server, browser, discussion
):
    for question in discussion.questions.all():  # a page long enough to scroll through
        CommentFactory.create_batch(6, question=question, body="A long answer. " * 40)
    desktop = browser.new_page(viewport={"width": 1280, "height": 800})
    desktop.goto(live_server.url + discussion.get_absolute_url())
    side = desktop.locator("aside.toc--side")
    expect(side).to_be_visible()
    expect(desktop.locator("details.toc--menu")).to_be_hidden()
    side.get_by_role("link", name="Question 2").click()
    expect(desktop).to_have_url(live_server.url + discussion.get_absolute_url() + "#question-2")
    assert (
        desktop.evaluate("document.querySelector('#question-2').getBoundingClientRect().top") < 100
    )
    expect(side).to_be_in_viewport()  # it stays in view, beside the thread
    # The question on screen is the one marked in the list.
    expect(side.get_by_role("link", name="Question 2")).to_have_attribute(
        "aria-current", "location"
    )
    desktop.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(side.get_by_role("link", name="Question 3")).to_have_attribute(
        "aria-current", "location"
    )
    expect(side.get_by_role("link", name="Question 2")).not_to_have_attribute(
        "aria-current", "location"
    )
    desktop.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(live_server.url + discussion.get_absolute_url())
    expect(phone.locator("aside.toc--side")).to_be_hidden()
    menu = phone.locator("details.toc--menu")
    menu.locator("summary").click()
    menu.get_by_role("link", name="Question 3").click()
    expect(phone).to_have_url(live_server.url + discussion.get_absolute_url() + "#question-3")
    expect(menu).not_to_have_attribute("open", "")  # the menu closes once a question is chosen
    phone.close()


def test_a_long_conversation_is_folded_to_more_replies(live_server, page, discussion):
    question = discussion.questions.first()
    answer = CommentFactory(question=question)
    reply = CommentFactory(parent=answer)
    nested = [CommentFactory(parent=reply) for _ in range(4)]
    page.goto(live_server.url + discussion.get_absolute_url())
    toggle = page.locator(f'.thread-toggle[aria-controls="replies-{reply.pk}"]')
    expect(toggle).to_have_text("Show 4 more replies")
    expect(page.locator(f"#comment-{nested[0].pk}")).to_be_hidden()
    expect(page.locator(f"#comment-{reply.pk}")).to_be_visible()  # only the long part folds
    toggle.click()
    expect(page.locator(f"#comment-{nested[0].pk}")).to_be_visible()
    expect(toggle).to_have_text("Hide replies")

    # A link to a comment inside a folded conversation unfolds it.
    page.goto(live_server.url + discussion.get_absolute_url() + f"#comment-{nested[3].pk}")
    expect(page.locator(f"#comment-{nested[3].pk}")).to_be_visible()
    assert Comment.objects.count() == 6
