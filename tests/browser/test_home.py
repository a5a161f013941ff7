"""
The home page in Chromium, as a visitor and as a member who follows discussions: axe-core
finds nothing at desktop (1280 px) and phone (390 px) widths, in light and dark mode, and
the phone gets one column with nothing wider than the screen. The audit is the one of
test_accessibility.py (axe-core from node_modules), on a home page with every part shown:
several discussions with avatars, live sessions, news in what the member follows.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Discussion, DiscussionVisit, Follow
from events.models import Meeting
from tests.browser.test_accessibility import (  # noqa: F401 - axe_installed is a fixture
    SCHEMES,
    VIEWPORTS,
    axe_installed,
    axe_violations,
    signed_in_context,
)
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def home(live_server):
    """The demo plus two more open discussions, sessions, and a member with news."""
    call_command("load_demo", verbosity=0)
    now = timezone.now()
    member = UserFactory(display_name="Audit Member")
    for number, title in enumerate(
        [
            "Knowledge brokering in public health: a realist review of mechanisms",
            "What do implementation facilitators do? An observational study in primary care",
        ]
    ):
        discussion = DiscussionFactory(
            article__title=title, opens_at=now - datetime.timedelta(days=2 + number)
        )
        for hours in range(6):
            posted = CommentFactory(question=discussion.questions.get(number=hours % 3 + 1))
            Comment.objects.filter(pk=posted.pk).update(
                created_at=now - datetime.timedelta(hours=hours + number * 30)
            )
        Meeting.objects.create(
            discussion=discussion,
            title="Live session 1" if number else "",
            starts_at=now + datetime.timedelta(days=3 + number),
            duration=datetime.timedelta(minutes=90),
        )
        Follow.objects.create(member=member, discussion=discussion)
        Follow.objects.create(member=member, question=discussion.questions.get(number=2))
        DiscussionVisit.objects.create(
            member=member, discussion=discussion, last_seen_at=now - datetime.timedelta(hours=3)
        )
    assert Discussion.objects.published().open().count() == 4  # the private one aside
    return live_server.url, member


def _page(browser, base: str, user, *, viewport: str, scheme: str, axe: bool = False):
    """A page signed in as ``user`` (or a visitor's); with ``axe``, axe-core loaded in it."""
    options = {"viewport": VIEWPORTS[viewport], "color_scheme": scheme, "bypass_csp": axe}
    return signed_in_context(browser, base, user, axe=axe, **options).new_page()


@pytest.mark.usefixtures("axe_installed")
def test_the_home_page_passes_axe_in_every_width_and_scheme(browser, home):
    base, member = home
    failures = []
    for who, user in [("visitor", None), ("member", member)]:
        for viewport in VIEWPORTS:
            for scheme in SCHEMES:
                page = _page(browser, base, user, viewport=viewport, scheme=scheme, axe=True)
                try:
                    response = page.goto(base + reverse("discussions:home"))
                    assert response.status == 200
                    where = f"home as a {who} at {viewport} width, {scheme} mode"
                    shown = "#followed-heading" if user else ".home-intro"
                    assert page.locator(shown).is_visible(), where
                    assert page.locator(".avatar").count() >= 3, where
                    for violation in axe_violations(page):
                        nodes = "; ".join(violation["nodes"][:3])
                        failures.append(f"{where}: {violation['id']} {violation['help']} {nodes}")
                finally:
                    page.context.close()
    assert not failures, "axe found violations:\n" + "\n".join(failures)


def test_on_a_phone_the_home_page_is_one_column_without_overflow(browser, home):
    base, member = home
    page = _page(browser, base, member, viewport="phone", scheme="light")
    try:
        page.goto(base + reverse("discussions:home"))
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
        main = page.locator(".home__main").bounding_box()
        side = page.locator(".home__side").bounding_box()
        assert side["y"] >= main["y"] + main["height"]  # below, not beside
    finally:
        page.context.close()


def test_on_a_desktop_the_side_column_sits_beside_the_discussions(browser, home):
    base, member = home
    page = _page(browser, base, member, viewport="desktop", scheme="dark")
    try:
        page.goto(base + reverse("discussions:home"))
        main = page.locator(".home__main").bounding_box()
        side = page.locator(".home__side").bounding_box()
        assert side["x"] >= main["x"] + main["width"]
        assert abs(side["y"] - main["y"]) < 5
    finally:
        page.context.close()
