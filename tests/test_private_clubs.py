"""
Private means private, everywhere: nothing of a private club reaches anyone outside it.

A private club is filled with marker words (``MARK`` followed by a word) everywhere its
content can appear: the club's name, tagline, description and code of conduct, a
discussion (its slug too, so that even the fact that the club discusses a public paper
cannot show through a link), its commentary, questions, a synthesis, comments, a reply,
an edited comment's earlier version, a live session, a nomination, a question template,
an invitation and a request to join. Every text carries two marker words, and searches
ask for one of them at a time: the page echoes what was asked, and the other word tells a
real leak from the echo.

Then a visitor and a member of another club walk the whole site: every URL the resolver
knows (built from the world's public objects, so that new URLs are walked as soon as they
exist), every link those pages hand them, each again as an htmx fragment, and searches
for every marker word; the test fails on any marker in a response's body or headers. The
private club's own addresses (its slug, its discussion's slug, the ids of its objects, in
every URL pattern that takes them) must answer exactly as the same addresses with an
unknown slug or id do, and never with a page: an outsider cannot tell that they exist.

Finally, a member removed or banned from the private club hears nothing more from it:
no notification listed, counted or emailed, immediately or in a digest.
"""

import itertools
import re
from urllib.parse import unquote, urlencode

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection, models
from django.db.models import Max
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clubs import services as club_services
from clubs.models import Club, Invitation, JoinRequest, Membership, QuestionTemplate, token_digest
from discovery import index
from discovery.authors import author_key
from discussions import services
from events.models import Meeting
from notifications.models import Delivery, Notification, NotificationSettings
from tests.factories import (
    ArticleFactory,
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    SubjectFactory,
    UserFactory,
)
from tests.test_crawl import SIGN_OUT, STATIC_PREFIX, internal, links_in

MARK = "zqxmark"
MARKED = re.compile(rf"{MARK}[a-z0-9-]*", re.IGNORECASE)
# Ids of what is created for the private club start at a multiple of this above every id
# the database has given out (``jump_ids``; on PostgreSQL earlier tests moved the sequences
# on), so an id in a URL tells a private object from a public one whatever its table.
PRIVATE_IDS_FROM = 100_000
MISSING_ID = 999_999_999_999
MISSING_SLUG = "no-such-thing"
MAX_PAGES = 1500  # per reader, links followed included
MAX_QUERIES_PER_PATH = 3
MAX_URLS_PER_PATTERN = 40
SKIPPED_NAMESPACES = {"admin"}  # staff only: a visitor and a member are sent to sign in
READERS = ["visitor", "outsider"]


def words(name: str) -> str:
    """Two marker words for one text: searches ask for the first, leaks show the second."""
    return f"{MARK}{name} {MARK}{name}secret"


def numbered_models():
    for model in apps.get_models():
        if model._meta.managed and isinstance(model._meta.pk, models.AutoField):
            yield model


def highest_id() -> int:
    """The highest id any table holds or, on PostgreSQL, any sequence has given out."""
    highest = 0
    with connection.cursor() as cursor:
        for model in numbered_models():
            highest = max(highest, model.objects.aggregate(top=Max("pk"))["top"] or 0)
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)",
                    [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column],
                )
                cursor.execute(f"SELECT last_value FROM {cursor.fetchone()[0]}")  # noqa: S608
                highest = max(highest, cursor.fetchone()[0])
    return highest


def jump_ids() -> int:
    """Make every table number its next rows above every id so far; returns where from."""
    start = (highest_id() // PRIVATE_IDS_FROM + 1) * PRIVATE_IDS_FROM
    with connection.cursor() as cursor:
        for model in numbered_models():
            pk = model._meta.pk
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [connection.ops.quote_name(table), pk.column, start],
                )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
                )
    return start


