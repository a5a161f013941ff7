import datetime
import time

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from discussions import services as discussion_services
from discussions.models import Comment, Discussion, Follow, Reaction
from notifications import services, tokens
from notifications.models import Delivery, Notification, NotificationSettings
from tests.factories import CommentFactory, DiscussionFactory, UserFactory
from tests.notifications.factories import (
    FollowFactory,
    NotificationFactory,
    NotificationSettingsFactory,
)

Kind = Notification.Kind


def kinds_by_recipient(comment=None) -> dict:
    notifications = Notification.objects.all()
    if comment is not None:
        notifications = notifications.filter(comment=comment)
    return {n.recipient_id: n.kind for n in notifications}


# --- New comments ----------------------------------------------------------------------------


def test_a_reply_notifies_the_author_of_the_parent(answer, member):
    reply = CommentFactory(parent=answer, author=member)
    services.notify_comment_posted(comment_id=reply.pk)
    notification = Notification.objects.get(recipient=answer.author)
    assert notification.kind == Kind.REPLY
    assert notification.comment == reply
    assert notification.actor == member
    assert notification.discussion == answer.question.discussion
    assert notification.email_delivery == Delivery.IMMEDIATE  # the default for replies


def test_a_reply_to_a_deleted_comment_is_no_reply_to_its_author(answer):
    reply = CommentFactory(parent=answer)
    answer.deleted_at = timezone.now()
    answer.save()
    services.notify_comment_posted(comment_id=reply.pk)
    assert answer.author_id not in kinds_by_recipient(reply)


def test_followers_of_thread_question_and_discussion_and_the_host_hear_of_a_comment(
    discussion, question, answer
):
    thread_follower = FollowFactory(discussion=None, thread=answer).member
    question_follower = FollowFactory(discussion=None, question=question).member
    discussion_follower = FollowFactory(discussion=discussion).member
    elsewhere = FollowFactory(discussion=None, question=discussion.questions.get(number=2))
    reply = CommentFactory(parent=answer)

    services.notify_comment_posted(comment_id=reply.pk)

    assert kinds_by_recipient(reply) == {
        answer.author_id: Kind.REPLY,
        thread_follower.pk: Kind.FOLLOWED_COMMENT,
        question_follower.pk: Kind.FOLLOWED_COMMENT,
        discussion_follower.pk: Kind.FOLLOWED_COMMENT,
        discussion.host_id: Kind.FOLLOWED_COMMENT,  # hosts follow their discussion
    }
    assert elsewhere.member_id not in kinds_by_recipient(reply)
    followed = Notification.objects.get(recipient=discussion_follower)
    assert followed.email_delivery == Delivery.DAILY  # the default for followed activity


def test_the_author_is_never_notified_of_their_own_comment(discussion, answer):
    FollowFactory(discussion=discussion, member=answer.author)
    reply = CommentFactory(parent=answer, author=answer.author, body=f"@{answer.author.username}")
    services.notify_comment_posted(comment_id=reply.pk)
    assert answer.author_id not in kinds_by_recipient(reply)


def test_one_notification_per_recipient_the_most_specific_kind_wins(discussion, answer):
    FollowFactory(discussion=discussion, member=answer.author)
    reply = CommentFactory(parent=answer, body=f"Thanks @{answer.author.username.upper()}!")
    services.notify_comment_posted(comment_id=reply.pk)
    assert Notification.objects.filter(recipient=answer.author).count() == 1
    assert kinds_by_recipient(reply)[answer.author_id] == Kind.MENTION


def test_posting_follows_the_thread(question, answer, member):
    reply = CommentFactory(parent=CommentFactory(parent=answer), author=member)
    services.notify_comment_posted(comment_id=reply.pk)
    services.notify_comment_posted(comment_id=answer.pk)
    assert Follow.objects.filter(member=member, thread=answer).exists()  # the root, not parent
    assert Follow.objects.filter(member=answer.author, thread=answer).exists()


