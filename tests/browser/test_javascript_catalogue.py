"""
The strings of static/js come from Django's JavaScript catalogue (locale/fr/LC_MESSAGES/
djangojs.po, served at "javascript-catalog"): a French page folds a long conversation and
counts characters in French, with French plural forms (0 and 1 singular), and a page whose
catalogue does not arrive still works, in English.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import signed_in_context
from tests.factories import CommentFactory, UserFactory

# The suite compiles the catalogues as it starts (tests/conftest.py, core.catalogues).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def folded(discussion):
    """A reply with four replies of its own: long enough to start folded."""
    answer = CommentFactory(question=discussion.questions.first())
    reply = CommentFactory(parent=answer)
    nested = [CommentFactory(parent=reply) for _ in range(4)]
    return discussion, reply, nested


def test_a_french_page_folds_a_conversation_in_french(live_server, page, folded):
    discussion, reply, nested = folded
    page.goto(f"{live_server.url}/fr{discussion.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    toggle = page.locator(f'.thread-toggle[aria-controls="replies-{reply.pk}"]')
    expect(toggle).to_have_text("Afficher 4 autres réponses")
    expect(page.locator(f"#comment-{nested[0].pk}")).to_be_hidden()
    toggle.click()
    expect(page.locator(f"#comment-{nested[0].pk}")).to_be_visible()
    expect(toggle).to_have_text("Masquer les réponses")


def test_without_its_catalogue_the_page_still_folds_in_english(live_server, page, folded):
    discussion, reply, _ = folded
    page.route("**/jsi18n/", lambda route: route.abort())
    page.goto(f"{live_server.url}/fr{discussion.get_absolute_url()}")
    toggle = page.locator(f'.thread-toggle[aria-controls="replies-{reply.pk}"]')
    expect(toggle).to_have_text("Show 4 more replies")
    toggle.click()
    expect(toggle).to_have_text("Hide replies")


def test_the_counter_follows_each_language_plural_rule(live_server, browser, settings, discussion):
    """French says "0 caractère" (0 and 1 are singular), English "0 characters"."""
    settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH = 200
    context = signed_in_context(browser, live_server.url, UserFactory())
    page = context.new_page()
    page.goto(f"{live_server.url}/fr{discussion.get_absolute_url()}")
    box = page.locator("#id_body_1")
    counter = page.locator("#id_body_1-count")
    box.fill("x" * 150)
    expect(counter).to_have_text("Il vous reste 50 caractères")
    box.fill("x" * 199)
    expect(counter).to_have_text("Il vous reste 1 caractère")
    box.fill("x" * 200)
    expect(counter).to_have_text("Il vous reste 0 caractère")
    box.fill("x" * 201)
    expect(counter).to_have_text("Vous avez 1 caractère de trop")
    box.fill("x" * 230)
    expect(counter).to_have_text("Vous avez 30 caractères de trop")

    page.goto(live_server.url + discussion.get_absolute_url())
    page.locator("#id_body_1").fill("x" * 200)
    expect(page.locator("#id_body_1-count")).to_have_text("You have 0 characters left")
    context.close()


def test_a_text_in_the_other_language_is_offered_its_language(live_server, browser, discussion):
    """A hint, not a decision: the writer marks a French comment French in one click."""
    context = signed_in_context(browser, live_server.url, UserFactory())
    page = context.new_page()
    page.goto(live_server.url + discussion.get_absolute_url())
    select = page.locator("#id_language_1")
    expect(select).to_have_value("en")
    page.locator("#id_body_1").fill(
        "Je pense que le courtage est une fonction de l'organisation et pas une personne : "
        "nous avons vu dans notre équipe que les liens avec les partenaires disparaissent."
    )
    hint = page.locator("#answer-1 .language-hint")
    expect(hint).to_contain_text("This reads like French.")
    hint.get_by_role("button", name="Mark it as French").click()
    expect(select).to_have_value("fr")
    expect(hint).to_be_hidden()
    # An English text in an English form: nothing to say.
    page.locator("#id_body_2").fill(
        "I think that brokering is a function of the organisation and not of one person: we "
        "have seen in our team that the links with partners are lost when they leave."
    )
    page.wait_for_timeout(800)
    expect(page.locator("#answer-2 .language-hint")).to_have_count(0)
    context.close()
