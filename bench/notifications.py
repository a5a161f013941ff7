"""
Notifications at scale: what a reply costs the request, the worker and the digest run.

It measures, in one run:

(a) request: a reply posted through Django's test client (routing, middleware, the view,
    the service) in a thread followed by N members, with notifications disabled and
    enabled (production's database task backend): queries and median time. The difference
    is what notifications add to the request: enqueuing one task row, whatever N is;
(b) worker: the fan-out task for that reply (N notifications) and sending N immediate
    emails with the locmem backend, median of --repeat runs; and one end-to-end
    `manage.py run_worker --batch` run doing both from the enqueued task;
(c) digest: a daily digest run for 100 members and for N members (3 notifications each,
    in two discussions): queries and time, to show the count does not grow per member.

Usage (from the project root, after `make install`):

    DJANGO_SECRET_KEY=x .venv/bin/python bench/notifications.py --followers 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres ... (to run on PostgreSQL)

It works in a throwaway test database (created and dropped here), never in yours.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ["JOURNAL_CLUB_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"

import django

django.setup()

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse


def bulk_members(count: int, prefix: str) -> list:
    """Members with verified addresses, created in a few queries."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    users = User.objects.bulk_create(
        User(username=f"{prefix}{i}", display_name=f"{prefix} {i}", email=f"{prefix}{i}@ex.org")
        for i in range(count)
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
    )
    return users