def test_a_member_who_posted_in_a_thread_hears_of_later_replies(answer, member):
    first = CommentFactory(parent=answer, author=member)
    services.notify_comment_posted(comment_id=first.pk)
    later = CommentFactory(parent=answer)
    services.notify_comment_posted(comment_id=later.pk)
    assert kinds_by_recipient(later)[member.pk] == Kind.FOLLOWED_COMMENT


def test_running_the_fan_out_twice_notifies_once(discussion, answer):
    FollowFactory.create_batch(3, discussion=discussion)
    reply = CommentFactory(parent=answer)
    services.notify_comment_posted(comment_id=reply.pk)
    services.notify_comment_posted(comment_id=reply.pk)
    assert Notification.objects.count() == 5  # 3 followers, the host, the parent's author


def test_the_fan_out_query_count_does_not_grow_with_the_followers(
    discussion, question, django_assert_num_queries
):
    def post_with_followers(count):
        answer = CommentFactory(question=question)
        FollowFactory.create_batch(count, discussion=None, thread=answer)
        return CommentFactory(parent=answer, body="Hello @nobody-here")

    few, many = post_with_followers(2), post_with_followers(40)
    with django_assert_num_queries(7, exact=False) as at_few:
        services.notify_comment_posted(comment_id=few.pk)
    with django_assert_num_queries(len(at_few.captured_queries)):
        services.notify_comment_posted(comment_id=many.pk)
    assert Notification.objects.filter(comment=many).count() == 42


def test_mentions_of_unknown_inactive_or_paused_members_notify_no_one(question):
    inactive = UserFactory(username="gone", is_active=False)
    paused = NotificationSettingsFactory(member__username="resting", paused=True).member
    comment = CommentFactory(question=question, body="@nobody @gone @resting hello")
    services.notify_comment_posted(comment_id=comment.pk)
    assert set(kinds_by_recipient(comment)) == {question.discussion.host_id}
    assert not Notification.objects.filter(recipient__in=[inactive, paused]).exists()


def test_mentions_in_code_are_not_mentions(question, member):
    comment = CommentFactory(question=question, body=f"`@{member.username}`")
    services.notify_comment_posted(comment_id=comment.pk)
    assert member.pk not in kinds_by_recipient(comment)


def test_a_deleted_comment_notifies_no_one(answer):
    reply = CommentFactory(parent=answer, deleted_at=timezone.now())
    assert services.notify_comment_posted(comment_id=reply.pk) == 0
    assert services.notify_comment_posted(comment_id=10**9) == 0
    assert not Notification.objects.exists()


@pytest.mark.skipif(not hasattr(Comment, "Status"), reason="comments have no moderation status")
def test_a_comment_held_for_review_notifies_no_one_until_published(answer):
    reply = CommentFactory(parent=answer, status="pending")
    assert services.notify_comment_posted(comment_id=reply.pk) == 0
    assert not Notification.objects.exists()


def test_a_paused_member_gets_nothing(answer):
    NotificationSettingsFactory(member=answer.author, paused=True)
    services.notify_comment_posted(comment_id=CommentFactory(parent=answer).pk)
    assert not Notification.objects.filter(recipient=answer.author).exists()


def test_the_chosen_delivery_is_recorded(answer):
    NotificationSettingsFactory(member=answer.author, reply=Delivery.WEEKLY)
    services.notify_comment_posted(comment_id=CommentFactory(parent=answer).pk)
    assert Notification.objects.get(recipient=answer.author).email_delivery == Delivery.WEEKLY


# --- Edits, helpful marks, new discussions ---------------------------------------------------


def test_an_edit_notifies_only_newly_mentioned_members_once(question, member):
    other = UserFactory()
    comment = discussion_services.comment_post(
        question=question, author=member, body=f"Hi @{other.username}"
    )
    services.notify_comment_posted(comment_id=comment.pk)
    newcomer = UserFactory()
    comment = discussion_services.comment_edit(
        comment=comment, editor=member, body=f"Hi @{other.username} and @{newcomer.username}"
    )
    services.notify_comment_edited(comment_id=comment.pk)
    services.notify_comment_edited(comment_id=comment.pk)  # edited again, or a retry

    assert Notification.objects.filter(recipient=other).count() == 1
    assert Notification.objects.get(recipient=newcomer).kind == Kind.MENTION


