"""
Bad input under load: a minute of valid and malformed requests mixed, against the
production server, then a check that nothing broke and nothing was lost.

It sets up the same throwaway site as bench/throughput.py (PostgreSQL database, demo, extra
comments, gunicorn with gunicorn.conf.py, DEBUG off, production rate limits) plus 20
members who joined a month ago, each with a session. Then several threads send, for
``--seconds`` (60), requests drawn at random from:

- valid reads: home, discussion (anonymous and signed in), question page, paper, profile,
  search;
- valid writes: answers and replies, as plain forms and as htmx requests, with a real
  session and CSRF token (each body carries a unique marker);
- malformed: unknown and absurd slugs, ids beyond any integer column, non-numeric ids,
  paths and query strings of several kilobytes (some past gunicorn's request-line limit),
  broken percent-encoding, page numbers of 30 digits, unknown sort orders, wrong methods,
  a Host header not allowed, a forged session cookie, posts with a wrong or missing CSRF
  token, posts with an empty body, a body over the length limit, or NUL characters.

It passes when no response was a 5xx, every valid post answered 2xx/3xx is in the
database afterwards (found by its marker), and no malformed or forged post is. Rate-limited
posts (429) are expected and counted. It prints a table per kind of request and status.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/abuse.py                     # 60 s, 8 threads
    .venv/bin/python bench/abuse.py --seconds 20 --threads 4
"""

import argparse
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from common import (
    DISCUSSION_SLUG,
    DISCUSSION_URL,
    configure,
    gunicorn,
    set_cookies,
    throwaway_site,
)

MALFORMED_POST = {"bad csrf", "no csrf", "empty body", "too long", "nul bytes"}


class Run:
    """What the threads share: the site's facts, and every answer they got."""

    def __init__(self, base: str, members: list[dict], comment_ids: list[int], args):
        self.base = base
        self.members = members
        self.comment_ids = comment_ids
        self.deadline = time.monotonic() + args.seconds
        self.lock = threading.Lock()
        self.counts: Counter = Counter()  # (kind, status) -> n
        self.posts: list[tuple[str, str, int]] = []  # (kind, marker, status)
        self.failures: list[str] = []

    def record(self, kind: str, status: int, marker: str | None = None) -> None:
        with self.lock:
            self.counts[kind, status] += 1
            if marker:
                self.posts.append((kind, marker, status))


def body(marker: str) -> str:
    return f"{marker}: a *considered* reply about implementation support, with a [link](https://example.org)."


def worker(run: Run, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=run.base, timeout=30, follow_redirects=False) as client:
        while time.monotonic() < run.deadline:
            kind, request = rng.choice(REQUESTS)
            marker = f"abuse-{uuid.uuid4().hex}" if kind.startswith("post") else None
            try:
                response = request(client, run, rng, marker)
            except httpx.HTTPError as error:
                run.record(kind, 0)
                with run.lock:
                    run.failures.append(f"{kind}: {type(error).__name__}: {error}")
                continue
            run.record(kind, response.status_code, marker)


# --- The requests ----------------------------------------------------------------------------


def member(run: Run, rng: random.Random) -> dict:
    return rng.choice(run.members)


def get(path: str, **kwargs):
    return lambda client, run, rng, marker: client.get(path, **kwargs)


def signed_in_page(client, run, rng, marker):
    return client.get(DISCUSSION_URL, headers={"Cookie": member(run, rng)["cookie"]})


def post_comment(*, htmx: bool, answer: bool, fault: str = ""):
    def send(client, run, rng, marker):
        who = member(run, rng)
        token, cookie = who["token"], who["cookie"]
        text = body(marker)
        if fault == "bad csrf":
            token = token[::-1]
        elif fault == "no csrf":
            token, cookie = "", f"{who['session_name']}={who['session']}"
        elif fault == "empty body":
            text = "   "
        elif fault == "too long":
            text = body(marker) + "x" * 10_001
        elif fault == "nul bytes":
            text = body(marker) + "\x00\x00"
        if answer:
            url = f"{DISCUSSION_URL}questions/{rng.randint(1, 3)}/comments/"
        else:
            url = f"/comments/{rng.choice(run.comment_ids)}/reply/"
        headers = {"Cookie": cookie}
        if htmx:
            headers["HX-Request"] = "true"
        return client.post(
            url, data={"body": text, "label": "", "csrfmiddlewaretoken": token}, headers=headers
        )

    return send


def absurd_slug(client, run, rng, marker):
    slug = rng.choice(
        [
            "no-such-discussion",
            "x" * 3000,
            "%F0%9F%92%A9-%E2%80%AE-rtl",
            "..%2F..%2Fetc%2Fpasswd",
            "a%00b",
            "'; DROP TABLE discussions_comment; --",
        ]
    )
    return client.get(f"/discussions/{slug}/")


def absurd_ids(client, run, rng, marker):
    pk = rng.choice(["99999999999999999999999999", "0", "-1", "abc", "1e9", "%2e%2e"])
    action = rng.choice(["", "reply/", "revisions/", "edit/"])
    return client.get(f"/comments/{pk}/{action}")


def huge_query(client, run, rng, marker):
    size = rng.choice([1_000, 3_000, 8_000, 60_000])  # gunicorn refuses lines over 4094
    name = rng.choice(["page", "sort", "q", "utm_source", "next"])
    return client.get(f"{DISCUSSION_URL}?{name}={'9' * size}")


def broken_query(client, run, rng, marker):
    query = rng.choice(
        ["page=%ZZ", "page=%ff%fe", "sort=%00", "page=" + "9" * 30, "page=-3", "sort=nonsense"]
    )
    path = rng.choice([DISCUSSION_URL, "/", "/archive/", f"{DISCUSSION_URL}questions/1/"])
    return client.get(f"{path}?{query}")


