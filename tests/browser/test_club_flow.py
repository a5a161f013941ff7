"""
A private club from start to finish, in a real browser: a demo member founds it, opens a
discussion in it, invites someone by email; the invitee signs up through the invitation and
answers; a visitor finds no trace of any of it.

These drive Debian's Chromium through Playwright against a live server; see conftest.py
for the browser set-up and for how they are skipped where Chromium is missing.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from clubs.models import Club, Membership
from discussions.models import Comment, Discussion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"
DOI = "10.1186/s12913-020-05145-1"
# Words found nowhere in the demo, to look for the club and what was said in it.
CLUB_WORD = "Quillwort"
CLUB_NAME = f"{CLUB_WORD} practice circle"
COMMENTARY_WORD = "Marrowbrook"
ANSWER_WORD = "Zephyrine"
INVITEE = "ines@example.org"


@pytest.fixture
def demo(live_server, settings):
    call_command("load_demo", verbosity=0)
    settings.JOURNAL_CLUB_BASE_URL = live_server.url  # the links in emails lead here
    return live_server.url


def sign_in(page, demo, email):
    page.goto(f"{demo}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("navigation", name="Account")).to_be_visible()


def invitation_link(mailoutbox) -> str:
    sent = [m for m in mailoutbox if INVITEE in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mailoutbox]
    return re.search(r"https?://\S+/clubs/invitations/\S+/", sent[0].body).group(0)


def test_a_private_club_from_founding_to_a_first_answer_leaves_no_trace(
    page, browser, demo, mailoutbox
):
    lead = User.objects.get(username="demo-host")
    lead.set_password(PASSWORD)
    lead.save()

    # 1. The lead signs in, finds the directory of clubs and starts a private club.
    sign_in(page, demo, lead.email)
    page.goto(demo)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Your clubs").click()
    nav.get_by_role("link", name="All clubs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clubs")
    page.get_by_role("link", name="Start a club").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a club")
    page.get_by_label("Name").fill(CLUB_NAME)
    page.get_by_role("radio", name=re.compile("Private")).check()
    page.get_by_role("radio", name="By invitation only").check()
    page.get_by_role("button", name="Create the club").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CLUB_NAME)
    expect(page.locator("main")).to_contain_text("You lead this club")
    club = Club.objects.get(name=CLUB_NAME)
    assert club.is_private
    assert club.joining == Club.Joining.INVITATION
    expect(page).to_have_url(f"{demo}/clubs/{club.slug}/")

    # 2. The lead opens a discussion of a paper from the catalogue, and opens it.
    page.get_by_role("link", name="Open a discussion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a discussion")
    form = page.locator("main form")
    form.get_by_label("Paper").fill(DOI)
    form.get_by_label("Commentary").fill(f"Why we read this, in the {COMMENTARY_WORD} way.")
    questions = page.get_by_role("group", name="Questions").get_by_role("textbox")
    expect(questions.first).to_be_visible()
    texts = ["What would this change in our own team?", "Who should we tell first?"]
    for box, text in zip(questions.all(), texts, strict=False):
        if not box.input_value():
            box.fill(text)
    page.get_by_role("button", name="Save the draft").click()
    open_button = page.get_by_role("button", name="Open the discussion")
    expect(open_button).to_be_visible()
    discussion = Discussion.objects.get(club=club)
    address = discussion.get_absolute_url()
    assert discussion.article.doi.lower() == DOI
    assert discussion.status == Discussion.Status.DRAFT
    assert discussion.questions.count() >= 1
    expect(page).to_have_url(demo + address)
    open_button.click()
    expect(page.get_by_role("button", name="Close the discussion")).to_be_visible()
    discussion.refresh_from_db()
    assert discussion.status == Discussion.Status.OPEN

    # 3. The lead invites a newcomer by email; the email holds the invitation's link.
    page.goto(f"{demo}/clubs/{club.slug}/")
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("Email address").fill(INVITEE)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"An invitation is on its way to {INVITEE}"
    )
    expect(page.get_by_role("region", name="Invitations not yet accepted")).to_contain_text(INVITEE)
    link = invitation_link(mailoutbox)
    assert link.startswith(demo)

    # 4. Signed out, the invitee follows the link, signs up with the invited address and,
    # with no confirmation email, lands in the club and answers in its discussion.
    invitee_context = browser.new_context()
    invitee = invitee_context.new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(CLUB_NAME)
    invitee.locator("main").get_by_role("link", name="Create an account").click()
    invitee.get_by_label("Display name").fill("Ines Invited")
    invitee.get_by_label("Email").fill(INVITEE)
    invitee.get_by_label("Password", exact=True).fill(PASSWORD)
    invitee.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    invitee.get_by_label("I agree to the site's code of conduct").check()
    mails_before = len(mailoutbox)
    invitee.locator("main form").get_by_role("button").last.click()
    expect(invitee).to_have_url(f"{demo}/clubs/{club.slug}/")
    expect(invitee.get_by_role("heading", level=1)).to_have_text(CLUB_NAME)
    expect(invitee.locator("main")).to_contain_text("You are a member")
    ines = User.objects.get(email=INVITEE)
    assert Membership.objects.filter(club=club, member=ines, banned_at=None).exists()
    assert ines.emailaddress_set.get(email=INVITEE).verified
    assert not [m for m in mailoutbox[mails_before:] if "confirm" in m.subject.lower()]

    invitee.get_by_role("link", name=re.compile(discussion.article.title[:30])).first.click()
    expect(invitee).to_have_url(demo + address)
    answer_form = invitee.locator("#answer-1")
    answer_form.get_by_label("Your answer").fill(f"In our team, {ANSWER_WORD} would start it.")
    answer_form.get_by_role("button", name="Post your answer").click()
    expect(invitee.locator("#thread-1 article.comment--own")).to_contain_text(ANSWER_WORD)
    assert Comment.objects.filter(author=ines, question__discussion=discussion).exists()
    invitee.reload()
    expect(invitee.locator("#thread-1")).to_contain_text(ANSWER_WORD)
    # A member finds it by searching (so the visitor's empty search below means something).
    invitee.get_by_role("searchbox", name="Search papers and comments").fill(ANSWER_WORD)
    invitee.get_by_role("search", name="Site").get_by_role("button", name="Search").click()
    expect(invitee.locator("main").get_by_role("status")).to_contain_text("1 result")
    invitee_context.close()

    # 5. A visitor finds no trace of the club, its discussion or what was said in it.
    visitor_context = browser.new_context()
    visitor = visitor_context.new_page()
    for path in (
        f"/clubs/{club.slug}/",
        address,
        f"/clubs/{club.slug}/members/",
        f"/clubs/{club.slug}/feed/",
        f"/events/clubs/{club.slug}.ics",
    ):
        response = visitor.goto(demo + path)
        assert response.status == 404, path
    for path in (
        "/",
        "/clubs/",
        "/archive/",
        discussion.article.get_absolute_url(),  # the paper's page lists its discussions
        f"/search/?q={CLUB_WORD}",
        f"/search/?q={COMMENTARY_WORD}",
        f"/search/?q={ANSWER_WORD}",
        "/feeds/discussions/",
        "/events/calendar.ics",
        "/sitemap.xml",
    ):
        response = visitor.request.get(demo + path)
        assert response.status == 200, path
        body = _without_query(response.text(), path)
        if "?q=" in path:
            assert re.search(r"\b0 results for", body), path
        for trace in (CLUB_WORD, club.slug, address, COMMENTARY_WORD, ANSWER_WORD):
            assert trace not in body, (path, trace)
    visitor_context.close()


def _without_query(body: str, path: str) -> str:
    """
    The page without the words searched for, which it echoes back (in the search box and
    its title); the club's address, lower-case, is still looked for.
    """
    if "?q=" in path:
        return body.replace(path.split("?q=", 1)[1], "")
    return body
