"""
Accessibility audit: axe-core in Chromium on every kind of page the site has.

Each page is loaded at desktop (1280 px) and phone (390 px) widths, in light and dark
mode (``prefers-color-scheme``), as the visitor who would see it (anonymous, a verified
member, staff), and axe-core checks it against WCAG 2.0/2.1 A and AA and axe's
best-practice rules. Any violation fails the test, with the rule, its help text and the
elements concerned. The Django admin is left out (it is Django's, not ours).

Pages of parts of the site that are not there yet (their URL name does not resolve) are
listed in a NOTE and skipped, so the audit takes them in as soon as they land.

axe-core is an npm package pinned in package.json (``npm ci``); the test loads it from
node_modules. Without it the audit is skipped with a NOTE, or fails when
JOURNAL_CLUB_REQUIRE_BROWSER=1 (CI).
"""

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from discussions import services
from discussions.models import Comment, Discussion
from tests.conftest import BROWSER_REQUIRED
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES = ["light", "dark"]
DEMO_SLUG = "implementation-support-practitioners"
PAPER_SLUG = "albers-2020-implementation-support-practitioners"


@dataclasses.dataclass(frozen=True)
class Audited:
    """One page to audit: where it is, who looks at it, and what to do before checking."""

    label: str
    url: Callable[["Site"], str]  # raises NoReverseMatch if that part of the site is missing
    who: str = "anonymous"  # or "member" or "staff"
    status: int = 200
    prepare: Callable | None = None  # (page, site) -> None, run after loading
    redirects: bool = False  # lands on another URL by design (the reset-password link)


@dataclasses.dataclass
class Site:
    """The demo content and the people the audit signs in as."""

    base: str
    member: object
    staff: object
    unverified: EmailAddress
    discussion: Discussion
    own_comment: Comment  # the member's, edited, with every kind of Markdown
    other_comment: Comment  # someone else's


def _url(name: str, **kwargs) -> Callable[[Site], str]:
    return lambda site: reverse(name, kwargs=kwargs)


def _first_link(list_name: str) -> Callable[[Site], str]:
    """The first detail page linked from a list page (the first subject, journal, …)."""

    def url(site: Site) -> str:
        list_url = reverse(list_name)
        html = Client().get(list_url).content.decode()
        found = re.search(rf'href="({re.escape(list_url)}[^"/?#]+/)"', html)
        if not found:
            raise NoReverseMatch(f"no link to a detail page on {list_url}")
        return found.group(1)

    return url


def _open_reply_form(page, site: Site) -> None:
    """Open the inline reply form under the first comment that offers one (htmx)."""
    link = page.locator("article.comment footer a", has_text=re.compile("^Reply$")).first
    link.click()
    page.locator(".reply-slot textarea").first.wait_for(state="visible")


def _reset_key_url(site: Site) -> str:
    user = site.unverified.user
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


READING_GROUP = "lakeshore-implementation-science"  # the demo's public club by request
STAFF_CLUB = "riverbend-staff"  # and its private one