def test_an_edit_does_not_renotify_someone_already_told_about_the_comment(answer, member):
    reply = CommentFactory(parent=answer, author=member)
    services.notify_comment_posted(comment_id=reply.pk)
    reply.body = f"Now mentioning @{answer.author.username}"
    reply.save()
    services.notify_comment_edited(comment_id=reply.pk)
    assert Notification.objects.filter(recipient=answer.author).count() == 1


def test_a_helpful_mark_notifies_the_author_once_per_member(answer, member):
    Reaction.objects.create(comment=answer, member=member)
    services.notify_marked_helpful(comment_id=answer.pk, member_id=member.pk)
    services.notify_marked_helpful(comment_id=answer.pk, member_id=member.pk)
    notification = Notification.objects.get()
    assert notification.recipient == answer.author
    assert notification.kind == Kind.HELPFUL
    assert notification.actor == member
    assert notification.email_delivery == Delivery.WEEKLY  # the default for helpful marks


def test_a_helpful_mark_taken_back_before_the_worker_ran_notifies_no_one(answer, member):
    assert services.notify_marked_helpful(comment_id=answer.pk, member_id=member.pk) == 0
    assert not Notification.objects.exists()


def test_a_new_discussion_is_announced_to_members_who_opted_in(db):
    discussion = DiscussionFactory(status=Discussion.Status.DRAFT)
    opted_in = NotificationSettingsFactory(announcements=True).member
    by_digest = NotificationSettingsFactory(
        announcements=True, discussion_opened=Delivery.WEEKLY
    ).member
    NotificationSettingsFactory(announcements=True, paused=True)
    NotificationSettingsFactory(announcements=False)
    NotificationSettingsFactory(member=discussion.host, announcements=True)
    UserFactory()  # no settings: no announcements

    assert services.notify_discussion_opened(discussion_id=discussion.pk) == 0  # still a draft
    discussion_services.discussion_open(discussion=discussion)
    services.notify_discussion_opened(discussion_id=discussion.pk)
    services.notify_discussion_opened(discussion_id=discussion.pk)

    notifications = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(notifications) == {opted_in.pk, by_digest.pk}
    assert notifications[opted_in.pk].kind == Kind.DISCUSSION_OPENED
    assert notifications[opted_in.pk].comment is None
    assert notifications[opted_in.pk].email_delivery == Delivery.IMMEDIATE
    assert notifications[by_digest.pk].email_delivery == Delivery.WEEKLY


# --- Reading and settings --------------------------------------------------------------------


def test_mark_one_and_all_read(member):
    first, second, other = (
        NotificationFactory(recipient=member),
        NotificationFactory(recipient=member),
        NotificationFactory(),
    )
    services.notification_mark_read(member=member, notification=first)
    first.refresh_from_db()
    assert first.read_at is not None
    assert services.notification_mark_all_read(member=member) == 1
    second.refresh_from_db()
    other.refresh_from_db()
    assert second.read_at is not None
    assert other.read_at is None


def test_a_member_cannot_mark_another_members_notification(member):
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(member=member, notification=NotificationFactory())


def test_new_settings_apply_to_notifications_still_waiting_for_their_email(member):
    waiting = NotificationFactory(recipient=member, email_delivery=Delivery.IMMEDIATE)
    sent = NotificationFactory(
        recipient=member, email_delivery=Delivery.IMMEDIATE, emailed_at=timezone.now()
    )
    never = NotificationFactory(recipient=member, email_delivery=Delivery.NEVER)

    services.notification_settings_save(member=member, reply=Delivery.DAILY)

    assert NotificationSettings.objects.get(member=member).reply == Delivery.DAILY
    for notification in (waiting, sent, never):
        notification.refresh_from_db()
    assert waiting.email_delivery == Delivery.DAILY
    assert sent.email_delivery == Delivery.IMMEDIATE
    assert never.email_delivery == Delivery.NEVER  # not resurrected


def test_settings_reject_an_unknown_delivery(member):
    with pytest.raises(ValidationError):
        services.notification_settings_save(member=member, reply="hourly")


