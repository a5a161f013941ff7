"""
The outside view of two bad moments: replies racing into one thread, and PostgreSQL
restarting under load.

It starts a PostgreSQL server of its own (a throwaway cluster on a free port, so that
restarting it disturbs nothing else on the machine), the production server (gunicorn with
gunicorn.conf.py, DEBUG off, the database task queue) and the background worker
(``manage.py run_worker``), on the demo plus extra comments. Then:

1. **Concurrent replies**: 40 threads post 200 replies into one thread at once, half to
   its first comment and half under a reply to it, each as a different member. Every
   answer must be a redirect, and every reply saved once.
2. **A restart under load**: for ``--seconds`` (60), threads send a mix of page views and
   posts (answers and replies, plain and htmx); halfway through, PostgreSQL restarts
   (``pg_ctl restart -m fast``). Afterwards the worker must still be running and must
   finish the queue; every post answered 2xx/3xx must be saved exactly once, and every
   reply must have notified its parent's author exactly once. Answers while the server
   was down may be 503 (with Retry-After); any other 5xx, or any 5xx after it came back,
   is a failure.

Usage (from the project root, as root or as the postgres user, after `make install`):

    .venv/bin/python bench/restart.py                   # 60 s, 8 threads
    .venv/bin/python bench/restart.py --seconds 20 --threads 4
"""

import argparse
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import common
import httpx
from abuse import get, post_comment, posting_members, signed_in_page
from common import DISCUSSION_URL, configure, free_port, gunicorn, throwaway_site

MARKER = re.compile(r"abuse-[0-9a-f]{32}")
LOAD = [
    ("get home", get("/")),
    ("get discussion", get(DISCUSSION_URL)),
    ("get discussion, signed in", signed_in_page),
    ("get question page", get(f"{DISCUSSION_URL}questions/1/")),
    ("post reply", post_comment(htmx=False, answer=False)),
    ("post reply htmx", post_comment(htmx=True, answer=False)),
    ("post answer", post_comment(htmx=False, answer=True)),
    ("post answer htmx", post_comment(htmx=True, answer=True)),
]


# --- A PostgreSQL server of our own ----------------------------------------------------------


def _as_postgres(*command: str) -> None:
    """Run a PostgreSQL server program as the postgres user (it refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True)  # noqa: S603


class PrivateServer:
    """A throwaway cluster: initdb, start, restart, and removal at the end."""

    def __init__(self):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not versions:
            raise SystemExit("PostgreSQL's server programs are missing (/usr/lib/postgresql)")
        self.bin = versions[-1]
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="jc-bench-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", *arguments
        )

    def __enter__(self):
        _as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"
        )
        self.pg_ctl("start", "-l", str(self.data / "server.log"))
        return self

    def restart(self) -> float:
        """Restart the server (fast shutdown: sessions are cut); how long it took."""
        started = time.monotonic()
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.data / "server.log"))
        return time.monotonic() - started

    def __exit__(self, *exc):
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


@contextmanager
def task_worker(environment, log_path: Path):
    """``manage.py run_worker`` with the site's environment, stopped at the end."""
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=common.ROOT,
            env={**os.environ, **environment.env},
            stdout=log,
            stderr=log,
        )
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=60)


# --- 1. Concurrent replies -------------------------------------------------------------------


