import datetime

import pytest
from django.utils import timezone

from discussions.models import Comment
from notifications import services, tokens
from notifications.models import MAX_EMAIL_ATTEMPTS, Delivery, Notification
from tests.factories import CommentFactory, DiscussionFactory, UserFactory
from tests.notifications.factories import NotificationFactory

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.JOURNAL_CLUB_BASE_URL = "https://club.example.org"


def later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


# --- One email per notification --------------------------------------------------------------


def test_an_immediate_email_is_multipart_with_one_click_unsubscribe(db, mailoutbox):
    notification = NotificationFactory(comment__body="I **agree** & would add one thing.")

    report = services.send_pending_immediate()

    assert report.sent == 1
    (email,) = mailoutbox
    assert email.to == [notification.recipient.email]
    assert "replied to your comment" in email.subject
    assert "\n" not in email.subject
    permalink = f"https://club.example.org/comments/{notification.comment_id}/"
    assert permalink in email.body
    assert "I agree & would add one thing." in email.body  # plain text, not Markdown or HTML
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{permalink}"' in html
    assert "I agree &amp; would add one thing." in html
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://club.example.org/notifications/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in html
    assert unsubscribe.strip("<>") in email.body
    token = unsubscribe.strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert tokens.read_unsubscribe_token(token) == (notification.recipient, Kind.REPLY)
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_comment_text_is_escaped_in_the_html_email(db, mailoutbox):
    NotificationFactory(comment__body_html="<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    services.send_pending_immediate()
    ((html, _mimetype),) = mailoutbox[0].alternatives
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (Kind.REPLY, "replied to your comment"),
        (Kind.MENTION, "mentioned you"),
        (Kind.FOLLOWED_COMMENT, "commented in a conversation you follow"),
        (Kind.HELPFUL, "marked your comment helpful"),
    ],
)
def test_each_comment_event_has_its_email(db, mailoutbox, kind, words):
    NotificationFactory(kind=kind)
    services.send_pending_immediate()
    assert words in mailoutbox[0].subject
    assert words in mailoutbox[0].body


def test_a_new_discussion_email_links_to_the_discussion(db, mailoutbox):
    discussion = DiscussionFactory()
    NotificationFactory(
        kind=Kind.DISCUSSION_OPENED,
        comment=None,
        discussion=discussion,
        actor=discussion.host,
        key=f"opened:{discussion.pk}",
    )
    services.send_pending_immediate()
    (email,) = mailoutbox
    assert "A new discussion has opened" in email.subject
    assert f"https://club.example.org{discussion.get_absolute_url()}" in email.body
    assert discussion.article.title in email.body


@pytest.mark.parametrize(
    ("delivery", "immediate", "daily", "weekly"),
    [
        (Delivery.IMMEDIATE, 1, 0, 0),
        (Delivery.DAILY, 0, 1, 0),
        (Delivery.WEEKLY, 0, 0, 1),
        (Delivery.NEVER, 0, 0, 0),
    ],
)
def test_each_delivery_choice_is_sent_by_its_own_run(
    db, mailoutbox, delivery, immediate, daily, weekly
):
    NotificationFactory(email_delivery=delivery)
    assert services.send_pending_immediate().sent == immediate
    assert services.send_digest(period=Delivery.DAILY).sent == daily
    assert services.send_digest(period=Delivery.WEEKLY).sent == weekly
    assert len(mailoutbox) == immediate + daily + weekly


def test_a_second_run_sends_nothing_again(db, mailoutbox):
    NotificationFactory.create_batch(2)
    NotificationFactory(email_delivery=Delivery.DAILY)
    services.send_pending_immediate()
    services.send_digest(period=Delivery.DAILY)
    assert services.send_pending_immediate().sent == 0
    assert services.send_digest(period=Delivery.DAILY).sent == 0
    assert len(mailoutbox) == 3


def test_members_without_a_verified_address_or_inactive_are_not_emailed(db, mailoutbox):
    NotificationFactory(recipient=UserFactory(verified=False))
    NotificationFactory(recipient=UserFactory(is_active=False))
    assert services.send_pending_immediate().sent == 0
    assert mailoutbox == []


# --- Failures, retries and leases ------------------------------------------------------------


def test_a_failing_mail_server_leaves_the_notification_pending_for_a_later_retry(
    db, mailoutbox, settings, mail_server_down
):
    notification = NotificationFactory()

    report = services.send_pending_immediate()

    assert (report.sent, report.failed) == (0, 1)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert notification.email_attempts == 1
    assert notification.email_locked_until > timezone.now()  # backing off
    assert services.send_pending_immediate().failed == 0  # not yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_pending_immediate(now=later(6)).sent == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert len(mailoutbox) == 1


