"""
Pseudonymous posting: a member of a club that allows it posts in a discussion under a name
of their choosing, the same throughout it. Nobody but the club's leads and moderators (each
look logged) can learn who it is, on any surface: pages, fragments, quotes, history, feeds,
search, notifications, emails, mentions, profiles, the API and the moderation pages.
"""

import contextlib
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from clubs.models import Role
from discussions import services
from discussions.models import Comment, Pseudonym
from moderation.models import ModerationAction
from notifications import services as notification_services
from notifications.models import Delivery, Notification, NotificationSettings
from tests.factories import ClubFactory, DiscussionFactory, MembershipFactory, UserFactory

SECRET_NAME = "Zelda Quenby"
SECRET_HANDLE = "zquenby"
SECRET_AFFILIATION = "Harrowgate Secret Observatory"
PSEUDONYM = "Night Owl"
WORDS = "quokkaflavoured implementation anecdote"


def leaks(content: str) -> list[str]:
    """What of the author's identity shows in this text."""
    found = []
    for secret in (SECRET_NAME, SECRET_HANDLE, SECRET_AFFILIATION, f"/members/{SECRET_HANDLE}"):
        if secret.lower() in content.lower():
            found.append(secret)
    return found


@pytest.fixture
def scene(db, django_capture_on_commit_callbacks):
    """
    A club that allows pseudonyms; its discussion; a member (the secret author) who posts
    an answer under a pseudonym, replying to another member and mentioning them; that
    other member, who is emailed at once.
    """
    club = ClubFactory(pseudonyms=True)
    discussion = DiscussionFactory(club=club)
    question = discussion.questions.first()
    author = UserFactory(
        display_name=SECRET_NAME, username=SECRET_HANDLE, affiliation=SECRET_AFFILIATION
    )
    other = UserFactory(display_name="Olive Other", username="olive")
    for member in (author, other):
        MembershipFactory(club=club, member=member)
    NotificationSettings.objects.update_or_create(
        member=other, defaults={"reply": Delivery.IMMEDIATE, "mention": Delivery.IMMEDIATE}
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.comment_post(question=question, author=other, body="An opening answer.")
        secret = services.comment_post(
            question=question,
            author=author,
            body=f"A {WORDS}, as @olive will know.",
            parent=first,
            pseudonym=PSEUDONYM,
        )
        answer = services.comment_post(
            question=question, author=author, body="A second thought.", pseudonym=""
        )
    return {
        "club": club,
        "discussion": discussion,
        "question": question,
        "author": author,
        "other": other,
        "first": first,
        "secret": secret,
        "answer": answer,
    }


# --- The rules ------------------------------------------------------------------------------


def test_the_pseudonym_is_kept_for_the_whole_discussion(scene):
    assert scene["secret"].pseudonym.name == PSEUDONYM
    assert scene["answer"].pseudonym_id == scene["secret"].pseudonym_id
    assert Pseudonym.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.comment_post(
            question=scene["question"], author=scene["author"], body="x", pseudonym="Lark"
        )
    assert PSEUDONYM in str(refused.value)


def test_a_club_that_does_not_allow_pseudonyms_refuses_them(db):
    discussion = DiscussionFactory(club=ClubFactory(pseudonyms=False))
    member = UserFactory()
    with pytest.raises(services.NotAllowed):
        services.comment_post(
            question=discussion.questions.first(), author=member, body="x", pseudonym="Lark"
        )
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Olive Other", "OLIVE", "x", "!!", "a" * 41])
def test_a_pseudonym_may_not_pass_for_someone_or_be_empty(scene, name):
    newcomer = UserFactory()
    MembershipFactory(club=scene["club"], member=newcomer)
    with pytest.raises(ValidationError):
        services.comment_post(question=scene["question"], author=newcomer, body="x", pseudonym=name)


def test_two_members_cannot_share_a_pseudonym(scene):
    newcomer = UserFactory()
    MembershipFactory(club=scene["club"], member=newcomer)
    with pytest.raises(ValidationError):
        services.comment_post(
            question=scene["question"], author=newcomer, body="x", pseudonym="night owl"
        )


def test_comments_carry_the_licence_agreed_at_posting(scene):
    assert scene["secret"].licence == "CC-BY-4.0"


def test_a_host_under_a_pseudonym_wears_no_badge(db):
    club = ClubFactory(pseudonyms=True)
    discussion = DiscussionFactory(club=club)
    services.comment_post(
        question=discussion.questions.first(),
        author=discussion.host,
        body="Unbadged.",
        pseudonym="Quiet Heron",
    )
    content = Client().get(discussion.get_absolute_url()).content.decode()
    article = re.search(
        r'<article class="comment[^"]*" id="comment-\d+">.*?</article>', content, re.S
    )
    assert "Quiet Heron" in article.group(0)
    assert "role--host" not in article.group(0)


def test_the_form_offers_a_pseudonym_only_where_the_club_allows_it(scene):
    client = Client()
    client.force_login(scene["other"])
    content = client.get(scene["discussion"].get_absolute_url()).content.decode()
    assert 'name="as_pseudonym"' in content
    assert 'name="pseudonym"' in content
    client.force_login(scene["author"])
    content = client.get(scene["discussion"].get_absolute_url()).content.decode()
    assert f"Post as “{PSEUDONYM}”" in content
    assert 'name="pseudonym"' not in content
    plain = DiscussionFactory()
    assert 'name="as_pseudonym"' not in client.get(plain.get_absolute_url()).content.decode()


def test_posting_under_a_pseudonym_through_the_form(scene):
    newcomer = UserFactory()
    MembershipFactory(club=scene["club"], member=newcomer)
    client = Client()
    client.force_login(newcomer)
    url = reverse(
        "discussions:comment-create",
        kwargs={"slug": scene["discussion"].slug, "number": scene["question"].number},
    )
    refused = client.post(url, {"body": "Kept text.", "as_pseudonym": "on", "pseudonym": PSEUDONYM})
    assert refused.status_code == 200  # the form again, with why, as typed
    assert "Someone here already goes by that name" in refused.content.decode()
    assert "Kept text." in refused.content.decode()
    assert not Comment.objects.filter(author=newcomer).exists()
    response = client.post(url, {"body": "Fine.", "as_pseudonym": "on", "pseudonym": "Grey Fox"})
    assert response.status_code == 302
    assert Comment.objects.get(author=newcomer).pseudonym.name == "Grey Fox"


# --- Every surface --------------------------------------------------------------------------


def _surfaces(scene) -> dict[str, str]:
    """Every address where the comments under a pseudonym, or news of them, can show."""
    discussion, secret = scene["discussion"], scene["secret"]
    urls = {
        "discussion page": discussion.get_absolute_url(),
        "question page": reverse(
            "discussions:question",
            kwargs={"slug": discussion.slug, "number": scene["question"].number},
        ),
        "comment": reverse("discussions:comment", kwargs={"pk": secret.pk}),
        "quote": reverse("discussions:comment-reply", kwargs={"pk": secret.pk}) + "?quote=1",
        "history": reverse("discussions:comment-revisions", kwargs={"pk": secret.pk}),
        "discussion feed": reverse(
            "discovery:feed-discussion-comments", kwargs={"slug": discussion.slug}
        ),
        "search": reverse("discovery:search") + "?q=quokkaflavoured",
        "home": reverse("discussions:home"),
        "notifications": reverse("notifications:list"),
        "api comments": f"/api/v1/discussions/{discussion.slug}/comments/",
        "api comment": f"/api/v1/comments/{secret.pk}/",
    }
    optional = {
        "annotations": ("discovery:annotations", {"slug": discussion.slug}),
        "proceedings": ("proceedings:proceedings", {"slug": discussion.slug}),
        "proceedings markdown": ("proceedings:proceedings-markdown", {"slug": discussion.slug}),
        "proceedings json-ld": ("proceedings:proceedings-jsonld", {"slug": discussion.slug}),
    }
    for name, (view, kwargs) in optional.items():
        with contextlib.suppress(NoReverseMatch):
            urls[name] = reverse(view, kwargs=kwargs)
    return urls


@pytest.mark.parametrize("reader", ["visitor", "member", "host"])
def test_no_surface_tells_who_is_behind_a_pseudonym(scene, settings, reader):
    settings.JOURNAL_CLUB_EDIT_GRACE = 0
    services.comment_edit(comment=scene["secret"], editor=scene["author"], body=f"A {WORDS}.")
    client = Client()
    if reader == "member":
        client.force_login(scene["other"])
    elif reader == "host":
        client.force_login(scene["discussion"].host)
    shown = 0
    for name, url in _surfaces(scene).items():
        response = client.get(url)
        if response.status_code in (302, 403, 404):  # not for this reader
            continue
        assert response.status_code == 200, (name, response.status_code)
        content = b"".join(response).decode() if response.streaming else response.content.decode()
        assert not leaks(content), (name, leaks(content))
        shown += PSEUDONYM in content
    assert shown >= 8
    if reader == "visitor":  # members see the club's member list, which names everyone
        content = client.get(scene["club"].get_absolute_url()).content.decode()
        assert PSEUDONYM in content
        assert not leaks(content)


def test_notifications_and_emails_name_the_pseudonym(scene):
    notifications = Notification.objects.filter(recipient=scene["other"], comment=scene["secret"])
    assert notifications  # a reply that mentions them: one notification
    for notification in notifications:
        assert notification.summary.startswith(PSEUDONYM)
    notification_services.send_pending_immediate()
    bodies = [
        message.body + "".join(str(part[0]) for part in getattr(message, "alternatives", []))
        for message in mail.outbox
        if scene["other"].email in message.to
    ]
    assert bodies
    for body in bodies:
        assert PSEUDONYM in body
        assert not leaks(body)


def test_the_authors_profile_and_feed_leave_the_pseudonymous_comments_out(scene):
    client = Client()
    profile = client.get(reverse("accounts:profile", kwargs={"username": SECRET_HANDLE}))
    feed = client.get(reverse("discovery:feed-member-comments", kwargs={"username": SECRET_HANDLE}))
    for response in (profile, feed):
        assert response.status_code == 200
        assert WORDS not in response.content.decode()
        assert PSEUDONYM not in response.content.decode()


def test_searching_for_the_author_finds_nothing_under_the_pseudonym(scene):
    content = Client().get(reverse("discovery:search") + f"?q={SECRET_NAME}").content.decode()
    assert WORDS not in content


def test_the_api_gives_the_pseudonym_and_no_handle(scene):
    body = Client().get(f"/api/v1/comments/{scene['secret'].pk}/").json()
    assert body["author"] == {
        "username": None,
        "display_name": PSEUDONYM,
        "pseudonym": True,
        "url": None,
        "api_url": None,
    }


# --- Leads and moderators ---------------------------------------------------------------------


def _moderator(scene):
    moderator = UserFactory()
    MembershipFactory(club=scene["club"], member=moderator, role=Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    return moderator, client


def test_moderators_see_who_it_is_and_each_look_is_logged(scene):
    moderator, client = _moderator(scene)
    url = reverse("moderation:comment", kwargs={"pk": scene["secret"].pk})
    page = client.get(url).content.decode()
    assert PSEUDONYM in page
    assert not leaks(page)
    for look in (1, 2):
        revealed = client.post(url, {"reveal": "1"})
        assert revealed.status_code == 200
        assert SECRET_NAME in revealed.content.decode()
        looks = ModerationAction.objects.filter(
            kind=ModerationAction.Kind.REVEAL, moderator=moderator, comment=scene["secret"]
        )
        assert looks.count() == look
    # The log tells of the looks, not of whom they found.
    log = client.get(reverse("moderation:log")).content.decode()
    assert "Looked up who is behind a pseudonym" in log
    assert not leaks(log)
    assert looks.first().member_id is None


def test_the_queue_shows_the_pseudonym_only(scene):
    from moderation.services import flag_create

    flag_create(comment=scene["secret"], flagger=scene["other"], reason="spam")
    _moderator_user, client = _moderator(scene)
    queue = client.get(reverse("moderation:queue") + "?state=all").content.decode()
    assert PSEUDONYM in queue
    assert not leaks(queue)


def test_members_and_outsiders_cannot_look(scene):
    url = reverse("moderation:comment", kwargs={"pk": scene["secret"].pk})
    for client in (Client(), _logged_in(scene["other"])):
        response = client.post(url, {"reveal": "1"})
        assert response.status_code in (302, 403, 404)
        assert SECRET_NAME not in response.content.decode()
    assert not ModerationAction.objects.filter(kind=ModerationAction.Kind.REVEAL).exists()


def _logged_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client
