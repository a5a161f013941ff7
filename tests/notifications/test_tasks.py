import os
import signal
import threading

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from discussions import services as discussion_services
from notifications import receivers, tasks
from notifications.models import Delivery, Notification
from tests.factories import CommentFactory, DiscussionFactory, UserFactory
from tests.notifications.factories import (
    FollowFactory,
    NotificationFactory,
    NotificationSettingsFactory,
)

Kind = Notification.Kind
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_reply_reaches_its_parent_author_by_email_and_followers_in_app(
    member_client, member, question, answer, mailoutbox, worker
):
    follower = FollowFactory(discussion=question.discussion).member
    with worker():
        response = member_client.post(
            reverse("discussions:comment-reply", kwargs={"pk": answer.pk}),
            {"body": "A reply worth hearing about"},
        )
    assert response.status_code == 302

    (email,) = mailoutbox  # the parent's author, at once; the follower's is for the digest
    assert email.to == [answer.author.email]
    assert "A reply worth hearing about" in email.body
    followed = Notification.objects.get(recipient=follower)
    assert (followed.kind, followed.email_delivery) == (Kind.FOLLOWED_COMMENT, Delivery.DAILY)
    assert followed.emailed_at is None


def test_a_retried_task_notifies_and_emails_once(question, answer, mailoutbox, worker):
    reply = CommentFactory(parent=answer)
    with worker():
        first = tasks.comment_posted.enqueue(comment_id=reply.pk)
        second = tasks.comment_posted.enqueue(comment_id=reply.pk)
    assert first.status == second.status == TaskResultStatus.SUCCESSFUL
    assert Notification.objects.filter(recipient=answer.author).count() == 1
    assert len(mailoutbox) == 1


def test_a_mention_is_emailed_once_even_after_edits(question, member, mailoutbox, worker):
    mentioned = UserFactory()
    with worker():
        comment = discussion_services.comment_post(
            question=question, author=member, body=f"What do you think, @{mentioned.username}?"
        )
    for body in (f"Edited, still asking @{mentioned.username}", f"@{mentioned.username} again"):
        with worker():
            comment = discussion_services.comment_edit(comment=comment, editor=member, body=body)

    assert [email.to for email in mailoutbox] == [[mentioned.email]]
    assert "mentioned you" in mailoutbox[0].subject
    assert Notification.objects.filter(recipient=mentioned).count() == 1


def test_mentions_of_unknown_or_unwilling_members_raise_nothing_and_send_no_mail(
    question, member, mailoutbox, worker
):
    paused = NotificationSettingsFactory(member__username="resting", paused=True).member
    no_email = NotificationSettingsFactory(member__username="quiet", mention=Delivery.NEVER).member
    with worker():
        discussion_services.comment_post(
            question=question, author=member, body="@nobody-by-that-name @resting @quiet hello"
        )

    assert mailoutbox == []
    assert not Notification.objects.filter(recipient=paused).exists()
    # Members who turned mention emails off still see the mention on their page.
    assert Notification.objects.get(recipient=no_email).email_delivery == Delivery.NEVER


def test_a_failing_mail_server_does_not_fail_the_task(db, mail_server_down):
    NotificationFactory()
    result = tasks.send_immediate_emails.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"sent": 0, "failed": 1, "notifications": 0}
    assert Notification.objects.get().email_attempts == 1


def test_digest_task(db, mailoutbox):
    NotificationFactory(email_delivery=Delivery.WEEKLY)
    result = tasks.send_digest_emails.enqueue(period=Delivery.WEEKLY)
    assert result.return_value == {"sent": 1, "failed": 0, "notifications": 1}


def test_the_request_only_enqueues_the_fan_out(
    member_client,
    member,
    question,
    answer,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    """
    With a thousand followers or none, a reply costs the request one more query: the task
    row. The fan-out and the emails happen in the worker.
    """
    settings.TASKS = DATABASE_BACKEND
    FollowFactory.create_batch(30, discussion=question.discussion)
    url = reverse("discussions:comment-reply", kwargs={"pk": answer.pk})

    monkeypatch.setattr(receivers, "_enqueue_on_commit", lambda *args, **kwargs: None)
    with (
        django_assert_num_queries(30, exact=False) as without,
        django_capture_on_commit_callbacks(execute=True),
    ):
        member_client.post(url, {"body": "first"})
    monkeypatch.undo()
    settings.TASKS = DATABASE_BACKEND
    with (
        django_assert_num_queries(len(without.captured_queries) + 1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        member_client.post(url, {"body": "second"})

    assert not Notification.objects.exists()
    assert DBTaskResult.objects.get().task_path == "notifications.tasks.comment_posted"


# How long the worker may take, at most, for the three tasks below: far more than they need
# (a second or two) even on a loaded machine, so reaching it means the worker is stuck.
WORKER_DEADLINE = 120


def run_worker_to_completion(deadline: float = WORKER_DEADLINE) -> None:
    """
    Run `manage.py run_worker --batch` in this process: it runs every ready task, including
    those the tasks enqueue, and returns when none is left. There is nothing to wait for
    and so no sleep to race. The one way it could run forever (a database that stays
    locked: the worker retries, as it should) is bounded: after ``deadline`` seconds a
    timer sends the worker SIGTERM, its graceful shutdown, and the test fails saying so.
    """
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    stopped = threading.Event()

    def stop():
        stopped.set()
        os.kill(os.getpid(), signal.SIGTERM)

    timer = threading.Timer(deadline, stop)
    timer.start()
    try:
        call_command("run_worker", "--batch", "--interval", "0.1", verbosity=0)
    except SystemExit:
        stopped.set()  # stopped between two tasks
    finally:
        timer.cancel()
        timer.join()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if stopped.is_set():
        pytest.fail(f"run_worker did not finish its tasks within {deadline} seconds")


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_delivers_end_to_end(settings, mailoutbox):
    """Post, commit, run `manage.py run_worker --batch`: notified in-app and by email."""
    settings.TASKS = DATABASE_BACKEND
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    author, replier = UserFactory(), UserFactory()
    answer = discussion_services.comment_post(question=question, author=author, body="Answer")
    discussion_services.comment_post(question=question, author=replier, body="Reply", parent=answer)
    assert DBTaskResult.objects.count() == 2  # enqueued on commit, not run
    assert not Notification.objects.exists()

    run_worker_to_completion()

    results = list(DBTaskResult.objects.all())
    failures = [
        (r.task_path, r.status, r.traceback)
        for r in results
        if r.status != TaskResultStatus.SUCCESSFUL
    ]
    assert not failures
    # The two fan-outs and the sending that the reply's fan-out enqueued.
    assert sorted(r.task_path.rsplit(".", 1)[1] for r in results) == [
        "comment_posted",
        "comment_posted",
        "send_immediate_emails",
    ]
    reply = Notification.objects.get(recipient=author, kind=Kind.REPLY)
    assert reply.emailed_at is not None
    assert [email.to for email in mailoutbox] == [[author.email]]
    assert "Reply" in mailoutbox[0].body
    # The host follows the discussion: both comments, for the daily digest.
    host_notifications = Notification.objects.filter(recipient=discussion.host)
    assert host_notifications.count() == 2
    assert set(host_notifications.values_list("email_delivery", "emailed_at")) == {
        (Delivery.DAILY, None)
    }