class World:
    """A public club with its discussion, an outsider, and a private club full of markers."""

    def __init__(self, settings):
        settings.JOURNAL_CLUB_EDIT_GRACE_SECONDS = 0  # every edit keeps a revision
        # The public side, numbered as usual.
        self.public_club = ClubFactory(name="Open Readers", slug="open-readers")
        self.outsider = UserFactory(username="outsider", display_name="Olive Outsider")
        MembershipFactory(club=self.public_club, member=self.outsider)
        self.public = DiscussionFactory(club=self.public_club, commentary="Open commentary.")
        self.public.article.subjects.add(SubjectFactory(name="Nursing", slug="nursing"))
        self.public_comment = CommentFactory(
            question=self.public.questions.first(), author=self.outsider, body="Open remark."
        )
        Meeting.objects.create(
            discussion=self.public, title="Open session", starts_at=_days_from_now(3)
        )
        # A public paper that only the private club discusses.
        self.paper = ArticleFactory(title="Staffing on hospital wards", slug="hospital-wards")
        self.nominated = ArticleFactory(title="Rostering in practice", slug="rostering")
        for article in (self.public.article, self.paper, self.nominated):
            index.index_article(article)
        index.index_discussion(self.public)
        index.index_comment(self.public_comment)
        self.default_discussion = DiscussionFactory()  # the default club's, as on a new site

        # The private side, numbered from ``private_from``.
        self.private_from = jump_ids()
        self.club = ClubFactory(
            name=f"Ward {MARK}name",
            slug=f"{MARK}-ward",
            tagline=words("tagline"),
            description=words("description"),
            code_of_conduct=words("conduct"),
            visibility=Club.Visibility.PRIVATE,
            joining=Club.Joining.REQUEST,
            premoderation=False,
        )
        self.lead = UserFactory(username="wardlead", roles=["Hosts"])
        self.member = UserFactory(username="wardmember")
        MembershipFactory(club=self.club, member=self.lead, role="lead")
        MembershipFactory(club=self.club, member=self.member)
        self.discussion = DiscussionFactory(
            club=self.club,
            article=self.paper,
            host=self.lead,
            slug=f"{MARK}-ward-discussion",
            commentary=words("commentary"),
            questions=0,
        )
        for number in (1, 2):
            self.discussion.questions.create(number=number, text=words(f"question{number}"))
        question = self.discussion.questions.get(number=1)
        services.question_synthesis_save(
            question=question, editor=self.lead, synthesis=words("synthesis"), is_answered=False
        )
        self.comment = services.comment_post(
            question=question, author=self.member, body=f"{words('comment')} @outsider"
        )
        self.reply = services.comment_post(
            question=question, author=self.lead, body=words("reply"), parent=self.comment
        )
        self.edited = services.comment_post(
            question=question, author=self.member, body=words("before")
        )
        services.comment_edit(comment=self.edited, editor=self.member, body=words("after"))
        index.index_discussion(self.discussion)
        self.meeting = Meeting.objects.create(
            discussion=self.discussion,
            title=words("session"),
            place=words("place"),
            notes=words("notes"),
            video_url=f"https://video.example.org/{MARK}video",
            starts_at=_days_from_now(2),
        )
        DiscussionFactory(
            club=self.club, host=self.lead, slug=f"{MARK}-draft", status="draft"
        ).questions.update(text=words("draftquestion"))
        nomination = self.club.nominations.create(
            article=self.nominated, nominated_by=self.member, reason=words("nomination")
        )
        nomination.votes.create(member=self.lead)
        QuestionTemplate.objects.create(club=self.club, text=words("template"))
        Invitation.objects.create(
            club=self.club,
            email=f"{MARK}invitee@example.org",
            token_hash=token_digest(f"{MARK}token"),
            invited_by=self.lead,
            expires_at=_days_from_now(7),
        )
        JoinRequest.objects.create(
            club=self.club, member=UserFactory(username="asker"), message=words("request")
        )

        author = self.public.article.authors.first()
        self.values = {
            "slug": [
                self.public_club.slug,
                self.default_discussion.club.slug,
                self.public.slug,
                self.default_discussion.slug,
                self.public.article.slug,
                self.paper.slug,
                self.nominated.slug,
                "nursing",
                self.public.article.journal.slug,
            ],
            "int": sorted(
                {
                    self.public.pk,
                    self.public_comment.pk,
                    self.public.questions.first().pk,
                    self.public.meetings.get().pk,
                    self.public_club.pk,
                    1,
                }
            ),
            "number": [1, 2],
            "fmt": ["bib", "ris", "json"],
            "username": [self.outsider.username, self.lead.username, self.member.username],
            "year": [self.public.opens_at.year],
            "key": [author_key(family_name=author.family_name, given_name=author.given_name)],
            "token": ["not-a-valid-token"],
            "kind": ["discussion", "question", "thread"],
            "uidb36": ["1"],
        }
        self.private_slugs = [self.club.slug, self.discussion.slug, f"{MARK}-draft"]
        self.private_ids = sorted(
            {
                pk
                for model in numbered_models()
                for pk in model.objects.filter(pk__gt=self.private_from).values_list(
                    "pk", flat=True
                )
            }
        )
        assert self.private_ids, "the private club's objects were numbered as planned"

    def client(self, reader: str) -> Client:
        client = Client()
        if reader == "outsider":
            client.force_login(self.outsider)
        elif reader != "visitor":
            client.force_login(getattr(self, reader))
        return client