# --- Unsubscribe tokens ----------------------------------------------------------------------


def test_an_unsubscribe_token_names_its_member_and_scope(member):
    token = tokens.unsubscribe_token(member=member, scope=Kind.REPLY)
    assert tokens.read_unsubscribe_token(token) == (member, Kind.REPLY)


def test_a_tampered_unsubscribe_token_is_refused(member):
    token = tokens.unsubscribe_token(member=member, scope=Kind.REPLY)
    _payload, timestamp_and_signature = token.split(":", 1)
    someone_else = signing.b64_encode(f'{{"m":{UserFactory().pk},"s":"reply"}}'.encode())
    forged = f"{someone_else.decode()}:{timestamp_and_signature}"
    with pytest.raises(signing.BadSignature):
        tokens.read_unsubscribe_token(forged)
    with pytest.raises(signing.BadSignature):
        tokens.read_unsubscribe_token(token[:-2] + "xx")


def test_an_expired_unsubscribe_token_is_refused(member, monkeypatch):
    long_ago = time.time() - datetime.timedelta(days=61).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    token = tokens.unsubscribe_token(member=member, scope=Kind.REPLY)
    monkeypatch.undo()
    with pytest.raises(signing.SignatureExpired):
        tokens.read_unsubscribe_token(token)


def test_unsubscribing_from_a_digest_turns_off_every_kind_it_carries(member):
    NotificationSettingsFactory(member=member, helpful=Delivery.DAILY)
    assert services.notification_unsubscribe(member=member, scope=Delivery.DAILY) == [
        Kind.FOLLOWED_COMMENT,
        Kind.HELPFUL,
    ]
    preferences = NotificationSettings.objects.get(member=member)
    assert preferences.followed_comment == preferences.helpful == Delivery.NEVER
    assert preferences.reply == Delivery.IMMEDIATE


# --- Hooks in the discussion services --------------------------------------------------------


def test_posting_enqueues_the_fan_out_when_the_transaction_commits(question, member, worker):
    FollowFactory(discussion=question.discussion)
    with worker():
        discussion_services.comment_post(question=question, author=member, body="Hello")
    assert Notification.objects.filter(kind=Kind.FOLLOWED_COMMENT).count() == 2


def test_nothing_is_enqueued_for_a_post_that_is_rolled_back(
    question, member, django_capture_on_commit_callbacks
):
    def post_then_fail():
        with transaction.atomic():
            discussion_services.comment_post(question=question, author=member, body="Hello")
            raise RuntimeError

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        post_then_fail()
    assert callbacks == []


def test_each_discussion_service_enqueues_its_event(question, member, worker):
    other = UserFactory()
    with worker():
        comment = discussion_services.comment_post(question=question, author=member, body="Hi")
    with worker():
        discussion_services.comment_edit(
            comment=comment, editor=member, body=f"Hi @{other.username}"
        )
    with worker():
        discussion_services.comment_mark_helpful(comment=comment, member=other)
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    NotificationSettingsFactory(member=other, announcements=True)
    with worker():
        discussion_services.discussion_open(discussion=draft)

    assert set(Notification.objects.filter(recipient=other).values_list("kind", flat=True)) == {
        Kind.MENTION,
        Kind.DISCUSSION_OPENED,
    }
    assert Notification.objects.get(recipient=member).kind == Kind.HELPFUL


def test_taking_a_helpful_mark_back_enqueues_nothing(
    answer, member, django_capture_on_commit_callbacks
):
    discussion_services.comment_mark_helpful(comment=answer, member=member)
    with django_capture_on_commit_callbacks() as callbacks:
        discussion_services.comment_mark_helpful(comment=answer, member=member, helpful=False)
        discussion_services.comment_mark_helpful(comment=answer, member=member, helpful=False)
    # Only the page cache's housekeeping (letting go of the kept version) waits for the commit.
    assert [c for c in callbacks if c.__module__ != "discussions.caching"] == []


# --- Private clubs ---------------------------------------------------------------------------