def concurrent_replies(base: str, members: list[dict], first: int, under: int) -> dict:
    """40 threads, 200 replies into one thread, each reply by another member."""
    threads, per_thread = 40, 5
    start = threading.Barrier(threads)
    answers: list[tuple[str, int, float]] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
            start.wait()
            for k in range(per_thread):
                who = members[n * per_thread + k]
                marker = f"abuse-{uuid.uuid4().hex}"
                parent = first if (n + k) % 2 else under
                began = time.monotonic()
                response = client.post(
                    f"/comments/{parent}/reply/",
                    data={"body": f"{marker}: at once", "csrfmiddlewaretoken": who["token"]},
                    headers={"Cookie": who["cookie"]},
                )
                with lock:
                    answers.append((marker, response.status_code, time.monotonic() - began))

    workers = [threading.Thread(target=post, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    saved = Counter(_saved_markers())
    statuses = Counter(status for _m, status, _t in answers)
    return {
        "posts": len(answers),
        "errors": sum(n for status, n in statuses.items() if status != 302),
        "statuses": dict(statuses),
        "saved once": sum(1 for m, _s, _t in answers if saved[m] == 1),
        "median s": statistics.median(t for _m, _s, t in answers),
        "slowest s": max(t for _m, _s, t in answers),
    }


def _saved_markers() -> list[str]:
    from discussions.models import Comment

    found = []
    for text in Comment.objects.filter(body__contains="abuse-").values_list("body", flat=True):
        found.extend(MARKER.findall(text))
    return found


# --- 2. A restart under load -----------------------------------------------------------------


class Load:
    """Every answer the load threads got, with when it was asked."""

    def __init__(self, base: str, members: list[dict], comment_ids: list[int], seconds: int):
        self.base, self.members, self.comment_ids = base, members, comment_ids
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.answers: list[tuple[float, str, int, str | None]] = []  # (sent, kind, status, marker)

    def record(self, sent: float, kind: str, status: int, marker: str | None) -> None:
        with self.lock:
            self.answers.append((sent, kind, status, marker))


def load_thread(load: Load, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=load.base, timeout=30, follow_redirects=False) as client:
        while time.monotonic() < load.deadline:
            kind, request = rng.choice(LOAD)
            marker = f"abuse-{uuid.uuid4().hex}" if kind.startswith("post") else None
            sent = time.monotonic()
            try:
                status = request(client, load, rng, marker).status_code
            except httpx.HTTPError:
                status = 0
            load.record(sent, kind, status, marker)


def wait_for_the_queue(deadline: float) -> Counter:
    """Wait until the worker has no task ready or running; the tasks by final status."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    while True:
        connections.close_all()
        statuses = Counter(DBTaskResult.objects.values_list("status", flat=True))
        if not statuses["READY"] and not statuses["RUNNING"]:
            return statuses
        if time.monotonic() > deadline:
            return statuses
        time.sleep(0.5)


def missing_reply_notifications() -> int:
    """Replies (published, to someone else's live comment) whose parent's author heard nothing."""
    from discussions.models import Comment
    from notifications.models import Notification

    replies = (
        Comment.objects.filter(parent__isnull=False, status="published", body__contains="abuse-")
        .exclude(parent__author=models_f("author"))
        .filter(parent__deleted_at__isnull=True)
        .values_list("pk", "parent__author_id")
    )
    keys = set(Notification.objects.values_list("recipient_id", "key"))
    return sum(1 for pk, parent_author in replies if (parent_author, f"comment:{pk}") not in keys)


def models_f(name: str):
    from django.db.models import F

    return F(name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--comments", type=int, default=200, help="added to the demo (200)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise

    with PrivateServer() as server:
        common.POSTGRES_URL = server.url
        environment = configure("jc_bench_restart")
        environment.env["JOURNAL_CLUB_PREMODERATE"] = "0"  # every post notifies at once
        os.environ.update(environment.env)
        logs = Path(tempfile.gettempdir())
        with throwaway_site(environment, extra_comments=args.comments):
            from discussions.models import Comment

            discussion_comments = Comment.objects.filter(
                question__discussion__slug=common.DISCUSSION_SLUG
            )
            comment_ids = list(discussion_comments.values_list("pk", flat=True))
            first = discussion_comments.filter(parent=None).earliest("created_at")
            under = discussion_comments.filter(parent=first).earliest("created_at")
            gunicorn_log = logs / f"{environment.database_name}-gunicorn.log"
            worker_log = logs / f"{environment.database_name}-worker.log"
            with (
                gunicorn(environment, gunicorn_log) as base,
                task_worker(environment, worker_log) as worker,
            ):
                members = posting_members(base, 200)
                replies = concurrent_replies(base, members, first.pk, under.pk)

                load = Load(base, members[:20], comment_ids, args.seconds)
                threads = [
                    threading.Thread(target=load_thread, args=(load, seed))
                    for seed in range(args.threads)
                ]
                for thread in threads:
                    thread.start()
                time.sleep(args.seconds / 2)
                restart_began = time.monotonic()
                restart_took = server.restart()
                restart_ended = restart_began + restart_took
                for thread in threads:
                    thread.join()
                tasks = wait_for_the_queue(time.monotonic() + 180)
                worker_running = worker.poll() is None

            saved = Counter(_saved_markers())
            missing_notifications = missing_reply_notifications()

    accepted = [m for _t, kind, status, m in load.answers if m and 200 <= status < 400]
    lost = [m for m in accepted if saved[m] == 0]
    duplicated = [m for m, n in saved.items() if n > 1]
    during = Counter(
        status
        for sent, _k, status, _m in load.answers
        if restart_began - 1 <= sent <= restart_ended and status >= 500
    )
    after = sum(
        1 for sent, _k, status, _m in load.answers if sent > restart_ended and status >= 500
    )
    other_5xx = sum(n for status, n in during.items() if status != 503)

    print("\n1. Concurrent replies into one thread (PostgreSQL, gunicorn)")
    print(
        f"   {replies['posts']} replies from 40 threads: errors {replies['errors']} "
        f"(answers {replies['statuses']}), saved once {replies['saved once']}, "
        f"median {replies['median s'] * 1000:.0f} ms, slowest {replies['slowest s'] * 1000:.0f} ms"
    )
    print(f"\n2. {args.seconds} s of mixed load, PostgreSQL restarted halfway")
    print(
        f"   requests {len(load.answers)}; restart took {restart_took:.2f} s; "
        f"during it: {dict(during) or 'no 5xx'}"
    )
    print(
        f"   posts accepted {len(accepted)}: lost {len(lost)}, duplicated {len(duplicated)}; "
        f"replies without their notification {missing_notifications}"
    )
    print(
        f"   5xx after the restart {after}; other 5xx during it {other_5xx}; "
        f"worker still running {'yes' if worker_running else 'NO'}; tasks {dict(tasks)}"
    )
    print(f"   logs: {gunicorn_log}, {worker_log}")
    problems = [
        replies["errors"] and "concurrent replies failed",
        replies["saved once"] != replies["posts"] and "a concurrent reply is not saved once",
        lost and f"{len(lost)} accepted posts lost",
        duplicated and f"{len(duplicated)} posts saved twice",
        missing_notifications and f"{missing_notifications} replies notified nobody",
        after and f"{after} answers 5xx after the restart",
        other_5xx and f"{other_5xx} answers 5xx other than 503 during the restart",
        not worker_running and "the worker stopped",
        (tasks["READY"] or tasks["RUNNING"] or tasks["FAILED"]) and f"tasks left: {dict(tasks)}",
    ]
    problems = [problem for problem in problems if problem]
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("PASSED")


if __name__ == "__main__":
    main()
