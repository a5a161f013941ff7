import datetime
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import tokens
from notifications.models import Delivery, Notification, NotificationSettings
from tests.factories import CommentFactory, UserFactory
from tests.notifications.factories import (
    FollowFactory,
    NotificationFactory,
    NotificationSettingsFactory,
)

Kind = Notification.Kind
LIST = reverse("notifications:list")
SETTINGS = reverse("notifications:settings")
HTMX = {"HTTP_HX_REQUEST": "true"}


def follow_url(kind, pk):
    return reverse("discussions:follow", kwargs={"kind": kind, "pk": pk})


def unsubscribe_url(member, scope=Kind.REPLY):
    token = tokens.unsubscribe_token(member=member, scope=scope)
    return reverse("notifications:unsubscribe", kwargs={"token": token})


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", LIST),
        ("get", SETTINGS),
        ("post", reverse("notifications:read-all")),
        ("post", reverse("notifications:read", kwargs={"pk": 1})),
        ("post", follow_url("discussion", 1)),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_members_notification_cannot_be_marked(member_client):
    theirs = NotificationFactory()
    response = member_client.post(reverse("notifications:read", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- The list and the bell -------------------------------------------------------------------


def test_the_list_shows_newest_first_unread_highlighted_linking_to_permalinks(
    member_client, member
):
    old = NotificationFactory(
        recipient=member,
        read_at=timezone.now(),
        created_at=timezone.now() - datetime.timedelta(days=1),
    )
    new = NotificationFactory(recipient=member, kind=Kind.MENTION)
    NotificationFactory()  # someone else's

    response = member_client.get(LIST)

    assert [n.pk for n in response.context["page"]] == [new.pk, old.pk]
    content = response.content.decode()
    assert f'href="/comments/{new.comment_id}/"' in content
    assert f'href="/comments/{old.comment_id}/"' in content
    assert content.count("notification--unread") == 1
    assert f"{new.actor.name} mentioned you" in content
    assert "Mark all as read" in content


def test_a_deleted_comment_is_not_quoted_in_the_list(member_client, member):
    NotificationFactory(
        recipient=member, comment__body_html="<p>secret</p>", comment__deleted_at=timezone.now()
    )
    content = member_client.get(LIST).content.decode()
    assert "secret" not in content
    assert "deleted by its author" in content


@pytest.mark.usefixtures("clubs_counted")
def test_the_list_query_count_does_not_grow_with_the_notifications(
    member_client, member, django_assert_num_queries
):
    NotificationFactory.create_batch(2, recipient=member)
    with django_assert_num_queries(8, exact=False) as few:
        member_client.get(LIST)
    NotificationFactory.create_batch(20, recipient=member)
    NotificationFactory(recipient=member, kind=Kind.DISCUSSION_OPENED, comment=None)
    with django_assert_num_queries(len(few.captured_queries)):
        response = member_client.get(LIST)
    assert len(response.context["page"]) == 23


def test_mark_one_read_then_all(member_client, member):
    first, _second = NotificationFactory.create_batch(2, recipient=member)
    response = member_client.post(
        reverse("notifications:read", kwargs={"pk": first.pk}), {"next": "https://evil.example/"}
    )
    assert response["Location"] == LIST
    first.refresh_from_db()
    assert first.read_at is not None

    response = member_client.post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_read_in_place_updates_the_item_and_the_bell(member_client, member):
    first, _second = NotificationFactory.create_batch(2, recipient=member)
    response = member_client.post(
        reverse("notifications:read", kwargs={"pk": first.pk}), {"next": LIST}, **HTMX
    )
    content = response.content.decode()
    assert f'id="notification-{first.pk}"' in content
    assert "notification--unread" not in content
    assert 'id="notification-bell"' in content
    assert 'hx-swap-oob="true"' in content
    assert "Notifications, 1 unread" in content


def test_the_bell_shows_the_unread_count_with_one_query(
    member_client, member, django_assert_num_queries
):
    NotificationFactory.create_batch(4, recipient=member, read_at=timezone.now())
    content = member_client.get(reverse("discussions:home")).content.decode()
    assert 'id="notification-bell"' in content
    assert "bell__count" not in content
    with django_assert_num_queries(20, exact=False) as none_unread:
        member_client.get(reverse("discussions:home"))

    Notification.objects.filter(pk__in=Notification.objects.values("pk")[:3]).update(read_at=None)
    with django_assert_num_queries(len(none_unread.captured_queries)):
        content = member_client.get(reverse("discussions:home")).content.decode()
    assert '<span class="bell__count" aria-hidden="true">3</span>' in content
    assert "Notifications, 3 unread" in content


def test_a_private_club_the_member_left_is_neither_listed_nor_counted(member_client, member):
    from clubs.models import Membership
    from tests.factories import ClubFactory, DiscussionFactory, MembershipFactory

    club = ClubFactory(visibility="private", joining="invitation")
    secret = CommentFactory(
        question=DiscussionFactory(club=club).questions.first(), body="Ward business."
    )
    MembershipFactory(club=club, member=member)
    kept = NotificationFactory(recipient=member, comment=secret)
    assert "Ward business" in member_client.get(LIST).content.decode()
    Membership.objects.filter(club=club, member=member).delete()

    listing = member_client.get(LIST).content.decode()
    assert "Ward business" not in listing
    assert "bell__count" not in member_client.get(reverse("discussions:home")).content.decode()
    read = reverse("notifications:read", args=[kept.pk])
    assert member_client.post(read).status_code == 404
    assert Notification.objects.filter(pk=kept.pk).exists()  # kept, not shown


def test_anonymous_visitors_see_no_bell(client, db):
    assert b"notification-bell" not in client.get(reverse("discussions:home")).content


# --- Settings --------------------------------------------------------------------------------


def test_the_settings_page_lists_follows_with_unfollow_buttons(member_client, member, discussion):
    thread = CommentFactory(question=discussion.questions.first())
    FollowFactory(member=member, discussion=discussion)
    FollowFactory(member=member, discussion=None, question=discussion.questions.last())
    FollowFactory(member=member, discussion=None, thread=thread)
    response = member_client.get(SETTINGS)
    content = response.content.decode()
    assert "Unfollow this discussion" in content
    assert "Unfollow this question" in content
    assert "Unfollow this thread" in content
    assert f"The thread started by {thread.author.name}" in content
    assert response.context["form"]["reply"].value() == Delivery.IMMEDIATE


def test_the_settings_form_saves_each_choice(member_client, member):
    response = member_client.post(
        SETTINGS,
        {
            "reply": Delivery.DAILY,
            "mention": Delivery.IMMEDIATE,
            "followed_comment": Delivery.WEEKLY,
            "helpful": Delivery.NEVER,
            "announcements": "on",
            "discussion_opened": Delivery.WEEKLY,
        },
    )
    assert response["Location"] == SETTINGS
    preferences = NotificationSettings.objects.get(member=member)
    assert preferences.reply == Delivery.DAILY
    assert preferences.followed_comment == Delivery.WEEKLY
    assert preferences.helpful == Delivery.NEVER
    assert preferences.announcements is True
    assert preferences.paused is False


def test_the_settings_form_refuses_an_unknown_choice(member_client, member):
    response = member_client.post(SETTINGS, {"reply": "hourly"})
    assert response.status_code == 200
    assert response.context["form"].errors["reply"]
    assert not NotificationSettings.objects.exists()


# --- Unsubscribe -----------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_before_changing_anything(client, member):
    response = client.get(unsubscribe_url(member))
    assert response.status_code == 200
    assert b"replies to your comments" in response.content
    assert not NotificationSettings.objects.exists()


def test_unsubscribing_turns_off_that_kind_of_email_only(client, member):
    waiting = NotificationFactory(recipient=member)
    response = client.post(unsubscribe_url(member))
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    preferences = NotificationSettings.objects.get(member=member)
    assert preferences.reply == Delivery.NEVER
    assert preferences.mention == Delivery.IMMEDIATE
    waiting.refresh_from_db()
    assert waiting.email_delivery == Delivery.NEVER


def test_one_click_unsubscribe_works_without_a_csrf_token_or_session(db, member):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(member, Delivery.DAILY),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NotificationSettings.objects.get(member=member).followed_comment == Delivery.NEVER


def test_a_tampered_unsubscribe_link_changes_nothing(client, member):
    url = unsubscribe_url(member)
    tampered = url.replace(url.rstrip("/").rsplit(":", 1)[1], "x" * 43)
    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400
        assert b"does not work" in response.content
    assert not NotificationSettings.objects.exists()


def test_an_expired_unsubscribe_link_changes_nothing(client, member, monkeypatch):
    long_ago = time.time() - datetime.timedelta(days=61).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    url = unsubscribe_url(member)
    monkeypatch.undo()
    response = client.post(url)
    assert response.status_code == 400
    assert not NotificationSettings.objects.exists()


def test_an_unsubscribe_link_for_a_member_who_left_changes_nothing(client, db):
    member = UserFactory()
    url = unsubscribe_url(member)
    member.is_active = False
    member.save()
    assert client.post(url).status_code == 400


def test_unsubscribing_twice_is_harmless(client, member):
    NotificationSettingsFactory(member=member, reply=Delivery.NEVER)
    response = client.post(unsubscribe_url(member))
    assert response.status_code == 200
    assert b"not getting these emails" in response.content