def _days_from_now(days: int):
    return timezone.now() + timezone.timedelta(days=days)


@pytest.fixture
def world(db, settings):
    return World(settings)


# --- Building every URL the resolver knows ---------------------------------------------------


def url_patterns():
    """(view name, {argument: converter}) of every named URL pattern, admin aside."""

    def walk(patterns, namespace, converters):
        for pattern in patterns:
            found = {**converters, **getattr(pattern.pattern, "converters", {})}
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace, found)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, found

    found = dict(walk(get_resolver().url_patterns, None, {}))
    return [(name, list(found[name].items())) for name in sorted(found)]


def kind_of(argument: str, converter) -> str:
    """Which of the world's values an argument takes: by its name, else by its converter."""
    if argument in {"slug", "number", "fmt", "username", "year", "key", "token", "kind"}:
        return argument
    if argument == "uidb36":
        return "uidb36"
    if isinstance(converter.to_python("1"), int):
        return "int"
    return "slug"


def urls_of(name: str, arguments, values: dict[str, list]) -> list[str]:
    """The URLs of one pattern with every combination of ``values`` (a bounded number)."""
    choices = [
        [(argument, value) for value in values[kind_of(argument, converter)]]
        for argument, converter in arguments
    ]
    urls = []
    for combination in itertools.islice(itertools.product(*choices), MAX_URLS_PER_PATTERN):
        try:
            urls.append(reverse(name, kwargs=dict(combination)))
        except NoReverseMatch:
            continue  # a value this converter does not take (e.g. "rostering" as a year)
    return urls


def private_variants(name: str, arguments, world: World) -> list[tuple[str, str]]:
    """
    (URL with a private club's slug or object id, the same URL with an unknown one) for
    every argument of the pattern that names a slug or an id.
    """
    kinds = {argument: kind_of(argument, converter) for argument, converter in arguments}
    secret = {"slug": world.private_slugs, "int": world.private_ids}
    missing = {"slug": MISSING_SLUG, "int": MISSING_ID}
    fixed = {kind: values[0] for kind, values in world.values.items()}
    pairs = []
    for argument, kind in kinds.items():
        if kind not in secret:
            continue
        for value in secret[kind]:
            asked, unknown = {}, {}
            for other, other_kind in kinds.items():
                if other == argument:
                    asked[other], unknown[other] = value, missing[kind]
                elif other_kind in secret:
                    asked[other] = secret[other_kind][0]
                    unknown[other] = missing[other_kind]
                else:
                    asked[other] = unknown[other] = fixed[other_kind]
            try:
                pairs.append((reverse(name, kwargs=asked), reverse(name, kwargs=unknown)))
            except NoReverseMatch:
                continue
    return pairs


# --- Looking for markers -------------------------------------------------------------------


def leaks(response, asked: str) -> list[str]:
    """
    The marker words in a response's body and headers, but for those the request itself
    carried (a search query, a slug in the address, echoed back).
    """
    text = response.content.decode(response.charset or "utf-8", errors="replace")
    text += "\n" + "\n".join(f"{name}: {value}" for name, value in response.items())
    # A "next" address carries the asked one, encoded once or twice over.
    text = unquote(unquote(unquote(text)))
    for word in {match.lower() for match in MARKED.findall(unquote(unquote(asked)))}:
        text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", "", text, flags=re.IGNORECASE)
    return sorted({match.lower() for match in MARKED.findall(text)})


