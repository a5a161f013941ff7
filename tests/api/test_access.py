"""
The API shows each reader exactly what the site shows them.

A private club with a discussion, a draft, comments and a session, read by a visitor, an
outsider (a member of the site, not of the club), a member banned from the club, its
member, its lead (who hosts its drafts), staff who curate clubs, and staff who do not. The
API's answers are compared with the site's own rules (``Discussion.objects.visible_to``,
``clubs.access.can_read``), and an outsider's walk through every address the API hands
out finds no trace of the club.
"""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Suspension
from clubs import access
from clubs.models import Club
from discussions.models import Discussion
from events.models import Meeting
from tests.factories import ClubFactory, CommentFactory, DiscussionFactory, UserFactory

from .conftest import MARK, MARKED, Readers, is_problem, read, results

READERS = ["visitor", "outsider", "banned", "member", "lead", "curator", "staff_only"]
INSIDE = {"member", "lead", "curator"}  # may read the private club
HOSTS = {"lead", "curator"}  # may read its drafts


class World(Readers):
    def __init__(self):
        super().__init__()
        self.public = DiscussionFactory(slug="open-to-all", commentary="Open commentary.")
        self.public_comment = CommentFactory(question=self.public.questions.first())
        self.public_draft = DiscussionFactory(slug="public-draft", status=Discussion.Status.DRAFT)
        self.private = DiscussionFactory(
            club=self.club,
            slug=f"{MARK}-discussion",
            host=self.users["lead"],
            commentary=f"{MARK}commentary",
            questions=1,
        )
        self.private.questions.update(text=f"{MARK}question")
        self.comment = CommentFactory(
            question=self.private.questions.get(),
            body=f"{MARK}comment",
            author=self.users["member"],
        )
        self.reply = CommentFactory(parent=self.comment, body=f"{MARK}reply")
        self.draft = DiscussionFactory(
            club=self.club, slug=f"{MARK}-draft", status=Discussion.Status.DRAFT
        )
        self.session = Meeting.objects.create(
            discussion=self.private,
            title=f"{MARK}session",
            starts_at=timezone.now() + datetime.timedelta(days=2),
        )
        self.draft_session = Meeting.objects.create(
            discussion=self.draft, starts_at=timezone.now() + datetime.timedelta(days=3)
        )
        self.public_session = Meeting.objects.create(
            discussion=self.public, starts_at=timezone.now() + datetime.timedelta(days=1)
        )

    def user(self, reader):
        return self.users.get(reader) or AnonymousUser()


@pytest.fixture
def world(db):
    return World()


@pytest.mark.parametrize("reader", READERS)
def test_the_discussions_listed_are_those_the_site_lets_the_reader_open(client, world, reader):
    listed = {
        item["id"] for item in results(read(client, "/api/v1/discussions/", world.token(reader)))
    }
    expected = set(Discussion.objects.visible_to(world.user(reader)).values_list("pk", flat=True))
    assert listed == expected
    assert (world.private.pk in listed) is (reader in INSIDE)
    assert (world.draft.pk in listed) is (reader in HOSTS)
    assert world.public.pk in listed


@pytest.mark.parametrize("reader", READERS)
def test_a_private_clubs_objects_answer_insiders_and_nobody_else(client, world, reader):
    token = world.token(reader)
    urls = {
        f"/api/v1/clubs/{world.club.slug}/": reader in INSIDE,
        f"/api/v1/discussions/{world.private.slug}/": reader in INSIDE,
        f"/api/v1/discussions/{world.private.slug}/comments/": reader in INSIDE,
        f"/api/v1/discussions/{world.draft.slug}/": reader in HOSTS,
        f"/api/v1/discussions/{world.draft.slug}/comments/": reader in HOSTS,
        f"/api/v1/comments/{world.reply.pk}/": reader in INSIDE,
        f"/api/v1/sessions/{world.session.pk}/": reader in INSIDE,
        # Never a draft's session: sessions are announced once the discussion opens.
        f"/api/v1/sessions/{world.draft_session.pk}/": False,
    }
    for url, allowed in urls.items():
        response = read(client, url, token)
        if allowed:
            assert response.status_code == 200, f"{url} as {reader}"
        else:
            is_problem(response, 404, "not_found")


@pytest.mark.parametrize("reader", READERS)
def test_the_clubs_listed_are_those_the_reader_may_read(client, world, reader):
    ClubFactory(slug="someone-elses", visibility=Club.Visibility.PRIVATE, joining="invitation")
    listed = {item["slug"] for item in results(read(client, "/api/v1/clubs/", world.token(reader)))}
    user = world.user(reader)
    expected = {club.slug for club in Club.objects.all() if access.can_read(user, club)}
    assert listed == expected
    assert (world.club.slug in listed) is (reader in INSIDE)


@pytest.mark.parametrize("reader", READERS)
def test_the_sessions_listed_are_those_the_site_lists(client, world, reader):
    listed = {
        item["id"] for item in results(read(client, "/api/v1/sessions/", world.token(reader)))
    }
    expected = set(Meeting.objects.visible_to(world.user(reader)).values_list("pk", flat=True))
    assert listed == expected
    assert world.draft_session.pk not in listed


