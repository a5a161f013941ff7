"""
Writing a comment in a real browser: @mentions suggested and chosen with the keyboard, and
a character counter that says how far over the limit a long paste is instead of cutting it.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISCUSSION = "/discussions/implementation-support-practitioners/"


@pytest.fixture
def writer_page(live_server, page, settings):
    settings.JOURNAL_CLUB_COMMENT_MAX_LENGTH = 200
    call_command("load_demo", verbosity=0)
    member = UserFactory(display_name="Wren Writer")
    page.goto(f"{live_server.url}/accounts/login/?next={DISCUSSION}")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("correct horse")
    page.locator("main form").get_by_role("button").last.click()
    expect(page).to_have_url(re.compile(re.escape(DISCUSSION)))
    return page


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