def searches(world: World) -> list[str]:
    """A search for each marker word, in each kind, and for the paper only the club discusses."""
    asked = sorted({word.lower() for word in MARKED.findall(_every_marked_text(world))})
    urls = []
    for word in asked:
        for kind in ("", "paper", "commentary", "comment"):
            urls.append(f"{reverse('discovery:search')}?{urlencode({'q': word, 'kind': kind})}")
    for params in ({"q": "staffing wards"}, {"q": "staffing wards", "status": "open"}):
        urls.append(f"{reverse('discovery:search')}?{urlencode(params)}")
    return urls


def _every_marked_text(world: World) -> str:
    return " ".join(
        text
        for text in [
            world.club.name,
            world.club.tagline,
            world.club.description,
            world.club.code_of_conduct,
            world.discussion.commentary,
            *world.discussion.questions.values_list("text", flat=True),
            *world.discussion.questions.values_list("synthesis", flat=True),
            *world.discussion.questions.values_list("comments__body", flat=True),
            world.meeting.title,
            world.meeting.notes,
            world.meeting.place,
            words("before"),
            words("nomination"),
            words("template"),
            words("request"),
        ]
        if text
    )


def walk(client: Client, seeds: list[str]) -> tuple[dict[str, int], list[str]]:
    """
    GET every seed and every internal link the answers hand on (breadth first, bounded),
    each also as an htmx request; returns the statuses and the markers found.
    """
    statuses: dict[str, int] = {}
    found: list[str] = []
    queue = list(dict.fromkeys(seeds))
    queued = set(queue)
    queries_of: dict[str, int] = {}
    while queue and len(statuses) < MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        statuses[url] = response.status_code
        for leaked in leaks(response, url):
            found.append(f"{url}: {leaked}")
        fragment = client.get(url, headers={"HX-Request": "true"})
        for leaked in leaks(fragment, url):
            found.append(f"{url} (htmx): {leaked}")
        links = links_in(response) if response.status_code == 200 else []
        if 300 <= response.status_code < 400:
            links = [type("Link", (), {"url": response["Location"], "method": "GET"})()]
        for link in links:
            target = internal(link.url, url)
            if target is None or link.method != "GET" or target in queued:
                continue
            path, _, query = target.partition("?")
            if path.startswith((STATIC_PREFIX, "/admin/")) or _view_name(path) in SIGN_OUT:
                continue
            if query:
                if queries_of.get(path, 0) >= MAX_QUERIES_PER_PATH:
                    continue
                queries_of[path] = queries_of.get(path, 0) + 1
            queued.add(target)
            queue.append(target)
    assert not queue, f"more than {MAX_PAGES} pages: raise the bound"
    return statuses, found