@pytest.fixture
def ward(db):
    """A private club's open discussion, its host, and a member following it."""
    from tests.factories import ClubFactory, MembershipFactory

    club = ClubFactory(visibility="private", joining="invitation")
    discussion = DiscussionFactory(club=club)
    MembershipFactory(club=club, member=discussion.host, role="host")
    follower = UserFactory(username="follower")
    MembershipFactory(club=club, member=follower)
    FollowFactory(member=follower, discussion=discussion)
    return discussion, follower


def remove(member, club, *, ban: bool = False) -> None:
    from clubs.models import Membership

    memberships = Membership.objects.filter(member=member, club=club)
    if ban:
        memberships.update(banned_at=timezone.now())
    else:
        memberships.delete()


def test_outsiders_mentioned_in_a_private_club_are_not_notified(ward):
    discussion, follower = ward
    outsider = UserFactory(username="outsider")
    comment = CommentFactory(
        question=discussion.questions.first(), body="Thoughts, @outsider and @follower?"
    )
    services.notify_comment_posted(comment_id=comment.pk)
    assert kinds_by_recipient(comment) == {
        follower.pk: Kind.MENTION,
        discussion.host_id: Kind.FOLLOWED_COMMENT,
    }
    assert not Notification.objects.filter(recipient=outsider).exists()


@pytest.mark.parametrize("ban", [False, True])
def test_a_member_removed_from_a_private_club_hears_nothing_more_from_it(ward, ban):
    discussion, follower = ward
    remove(follower, discussion.club, ban=ban)
    comment = CommentFactory(question=discussion.questions.first())
    services.notify_comment_posted(comment_id=comment.pk)
    assert follower.pk not in kinds_by_recipient(comment)
    assert Follow.objects.filter(member=follower, discussion=discussion).exists()  # kept


def test_a_new_private_discussion_is_announced_to_its_members_only(ward):
    discussion, follower = ward
    outsider = UserFactory()
    staff = UserFactory(is_staff=True, roles=["Staff"])  # who curates clubs
    for member in (follower, outsider, staff):
        NotificationSettingsFactory(member=member, announcements=True)
    services.notify_discussion_opened(discussion_id=discussion.pk)
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        follower.pk,
        staff.pk,
    }


def test_notifications_waiting_when_a_member_is_removed_are_never_emailed(ward, mailoutbox):
    discussion, follower = ward
    comment = CommentFactory(question=discussion.questions.first(), body="Ward business.")
    services.notify_comment_posted(comment_id=comment.pk)
    NotificationSettingsFactory(member=discussion.host, followed_comment=Delivery.IMMEDIATE)
    Notification.objects.update(email_delivery=Delivery.IMMEDIATE)
    remove(follower, discussion.club)
    report = services.send_pending_immediate()
    assert report.sent == 1
    assert [message.to for message in mailoutbox] == [[discussion.host.email]]
    assert Notification.objects.get(recipient=follower).emailed_at is None


def test_a_digest_leaves_out_what_a_removed_member_may_no_longer_read(ward, mailoutbox):
    discussion, follower = ward
    elsewhere = NotificationFactory(recipient=follower, email_delivery=Delivery.DAILY)
    secret = CommentFactory(question=discussion.questions.first(), body="Ward business.")
    NotificationFactory(recipient=follower, comment=secret, email_delivery=Delivery.DAILY)
    remove(follower, discussion.club, ban=True)
    report = services.send_digest(period=Delivery.DAILY)
    assert report.notifications == 1
    (message,) = mailoutbox
    assert "Ward business" not in message.body
    assert elsewhere.comment.question.discussion.article.title in message.body


def test_site_moderators_keep_hearing_of_held_comments_in_private_clubs(ward, mailoutbox):
    discussion, _follower = ward
    moderator = UserFactory(roles=["Moderators"])
    held = CommentFactory(question=discussion.questions.first(), status=Comment.Status.PENDING)
    NotificationFactory(recipient=moderator, comment=held, kind=Kind.HELD, key="held")
    assert services.send_pending_immediate().sent == 1
    assert Notification.objects.readable().filter(recipient=moderator).count() == 1