def timed(function, **kwargs) -> tuple[float, int, object]:
    """Seconds taken, queries run and the result of one call."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function(**kwargs)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), result


def measure_request(followers: int, repeat: int) -> dict:
    from discussions.models import Comment, Follow
    from notifications import events
    from tests.factories import CommentFactory, DiscussionFactory, UserFactory

    discussion = DiscussionFactory()
    thread = CommentFactory(question=discussion.questions.first())
    members = bulk_members(followers, "follower")
    Follow.objects.bulk_create(Follow(member=member, thread=thread) for member in members)
    poster = UserFactory()
    client = Client()
    client.force_login(poster)
    url = reverse("discussions:comment-reply", kwargs={"pk": thread.pk})
    client.post(url, {"body": "warm-up"})  # per-process caches

    def post_replies(label: str) -> tuple[float, int]:
        timings, counts = [], []
        for index in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.post(url, {"body": f"{label} reply {index}"})
                timings.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
            counts.append(len(queries.captured_queries))
        return statistics.median(timings), max(counts)

    enqueue = events._enqueue_on_commit
    events._enqueue_on_commit = lambda *args, **kwargs: None
    try:
        off_time, off_queries = post_replies("disabled")
    finally:
        events._enqueue_on_commit = enqueue
    on_time, on_queries = post_replies("enabled")
    reply = Comment.objects.filter(parent=thread).latest("pk")
    return {
        "off_queries": off_queries,
        "on_queries": on_queries,
        "off_ms": off_time * 1000,
        "on_ms": on_time * 1000,
        "thread": thread,
        "reply": reply,
        "members": members,
    }


def measure_worker(request: dict, repeat: int) -> dict:
    from django_tasks_db.models import DBTaskResult

    from notifications import services
    from notifications.models import Delivery, Notification, NotificationSettings

    # Every follower asks for new comments "immediately", so each is emailed.
    NotificationSettings.objects.bulk_create(
        NotificationSettings(member=member, followed_comment=Delivery.IMMEDIATE)
        for member in request["members"]
    )
    reply = request["reply"]
    fan_out_times, fan_out_queries = [], 0
    for _ in range(repeat):
        Notification.objects.filter(comment=reply).delete()
        elapsed, fan_out_queries, _ = timed(services.notify_comment_posted, comment_id=reply.pk)
        fan_out_times.append(elapsed)
    notified = Notification.objects.filter(comment=reply).count()

    send_times, sent, send_queries = [], 0, 0
    for _ in range(repeat):
        Notification.objects.update(emailed_at=None, email_claim="", email_locked_until=None)
        mail.outbox = []
        elapsed, send_queries, report = timed(services.send_pending_immediate)
        send_times.append(elapsed)
        sent = len(mail.outbox)
        assert report.sent == sent

    # End to end: the task the request enqueued, run by the real worker command.
    Notification.objects.all().delete()
    mail.outbox = []
    DBTaskResult.objects.exclude(args_kwargs__kwargs__comment_id=reply.pk).delete()
    DBTaskResult.objects.update(status="READY", worker_ids=[], started_at=None, finished_at=None)
    started = time.perf_counter()
    call_command("run_worker", "--batch", verbosity=0)
    worker_time = time.perf_counter() - started
    return {
        "notified": notified,
        "fan_out_ms": statistics.median(fan_out_times) * 1000,
        "fan_out_queries": fan_out_queries,
        "sent": sent,
        "send_s": statistics.median(send_times),
        "send_queries": send_queries,
        "worker_s": worker_time,
        "worker_emails": len(mail.outbox),
    }


def measure_digest(members: int, seed: int = 1) -> dict:
    from notifications import services
    from notifications.models import Delivery, Notification
    from tests.factories import CommentFactory, DiscussionFactory, UserFactory

    rng = random.Random(seed)
    Notification.objects.all().delete()  # only this run's members are due
    author = UserFactory()
    comments = [
        CommentFactory(question=discussion.questions.first(), author=author)
        for discussion in (DiscussionFactory(), DiscussionFactory())
        for _ in range(5)
    ]
    recipients = bulk_members(members, f"digest{members}-")
    Notification.objects.bulk_create(
        Notification(
            recipient=member,
            kind=Notification.Kind.FOLLOWED_COMMENT,
            key=f"comment:{comment.pk}",
            discussion_id=comment.question.discussion_id,
            comment=comment,
            actor=author,
            email_delivery=Delivery.DAILY,
        )
        for member in recipients
        for comment in rng.sample(comments, 3)
    )
    mail.outbox = []
    elapsed, queries, report = timed(services.send_digest, period=Delivery.DAILY)
    assert report.sent == members == len(mail.outbox), (report, members)
    Notification.objects.filter(recipient__in=recipients).delete()
    return {"members": members, "queries": queries, "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per median")
    args = parser.parse_args()

    logging.disable(logging.INFO)  # one log line per request and task would drown the table
    setup_test_environment()  # locmem email backend
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Other features' limits are not what is measured here.
    settings.JOURNAL_CLUB_RATE_LIMITS = {}
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 0
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        # Never test_<NAME>: a test run on the same server may be using that one.
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_notifications_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        request = measure_request(args.followers, args.repeat + 2)
        worker = measure_worker(request, args.repeat)
        digests = [measure_digest(100), measure_digest(args.followers)]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    n = args.followers
    print(f"Notifications, {connection.vendor}, thread followed by {n} members")
    print(f"{'measure':<52} {'queries':>8} {'time':>12}")
    rows = [
        ("(a) reply request, notifications disabled", request["off_queries"],
         f"{request['off_ms']:.1f} ms"),
        ("(a) reply request, notifications enabled", request["on_queries"],
         f"{request['on_ms']:.1f} ms"),
        ("(a) added to the request by notifications",
         request["on_queries"] - request["off_queries"], ""),
        (f"(b) worker: fan-out, {worker['notified']} notifications", worker["fan_out_queries"],
         f"{worker['fan_out_ms']:.1f} ms"),
        (f"(b) worker: send {worker['sent']} emails (locmem)", worker["send_queries"],
         f"{worker['send_s']:.2f} s"),
        (f"(b) run_worker --batch end to end, {worker['worker_emails']} emails", "",
         f"{worker['worker_s']:.2f} s"),
    ] + [
        (f"(c) daily digest, {d['members']} members", d["queries"], f"{d['seconds']:.2f} s")
        for d in digests
    ]  # fmt: skip
    for label, queries, elapsed in rows:
        print(f"{label:<52} {queries!s:>8} {elapsed:>12}")
    print(f"medians of {args.repeat} runs (requests: {args.repeat + 2})")


if __name__ == "__main__":
    main()