def _view_name(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        return resolve(unquote(path)).view_name
    except Resolver404:
        return None


# --- The tests --------------------------------------------------------------------------------


def test_the_markers_are_there_for_the_clubs_members(world):
    """The test can see a leak: members do read every marker, and their pages are cached."""
    client = world.client("member")
    pages = [
        world.discussion.get_absolute_url(),
        reverse("discussions:question", args=[world.discussion.slug, 1]),
        reverse("discussions:comment-revisions", args=[world.edited.pk]),
        reverse("discovery:search") + f"?q={MARK}commentsecret",
        reverse("events:list"),
    ]
    seen = set()
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        seen.update(MARKED.findall(response.content.decode().lower()))
    for word in ("commentary", "comment", "reply", "synthesis", "question1", "session", "before"):
        assert f"{MARK}{word}secret" in seen, word


@pytest.mark.parametrize("reader", READERS)
def test_an_outsider_finds_no_trace_of_a_private_club_anywhere(world, reader):
    # The club's members read its pages first: whatever a page cache keeps of them must
    # never be served to anyone else.
    member = world.client("member")
    for url in (world.discussion.get_absolute_url(), reverse("discussions:home")):
        assert member.get(url).status_code == 200

    client = world.client(reader)
    seeds = ["/", "/robots.txt", "/sitemap.xml", *searches(world)]
    for name, arguments in url_patterns():
        seeds.extend(urls_of(name, arguments, world.values))
    statuses, found = walk(client, seeds)

    assert not found, "markers of the private club found:\n" + "\n".join(found)
    assert len([status for status in statuses.values() if status == 200]) > 40  # it walked


@pytest.mark.parametrize("reader", READERS)
def test_a_private_clubs_addresses_answer_as_unknown_ones_do(world, reader):
    failures = []
    client = world.client(reader)
    checked = 0
    for name, arguments in url_patterns():
        for asked, unknown in private_variants(name, arguments, world):
            for method in ("get", "post"):
                got = getattr(client, method)(asked)
                expected = getattr(client, method)(unknown).status_code
                checked += 1
                if got.status_code != expected or got.status_code == 200:
                    failures.append(
                        f"{method.upper()} {asked} ({name}): {got.status_code}, "
                        f"as an unknown one: {expected}"
                    )
                for leaked in leaks(got, asked):
                    failures.append(f"{method.upper()} {asked} ({name}): {leaked}")
    assert checked > 100  # every pattern with a slug or an id was tried
    assert not failures, "\n".join(failures)


def test_the_private_clubs_own_pages_are_not_found(world):
    """The addresses an outsider might guess or be handed, one by one: 404, not 403."""
    slug = world.discussion.slug
    urls = [
        world.discussion.get_absolute_url(),
        reverse("discussions:question", args=[slug, 1]),
        reverse("discussions:comment", args=[world.comment.pk]),
        reverse("discussions:comment-revisions", args=[world.comment.pk]),
        *(reverse("discussions:cite", args=[slug, fmt]) for fmt in ("bib", "ris", "json")),
        reverse("discovery:feed-discussion-comments", args=[slug]),
        reverse("discovery:feed-club", args=[world.club.slug]),
        reverse("events:club-calendar", args=[world.club.slug]),
        reverse("events:meeting-ics", args=[world.meeting.pk]),
        f"/clubs/{world.club.slug}/",
    ]
    for reader in READERS:
        client = world.client(reader)
        for url in urls:
            assert client.get(url).status_code == 404, f"{url} as {reader}"


def test_the_paper_only_a_private_club_discusses_stays_an_undiscussed_public_record(world):
    client = world.client("visitor")
    page = client.get(world.paper.get_absolute_url())
    assert page.status_code == 200
    assert world.discussion.slug not in page.content.decode()
    browse = client.get(reverse("discovery:subject", args=["nursing"]))
    assert browse.status_code == 200


@pytest.mark.parametrize("how", ["removed", "banned"])
def test_a_member_removed_from_a_private_club_hears_nothing_more_from_it(
    world, how, django_capture_on_commit_callbacks
):
    member = world.member
    NotificationSettings.objects.create(
        member=member,
        reply=Delivery.IMMEDIATE,
        mention=Delivery.IMMEDIATE,
        followed_comment=Delivery.DAILY,
    )
    question = world.discussion.questions.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        before = services.comment_post(
            question=question, author=world.lead, body=words("earlyreply"), parent=world.comment
        )
    assert any(MARK in message.body for message in mail.outbox), "members are told"
    waiting = Notification.objects.get(recipient=member, comment=before)
    Notification.objects.filter(pk=waiting.pk).update(
        email_delivery=Delivery.DAILY, emailed_at=None, read_at=None
    )

    if how == "removed":
        club_services.membership_remove(club=world.club, member=member, by=world.lead)
    else:
        club_services.membership_ban(club=world.club, member=member, by=world.lead)
    assert not Membership.objects.active().filter(club=world.club, member=member).exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(
            question=question,
            author=world.lead,
            body=f"{words('latereply')} @{member.username}",
            parent=world.comment,
        )
        services.comment_post(question=question, author=world.lead, body=words("latethread"))
    from notifications import services as notifications

    notifications.send_pending_immediate()
    notifications.send_digest(period=Delivery.DAILY)
    notifications.send_digest(period=Delivery.WEEKLY)

    to_member = [message for message in mail.outbox if member.email in message.to]
    assert to_member == []
    for message in mail.outbox:
        assert MARK not in message.body or member.email not in message.to
    client = world.client("member")
    listing = client.get(reverse("notifications:list"))
    assert listing.status_code == 200
    assert MARK not in listing.content.decode().lower()
    assert not Notification.objects.for_recipient(member).readable().exists()
    assert Notification.objects.filter(recipient=member).exists()  # kept, not shown
    settings_page = client.get(reverse("notifications:settings")).content.decode().lower()
    assert world.discussion.slug not in settings_page
    # The outsider mentioned in the club's first comment was never told of it.
    assert not Notification.objects.filter(recipient=world.outsider).exists()