PAGES = [
    # Reading, anonymously.
    Audited("home", _url("discussions:home")),
    Audited("archive", _url("discussions:archive")),
    Audited("discussion", _url("discussions:detail", slug=DEMO_SLUG)),
    Audited("question page", _url("discussions:question", slug=DEMO_SLUG, number=1)),
    Audited("article", _url("articles:detail", slug=PAPER_SLUG)),
    Audited("profile", _url("accounts:profile", username="demo-priya")),
    Audited("404 page", lambda site: "/no-such-page/", status=404),
    Audited("search results", lambda site: reverse("discovery:search") + "?q=implementation"),
    Audited("browse", _url("discovery:browse")),
    Audited("browse: subjects", _url("discovery:subjects")),
    Audited("browse: a subject", _first_link("discovery:subjects")),
    Audited("browse: authors", _url("discovery:authors")),
    Audited("browse: an author", _first_link("discovery:authors")),
    Audited("browse: journals", _url("discovery:journals")),
    Audited("browse: a journal", _first_link("discovery:journals")),
    Audited("browse: years", _url("discovery:years")),
    Audited("browse: a year", _first_link("discovery:years")),
    Audited("events", _url("events:list")),
    Audited(
        "comment's edit history",
        lambda site: reverse("discussions:comment-revisions", kwargs={"pk": site.own_comment.pk}),
    ),
    # Every allauth page we use.
    Audited("sign in", _url("account_login")),
    Audited("sign up", _url("account_signup")),
    Audited("password reset", _url("account_reset_password")),
    Audited("password reset done", _url("account_reset_password_done")),
    Audited("password reset from key", _reset_key_url, redirects=True),
    Audited("password reset from key done", _url("account_reset_password_from_key_done")),
    Audited("verification sent", _url("account_email_verification_sent")),
    Audited(
        "confirm email",
        lambda site: reverse(
            "account_confirm_email", kwargs={"key": EmailConfirmationHMAC(site.unverified).key}
        ),
    ),
    # Signed in.
    Audited("discussion, signed in", _url("discussions:detail", slug=DEMO_SLUG), who="member"),
    Audited(
        "discussion, inline reply form open",
        _url("discussions:detail", slug=DEMO_SLUG),
        who="member",
        prepare=_open_reply_form,
    ),
    Audited(
        "question page, signed in",
        _url("discussions:question", slug=DEMO_SLUG, number=1),
        who="member",
    ),
    Audited(
        "reply page (without JavaScript)",
        lambda site: reverse("discussions:comment-reply", kwargs={"pk": site.other_comment.pk}),
        who="member",
    ),
    Audited(
        "edit page",
        lambda site: reverse("discussions:comment-edit", kwargs={"pk": site.own_comment.pk}),
        who="member",
    ),
    Audited(
        "delete confirmation",
        lambda site: reverse("discussions:comment-delete", kwargs={"pk": site.own_comment.pk}),
        who="member",
    ),
    Audited(
        "403 page",
        lambda site: reverse("discussions:comment-edit", kwargs={"pk": site.other_comment.pk}),
        who="member",
        status=403,
    ),
    Audited("profile settings", _url("accounts:profile-edit"), who="member"),
    Audited("email addresses", _url("account_email"), who="member"),
    Audited("password change", _url("account_change_password"), who="member"),
    Audited("sign out confirmation", _url("account_logout"), who="member"),
    Audited("reauthenticate", _url("account_reauthenticate"), who="member"),
    Audited("notifications", _url("notifications:list"), who="member"),
    Audited("notification settings", _url("notifications:settings"), who="member"),
    # Staff.
    Audited(
        "synthesis form",
        _url("discussions:question-synthesis", slug=DEMO_SLUG, number=1),
        who="staff",
    ),
    Audited("moderation queue", _url("moderation:queue"), who="staff"),
    # Clubs.
    *[
        Audited(label, _url(name, **kwargs), who=who)
        for label, name, kwargs, who in [
            ("clubs", "discussions:clubs", {}, "anonymous"),
            ("a club", "discussions:club", {"slug": "journal-club"}, "anonymous"),
            ("a club's rules", "clubs:conduct", {"slug": "journal-club"}, "anonymous"),
            ("nominations", "clubs:nominations", {"slug": READING_GROUP}, "anonymous"),
            ("nominations, signed in", "clubs:nominations", {"slug": READING_GROUP}, "member"),
            ("new club", "clubs:create", {}, "member"),
            ("a private club, as staff", "discussions:club", {"slug": STAFF_CLUB}, "staff"),
            ("club members", "clubs:members", {"slug": STAFF_CLUB}, "staff"),
            ("club invitations", "clubs:invitations", {"slug": STAFF_CLUB}, "staff"),
            ("club settings", "clubs:settings", {"slug": STAFF_CLUB}, "staff"),
            ("requests to join", "clubs:requests", {"slug": READING_GROUP}, "staff"),
            ("standard questions", "clubs:question-templates", {"slug": READING_GROUP}, "staff"),
            ("new discussion", "discussions:discussion-new", {"club": READING_GROUP}, "staff"),
        ]
    ],
    Audited("moderation log", _url("moderation:log"), who="staff"),
]


@pytest.fixture(scope="session")
def axe_installed(request) -> None:
    if AXE_JS.exists():
        return
    message = f"the accessibility audit needs {AXE_JS.relative_to(ROOT)}: run `npm ci`"
    if BROWSER_REQUIRED:
        pytest.fail(f"{message} (JOURNAL_CLUB_REQUIRE_BROWSER=1)")
    _note(request.config, f"NOTE: {message}; the audit was skipped.")
    pytest.skip(message)


def _note(config, line: str) -> None:
    """Say something once per run on the terminal, even under -q."""
    seen = config.stash.setdefault(_NOTES, set())
    if line in seen:
        return
    seen.add(line)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line("")
        reporter.write_line(line, yellow=True)


_NOTES = pytest.StashKey[set]()


RICH_MARKDOWN = """**Evidence** from [the paper](https://doi.org/10.1186/s12913-020-05145-1) for
@demo-priya:

> A quoted line, with *emphasis*.

| Role | Skill |
|---|---|
| Broker | Facilitation |

1. one
2. two

`inline code`, maths $n > 98$ and a block:

```
print("code")
```
"""