def search(client, run, rng, marker):
    query = rng.choice(["implementation", "broker OR practitioner", '"support', "-", "x" * 500])
    return client.get("/search/", params={"q": query})


def wrong_method(client, run, rng, marker):
    method = rng.choice(["PUT", "DELETE", "PATCH", "POST"])
    path = rng.choice(["/", DISCUSSION_URL, "/healthz", "/archive/"])
    return client.request(method, path)


def bad_host(client, run, rng, marker):
    return client.get("/", headers={"Host": "evil.example.com"})


def forged_session(client, run, rng, marker):
    who = member(run, rng)
    return client.get(DISCUSSION_URL, headers={"Cookie": f"{who['session_name']}=forged{'A' * 40}"})


def anonymous_post(client, run, rng, marker):
    return client.post(
        f"/comments/{rng.choice(run.comment_ids)}/reply/",
        data={"body": body(marker)},
    )


REQUESTS = [
    ("get home", get("/")),
    ("get discussion", get(DISCUSSION_URL)),
    ("get discussion, signed in", signed_in_page),
    ("get question page", get(f"{DISCUSSION_URL}questions/1/")),
    ("get paper", get("/papers/albers-2020-implementation-support-practitioners/")),
    ("get profile", get("/members/demo-priya/")),
    ("get search", search),
    ("post reply", post_comment(htmx=False, answer=False)),
    ("post reply htmx", post_comment(htmx=True, answer=False)),
    ("post answer", post_comment(htmx=False, answer=True)),
    ("post answer htmx", post_comment(htmx=True, answer=True)),
    ("post reply, bad csrf", post_comment(htmx=False, answer=False, fault="bad csrf")),
    ("post reply, no csrf", post_comment(htmx=True, answer=False, fault="no csrf")),
    ("post answer, empty body", post_comment(htmx=False, answer=True, fault="empty body")),
    ("post reply, too long", post_comment(htmx=True, answer=False, fault="too long")),
    ("post reply, nul bytes", post_comment(htmx=False, answer=False, fault="nul bytes")),
    ("post reply, anonymous", anonymous_post),
    ("bad slug", absurd_slug),
    ("bad ids", absurd_ids),
    ("huge query string", huge_query),
    ("broken query string", broken_query),
    ("wrong method", wrong_method),
    ("bad host", bad_host),
    ("forged session", forged_session),
]


# --- Set-up and verdict ----------------------------------------------------------------------


def posting_members(base: str, count: int) -> list[dict]:
    """Members who joined a month ago, each with a session and a page's CSRF token."""
    import datetime

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from tests.factories import UserFactory

    month_ago = timezone.now() - datetime.timedelta(days=30)
    members = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for user in UserFactory.create_batch(count, date_joined=month_ago):
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
            page = http.get(DISCUSSION_URL, headers={"Cookie": cookie})
            csrf = set_cookies(page)[settings.CSRF_COOKIE_NAME]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            members.append(
                {
                    "session_name": settings.SESSION_COOKIE_NAME,
                    "session": session,
                    "cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
                    "token": token.group(1),
                }
            )
    return members


def verdict(run: Run) -> list[str]:
    from discussions.models import Comment

    saved = set()
    for text in Comment.objects.filter(body__contains="abuse-").values_list("body", flat=True):
        saved.update(re.findall(r"abuse-[0-9a-f]{32}", text))
    problems = [
        f"{n} answers HTTP {status} to {kind}"
        for (kind, status), n in run.counts.items()
        if status >= 500
    ]
    lost = [
        m
        for kind, m, status in run.posts
        if kind in VALID_POSTS and 200 <= status < 400 and m not in saved
    ]
    if lost:
        problems.append(f"{len(lost)} posts answered 2xx/3xx are not in the database: {lost[:3]}")
    smuggled = [m for kind, m, _status in run.posts if kind not in VALID_POSTS and m in saved]
    if smuggled:
        problems.append(f"{len(smuggled)} malformed or forged posts were saved: {smuggled[:3]}")
    problems.extend(run.failures[:10])
    return problems


VALID_POSTS = {"post reply", "post reply htmx", "post answer", "post answer htmx"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--comments", type=int, default=200, help="added to the demo (200)")
    args = parser.parse_args()

    environment = configure("jc_bench_abuse")
    log = Path(tempfile.gettempdir()) / f"{environment.database_name}-gunicorn.log"
    with throwaway_site(environment, extra_comments=args.comments):
        from discussions.models import Comment

        comment_ids = list(
            Comment.objects.filter(question__discussion__slug=DISCUSSION_SLUG).values_list(
                "pk", flat=True
            )
        )
        with gunicorn(environment, log) as base:
            run = Run(base, posting_members(base, 20), comment_ids, args)
            threads = [
                threading.Thread(target=worker, args=(run, seed)) for seed in range(args.threads)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        problems = verdict(run)
        saved_posts = sum(
            1 for kind, _m, status in run.posts if kind in VALID_POSTS and 200 <= status < 400
        )

    total = sum(run.counts.values())
    print(
        f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s), {args.threads} threads"
    )
    print(f"{'request':<28} answers (status: count)")
    for kind, _request in REQUESTS:
        answers = sorted((status, n) for (k, status), n in run.counts.items() if k == kind)
        print(f"{kind:<28} " + ", ".join(f"{status}: {n}" for status, n in answers))
    fivexx = sum(n for (_k, status), n in run.counts.items() if status >= 500)
    print(
        f"\n5xx answers: {fivexx}; valid posts accepted (2xx/3xx): {saved_posts}, all checked "
        f"in the database; log: {log}"
    )
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("PASSED: no 5xx, every accepted post saved, no malformed post saved.")


if __name__ == "__main__":
    main()