def test_a_private_address_answers_as_an_unknown_one_does(client, world):
    """Nothing tells an outsider that the club exists: the same 404, word for word."""
    pairs = [
        (f"/api/v1/clubs/{world.club.slug}/", "/api/v1/clubs/no-such-club/"),
        (f"/api/v1/discussions/{world.private.slug}/", "/api/v1/discussions/no-such/"),
        (
            f"/api/v1/discussions/{world.draft.slug}/comments/",
            "/api/v1/discussions/no-such/comments/",
        ),
        (f"/api/v1/comments/{world.comment.pk}/", "/api/v1/comments/999999999/"),
        (f"/api/v1/sessions/{world.session.pk}/", "/api/v1/sessions/999999999/"),
    ]
    for reader in ("visitor", "outsider", "banned"):
        for private, unknown in pairs:
            asked = read(client, private, world.token(reader))
            missing = read(client, unknown, world.token(reader))
            assert asked.status_code == missing.status_code == 404
            assert {**asked.json(), "instance": ""} == {**missing.json(), "instance": ""}


def test_the_private_club_filters_to_nothing_for_an_outsider(client, world):
    for query in (f"club={world.club.slug}", f"paper={world.private.article.slug}"):
        for reader in ("visitor", "outsider", "banned"):
            found = results(read(client, f"/api/v1/discussions/?{query}", world.token(reader)))
            assert all(item["club"]["slug"] != world.club.slug for item in found)
    found = results(
        read(client, f"/api/v1/sessions/?club={world.club.slug}", world.token("outsider"))
    )
    assert found == []


def test_a_suspended_member_reads_what_they_read_on_the_site(client, world):
    """A suspension stops posting, not reading: their token still reads their private club."""
    member = world.users["member"]
    Suspension.objects.create(member=member, reason="Heated.", created_by=world.users["curator"])
    response = read(client, f"/api/v1/discussions/{world.private.slug}/", world.token("member"))
    assert response.status_code == 200


def test_a_ban_takes_the_club_away_from_a_token_at_once(client, world):
    token = world.token("member")
    url = f"/api/v1/discussions/{world.private.slug}/comments/"
    assert read(client, url, token).status_code == 200
    world.club.memberships.filter(member=world.users["member"]).update(banned_at=timezone.now())
    is_problem(read(client, url, token), 404)


def test_a_host_of_a_public_club_reads_its_drafts(client, db):
    club = ClubFactory(slug="hosted")
    host = UserFactory()
    club.memberships.create(member=host, role="host")
    draft = DiscussionFactory(club=club, slug="a-draft", status=Discussion.Status.DRAFT)
    from .conftest import token_for

    assert read(client, "/api/v1/discussions/a-draft/", token_for(host)).status_code == 200
    assert read(client, "/api/v1/discussions/a-draft/", token_for(UserFactory())).status_code == 404
    assert read(client, "/api/v1/discussions/a-draft/").status_code == 404
    listed = results(read(client, "/api/v1/discussions/?status=draft", token_for(host)))
    assert [item["id"] for item in listed] == [draft.pk]


def test_a_browsers_session_grants_nothing(client, world):
    """Signed in on the site, a browser's request without a token reads as a visitor's."""
    client.force_login(world.users["member"])
    is_problem(read(client, f"/api/v1/discussions/{world.private.slug}/"), 404)


# --- The outsider's walk ----------------------------------------------------------------------


def _api_addresses(value, base: str) -> list[str]:
    """Every address of the API that a JSON answer hands on."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in _api_addresses(item, base)]
    if isinstance(value, list):
        return [found for item in value for found in _api_addresses(item, base)]
    if isinstance(value, str) and value.startswith(f"{base}/api/v1/"):
        return [value.removeprefix(base)]
    return []


@pytest.mark.parametrize("reader", ["visitor", "outsider", "banned"])
def test_an_outsider_walking_the_api_finds_no_trace_of_the_private_club(
    client, world, reader, settings
):
    base = settings.JOURNAL_CLUB_BASE_URL
    # Its members read first: nothing they were answered may reach anyone else.
    for insider in ("member", "lead"):
        for url in ("/api/v1/discussions/", f"/api/v1/discussions/{world.private.slug}/comments/"):
            assert read(client, url, world.token(insider)).status_code == 200
    queue = [
        "/api/v1/",
        "/api/v1/papers/?page_size=1",
        f"/api/v1/members/{world.users['member'].username}/",
    ]
    seen, walked = set(queue), 0
    while queue:
        url = queue.pop(0)
        response = read(client, url, world.token(reader))
        walked += 1
        text = response.content.decode() + json.dumps(dict(response.items()))
        assert not MARKED.search(text), f"{url} as {reader}: {MARKED.findall(text)}"
        if response.status_code != 200 or "/schema/" in url or "/docs/" in url:
            continue
        for found in _api_addresses(response.json(), base):
            if found not in seen:
                seen.add(found)
                queue.append(found)
    assert walked > 15  # it walked: clubs, papers, discussions, comments, sessions, members