@pytest.fixture
def site(live_server) -> Site:
    """The demo, plus the kinds of comment it lacks: rich, labelled, edited, deleted."""
    call_command("load_demo", verbosity=0)
    discussion = Discussion.objects.get(slug=DEMO_SLUG)
    question = discussion.questions.get(number=1)
    member = UserFactory(display_name="Audit Member")
    rich = services.comment_post(
        question=question, author=member, body=RICH_MARKDOWN, label=Comment.Label.EVIDENCE
    )
    Comment.objects.filter(pk=rich.pk).update(created_at=timezone.now() - timedelta(hours=2))
    services.comment_edit(comment=rich, editor=member, body=RICH_MARKDOWN + "\nEdited.")
    gone = services.comment_post(question=question, author=member, body="Taken back.")
    services.comment_delete(comment=gone, actor=member)
    newcomer = UserFactory(email="newcomer@example.org", verified=False)
    return Site(
        base=live_server.url,
        member=member,
        staff=UserFactory(is_staff=True, is_superuser=True, display_name="Audit Staff"),
        unverified=EmailAddress.objects.get(user=newcomer),
        discussion=discussion,
        own_comment=rich,
        other_comment=Comment.objects.filter(question=question).exclude(author=member).first(),
    )


def signed_in_context(browser, base: str, user, *, axe: bool = False, **options):
    """
    A browser context on the live server at ``base``, signed in as ``user`` if any; with
    ``axe``, axe-core in every page (ask for the ``axe_installed`` fixture too).
    """
    context = browser.new_context(**options)
    if axe:
        context.add_init_script(path=AXE_JS)
    if user is not None:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        # A __Host- cookie must be Secure, which Chromium only accepts for an https URL;
        # it sends Secure cookies to http://localhost all the same (a trustworthy origin).
        cookie = {"name": name, "value": client.cookies[name].value, "secure": True}
        context.add_cookies([{**cookie, "url": base.replace("http:", "https:", 1)}])
    return context


def axe_violations(page, *, tags=AXE_TAGS, rules=()) -> list[dict]:
    """axe's violations on the page; a second pass, only if any, names the elements."""
    run_only = {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": tags}
    found = page.evaluate(
        """runOnly => axe.run(document, {runOnly, resultTypes: ['violations'], selectors: false})
            .then(r => r.violations.map(v => v.id))""",
        run_only,
    )
    if not found:
        return []
    return page.evaluate(
        """rules => axe.run(document, {
            runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']
        }).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: '
                               + n.failureSummary.replace(/\\s+/g, ' '))
        })))""",
        found,
    )


def _describe(where: str, violations: list[dict]) -> str:
    lines = [f"{where}:"]
    for violation in violations:
        lines.append(f"  {violation['id']} [{violation['impact']}] {violation['help']}")
        lines.extend(f"    - {node[:400]}" for node in violation["nodes"][:4])
        if len(violation["nodes"]) > 4:
            lines.append(f"    … and {len(violation['nodes']) - 4} more")
    return "\n".join(lines)


# Every rule at both widths and in both colour schemes; the rules about colour also in
# the other two combinations, so that contrast is checked at each width in each scheme.
# (Running every rule four times would check the same markup twice, for 40 more seconds.)
COLOUR_RULES = ("color-contrast", "link-in-text-block")
COMBINATIONS = [
    ("desktop", "light", ()),
    ("phone", "dark", ()),
    ("desktop", "dark", COLOUR_RULES),
    ("phone", "light", COLOUR_RULES),
]


def test_every_page_passes_axe_at_both_widths_in_light_and_dark(
    browser, site, axe_installed, request
):
    users = {"anonymous": None, "member": site.member, "staff": site.staff}
    failures, missing, audited = [], set(), 0
    for viewport, scheme, rules in COMBINATIONS:
        options = {"viewport": VIEWPORTS[viewport], "color_scheme": scheme, "bypass_csp": True}
        pages = {
            who: signed_in_context(browser, site.base, user, axe=True, **options).new_page()
            for who, user in users.items()
        }
        try:
            for audited_page in PAGES:
                try:
                    url = audited_page.url(site)
                except NoReverseMatch:
                    missing.add(audited_page.label)
                    continue
                where = f"{audited_page.label} ({url}) at {viewport} width, {scheme} mode"
                page = pages[audited_page.who]
                response = page.goto(site.base + url)
                if response.status != audited_page.status:
                    failures.append(f"{where}: HTTP {response.status}")
                    continue
                landed = urlsplit(page.url).path
                if landed != urlsplit(url).path and not audited_page.redirects:
                    failures.append(f"{where}: redirected to {landed}, not audited")
                    continue
                if audited_page.prepare:
                    audited_page.prepare(page, site)
                audited += 1
                violations = axe_violations(page, rules=rules)
                if violations:
                    failures.append(_describe(where, violations))
        finally:
            for page in pages.values():
                page.context.close()
    if missing:
        _note(
            request.config,
            "NOTE: the accessibility audit skipped pages that do not exist yet: "
            + ", ".join(sorted(missing)),
        )
    assert audited >= 25 * len(COMBINATIONS), f"only {audited} page views audited"
    assert not failures, "axe found violations:\n\n" + "\n\n".join(failures)
