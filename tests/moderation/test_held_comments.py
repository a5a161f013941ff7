"""
A held comment is a whole comment: approving it does everything posting it would have done,
its author is told at once why it waits, and the moderators are told that it waits.
"""

import pytest
from django.urls import reverse

from discovery import index
from discussions import services as discussion_services
from discussions.models import Comment, Follow
from moderation import services
from notifications.models import Notification
from tests.factories import CommentFactory, UserFactory

Kind = Notification.Kind


@pytest.fixture
def held_first_posts(settings):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what committed transactions enqueue, as the worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_first_comment_waits_and_its_author_is_told_why(
    client, held_first_posts, question, moderator
):
    newcomer = UserFactory()
    client.force_login(newcomer)
    response = client.post(
        reverse("discussions:comment-create", args=[question.discussion.slug, question.number]),
        {"body": "My first thoughts"},
        follow=True,
    )
    page = response.content.decode()
    assert "your first comment is read by a moderator before others see it" in page
    assert "Awaiting review" in page
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_the_moderators_are_told_in_app_and_by_email(
    held_first_posts, question, moderator, run_tasks, mailoutbox
):
    administrator = UserFactory(is_staff=True, is_superuser=True)
    member, newcomer = UserFactory(), UserFactory()
    with run_tasks():
        comment = discussion_services.comment_post(
            question=question, author=newcomer, body="My first thoughts"
        )
    held = Notification.objects.filter(kind=Kind.HELD)
    assert set(held.values_list("recipient", flat=True)) == {moderator.pk, administrator.pk}
    assert not Notification.objects.filter(recipient=member).exists()
    assert sorted(email.to[0] for email in mailoutbox) == sorted(
        [moderator.email, administrator.email]
    )
    assert "awaits review" in mailoutbox[0].subject
    assert "My first thoughts" not in mailoutbox[0].body  # held text is not mailed around
    assert f"/moderation/comments/{comment.pk}/" in mailoutbox[0].body
    assert held.first().get_absolute_url() == reverse("moderation:comment", args=[comment.pk])


def test_approving_does_what_posting_does(
    client, held_first_posts, question, moderator, run_tasks, mailoutbox
):
    answer = CommentFactory(question=question, body="The answer replied to")
    mentioned = UserFactory(username="lena")
    follower = UserFactory()
    Follow.objects.create(member=follower, question=question)
    newcomer = UserFactory()
    with run_tasks():
        reply = discussion_services.comment_post(
            question=question, author=newcomer, body="A reply for @lena", parent=answer
        )
    assert not Notification.objects.exclude(kind=Kind.HELD).exists()
    mailoutbox.clear()

    with run_tasks():
        services.comment_approve(comment=reply, moderator=moderator)

    kinds = dict(Notification.objects.exclude(kind=Kind.HELD).values_list("recipient", "kind"))
    assert kinds == {
        answer.author_id: Kind.REPLY,
        mentioned.pk: Kind.MENTION,
        follower.pk: Kind.FOLLOWED_COMMENT,
        question.discussion.host_id: Kind.FOLLOWED_COMMENT,
    }
    assert {email.to[0] for email in mailoutbox} == {answer.author.email, mentioned.email}
    assert Follow.objects.filter(member=newcomer, thread=answer).exists()
    assert not Notification.objects.filter(kind=Kind.HELD, read_at__isnull=True).exists()
    index.index_comment(reply)  # what posting did; the search checks the status itself
    found = client.get(reverse("discovery:search"), {"q": "reply", "kind": "comment"})
    assert f"/comments/{reply.pk}/" in found.content.decode()

    # Restoring or approving again notifies nobody twice.
    with run_tasks():
        services.comment_hide(comment=reply, moderator=moderator, reason="Checking")
        services.comment_restore(comment=reply, moderator=moderator)
    assert Notification.objects.exclude(kind=Kind.HELD).count() == 4


def test_approving_and_trusting_the_member_releases_their_other_first_posts(
    held_first_posts, question, moderator, settings
):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 3
    newcomer = UserFactory()
    first, second, third = (
        discussion_services.comment_post(question=question, author=newcomer, body=f"Post {n}")
        for n in range(3)
    )
    flagged = CommentFactory(question=question, author=newcomer, status=Comment.Status.PENDING)
    settings.JOURNAL_CLUB_FLAGS_TO_HIDE = 5
    services.flag_create(comment=flagged, flagger=UserFactory(), reason="spam")

    services.comment_approve_and_trust(comment=first, moderator=moderator)

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == statuses[third.pk] == "published"
    assert statuses[flagged.pk] == "pending"  # flagged: it needs a look of its own


def test_a_comment_flagged_into_review_again_is_announced_again_but_once(
    question, moderator, settings, run_tasks
):
    settings.JOURNAL_CLUB_FLAGS_TO_HIDE = 1
    comment = CommentFactory(question=question)
    with run_tasks():
        services.flag_create(comment=comment, flagger=UserFactory(), reason="spam")
    with run_tasks():
        services.comment_approve(comment=comment, moderator=moderator)
    with run_tasks():
        services.flag_create(comment=comment, flagger=UserFactory(), reason="off_topic")
    held = Notification.objects.filter(recipient=moderator, kind=Kind.HELD)
    assert held.count() == 2
    from notifications.services import notify_comment_held

    notify_comment_held(comment_id=comment.pk, event=held.first().key.split(":")[-1])
    assert held.count() == 2  # a retried task adds nothing


def test_a_held_comment_approved_before_the_email_goes_out_is_not_emailed(
    held_first_posts, question, moderator, mailoutbox
):
    from notifications.services import notify_comment_held, send_pending_immediate

    comment = discussion_services.comment_post(
        question=question, author=UserFactory(), body="First"
    )
    notify_comment_held(comment_id=comment.pk, event="posted")
    services.comment_approve(comment=comment, moderator=moderator)
    send_pending_immediate()
    assert mailoutbox == []


def test_only_moderators_choose_how_to_hear_of_held_comments(client, moderator, member):
    settings_url = reverse("notifications:settings")
    client.force_login(member)
    assert "awaiting review" not in client.get(settings_url).content.decode().lower()
    client.force_login(moderator)
    assert "awaiting review" in client.get(settings_url).content.decode().lower()