def test_retries_back_off_and_stop_after_the_last_attempt(db, mail_server_down):
    notification = NotificationFactory()
    now = timezone.now()
    for attempt in range(1, MAX_EMAIL_ATTEMPTS + 1):
        assert services.send_pending_immediate(now=now).failed == 1
        notification.refresh_from_db()
        assert notification.email_attempts == attempt
        assert notification.email_locked_until == now + services.retry_delay(attempt)
        now = notification.email_locked_until
    assert services.send_pending_immediate(now=now + datetime.timedelta(days=1)).failed == 0


def test_a_digest_that_fails_is_retried_whole(db, mailoutbox, settings, mail_server_down):
    member = UserFactory()
    NotificationFactory.create_batch(2, recipient=member, email_delivery=Delivery.DAILY)
    assert services.send_digest(period=Delivery.DAILY).failed == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = services.send_digest(period=Delivery.DAILY, now=later(6))
    assert (report.sent, report.notifications) == (1, 2)
    assert len(mailoutbox) == 1


def test_notifications_leased_by_another_run_are_left_until_the_lease_ends(db, mailoutbox):
    """A run that crashed after sending can cause one repeat, never a lost email."""
    notification = NotificationFactory()
    Notification.objects.filter(pk=notification.pk).update(
        email_claim="crashed-run", email_locked_until=later(15)
    )
    assert services.send_pending_immediate().sent == 0
    assert services.send_pending_immediate(now=later(16)).sent == 1
    assert len(mailoutbox) == 1


# --- Digests ---------------------------------------------------------------------------------


def test_a_digest_groups_a_members_notifications_by_discussion(db, mailoutbox):
    member = UserFactory()
    first, second = DiscussionFactory(), DiscussionFactory()
    for discussion, text in ((first, "alpha"), (second, "beta"), (first, "gamma")):
        NotificationFactory(
            recipient=member,
            kind=Kind.FOLLOWED_COMMENT,
            email_delivery=Delivery.DAILY,
            comment=CommentFactory(question=discussion.questions.first(), body=text),
        )
    NotificationFactory(email_delivery=Delivery.DAILY)  # someone else's

    report = services.send_digest(period=Delivery.DAILY)

    assert (report.sent, report.notifications) == (2, 4)
    (email,) = [email for email in mailoutbox if email.to == [member.email]]
    assert email.subject == "[Journal Club] Your daily digest: 3 updates"
    body = email.body
    assert body.count(first.article.title) == 1
    assert body.index(first.article.title) < body.index("alpha") < body.index("gamma")
    assert body.index(second.article.title) < body.index("beta")
    ((html, _mimetype),) = email.alternatives
    assert html.count("<h2") == 2
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = email.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert tokens.read_unsubscribe_token(token) == (member, Delivery.DAILY)


def test_a_comment_deleted_before_the_digest_is_not_quoted(db, mailoutbox):
    member = UserFactory()
    kept = CommentFactory(body="This one stays.")
    gone = CommentFactory(question=kept.question, body="Words the author took back.")
    for comment in (kept, gone):
        NotificationFactory(recipient=member, comment=comment, email_delivery=Delivery.WEEKLY)
    gone.deleted_at = timezone.now()  # the body is still in the row; it must not be used
    gone.save()

    services.send_digest(period=Delivery.WEEKLY)

    (email,) = mailoutbox
    assert "This one stays." in email.body
    assert "took back" not in email.body
    assert "took back" not in email.alternatives[0][0]
    assert "1 update" in email.subject


@pytest.mark.skipif(not hasattr(Comment, "Status"), reason="comments have no moderation status")
def test_a_comment_hidden_by_a_moderator_is_not_emailed(db, mailoutbox):
    notification = NotificationFactory(comment__body="Spam, spam, spam.")
    Comment.objects.filter(pk=notification.comment_id).update(status="hidden")
    assert services.send_pending_immediate().sent == 0
    assert services.send_digest(period=Delivery.DAILY).sent == 0
    assert mailoutbox == []


def test_a_digest_of_only_deleted_comments_is_not_sent(db, mailoutbox):
    NotificationFactory(comment__deleted_at=timezone.now(), email_delivery=Delivery.DAILY)
    assert services.send_digest(period=Delivery.DAILY).sent == 0
    assert mailoutbox == []


def test_the_digest_query_count_does_not_grow_with_the_members(
    db, mailoutbox, django_assert_num_queries
):
    def members_with_notifications(count):
        discussion = DiscussionFactory()
        for _ in range(count):
            member = UserFactory()
            for _ in range(2):
                NotificationFactory(
                    recipient=member,
                    email_delivery=Delivery.DAILY,
                    comment=CommentFactory(question=discussion.questions.first()),
                )

    members_with_notifications(2)
    with django_assert_num_queries(8, exact=False) as few:
        services.send_digest(period=Delivery.DAILY)
    members_with_notifications(15)
    with django_assert_num_queries(len(few.captured_queries)):
        report = services.send_digest(period=Delivery.DAILY)
    assert (report.sent, report.notifications) == (15, 30)


def test_an_unknown_digest_period_is_refused(db):
    with pytest.raises(ValueError, match="period"):
        services.send_digest(period="hourly")
