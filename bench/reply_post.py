"""
Posting a reply, in a thread of 100 comments and in one of 5,000.

For each size it builds a discussion shaped as in bench/thread_page.py, signs in one of
its regular members (joined a month ago, with published comments, so neither the first-day
cap nor pre-moderation applies) and posts replies to comments picked at random, through
Django's test client, alternating:

- htmx: the in-place reply (``HX-Request: true``), answered with the fragment to insert;
- plain: the form without JavaScript, answered with a redirect to the new reply;

and reports, per size and kind, the median server time, the median and maximum number of
SQL queries, and the ratio of the median time at each size to the smallest size's, all in
the same run. The per-member posting rate limit still runs (its cache counter is counted
in the time) but with a ceiling the benchmark cannot reach.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/reply_post.py                 # sizes 100,5000, 30 posts each kind
    .venv/bin/python bench/reply_post.py --sizes 100,1000,5000 --repeat 50

It works in a throwaway test database (test_bench_reply_post_<pid>), never in yours.
"""

import argparse
import logging
import os
import random
import statistics
import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from thread_page import build, markdown_body  # sets Django up (PostgreSQL by default)


def measure(n: int, questions: int, repeat: int, seed: int = 7) -> dict:
    from discussions.models import Comment

    discussion = build(n, questions)
    comments = list(
        Comment.objects.filter(question__discussion=discussion).select_related("author")
    )
    poster = comments[0].author
    client = Client()
    client.force_login(poster)
    rng = random.Random(seed)
    results = {"htmx": {"times": [], "queries": []}, "plain": {"times": [], "queries": []}}
    # One warm-up post of each kind: the first request of a process pays for imports.
    kinds = [("htmx", {"HTTP_HX_REQUEST": "true"}), ("plain", {})]
    for index in range(repeat + 1):
        for kind, headers in kinds:
            parent = rng.choice(comments)
            body = f"Reply {kind} {index} to {parent.pk}. {markdown_body(rng)}"
            url = reverse("discussions:comment-reply", kwargs={"pk": parent.pk})
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.post(url, {"body": body, "label": ""}, **headers)
                elapsed = time.perf_counter() - started
            expected = 200 if kind == "htmx" else 302
            assert response.status_code == expected, (kind, response.status_code)
            if index:
                results[kind]["times"].append(elapsed)
                results[kind]["queries"].append(len(queries.captured_queries))
    posted = Comment.objects.filter(author=poster, body__startswith="Reply ").count()
    assert posted == 2 * (repeat + 1), posted
    return {
        "n": n,
        **{
            kind: {
                "ms": statistics.median(data["times"]) * 1000,
                "queries": statistics.median(data["queries"]),
                "max_queries": max(data["queries"]),
            }
            for kind, data in results.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,5000", help="comment counts (100,5000)")
    parser.add_argument("--questions", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30, help="posts of each kind per size")
    args = parser.parse_args()

    setup_test_environment()
    # Request logs are written, as in production, but to nowhere rather than the terminal.
    for handler in logging.getLogger().handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.JOURNAL_CLUB_RATE_LIMITS = {
        **settings.JOURNAL_CLUB_RATE_LIMITS,
        "post": (10**9, 60),
    }
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_reply_post_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = [measure(int(n), args.questions, args.repeat) for n in args.sizes.split(",")]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"Posting a reply, signed-in member, {connection.vendor}, median of {args.repeat}")
    print(
        f"{'comments':>9} {'kind':>6} {'server ms':>10} {'queries':>8} {'max q':>6} "
        f"{'time vs ' + args.sizes.split(',')[0]:>12}"
    )
    for kind in ("htmx", "plain"):
        smallest = results[0][kind]["ms"]
        for r in results:
            row = r[kind]
            print(
                f"{r['n']:>9} {kind:>6} {row['ms']:>10.1f} {row['queries']:>8.0f} "
                f"{row['max_queries']:>6} {row['ms'] / smallest:>11.2f}x"
            )


if __name__ == "__main__":
    main()
