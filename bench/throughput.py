"""
Throughput of the production server: gunicorn (gunicorn.conf.py) serving the discussion
page, driven by wrk from the same machine, against a minimal Django view on the same
server in the same run.

It creates a throwaway PostgreSQL database (jc_bench_throughput_<pid>), migrates it, loads
the demo (with a password for its members) plus extra comments on the demo discussion,
collects static files into a temporary directory, and starts gunicorn on a free loopback
port with DEBUG off, a generated secret key and the bench settings (production's, plus
``/bench/minimal/``). Then, for several rounds, it runs wrk (2 threads, 10 connections,
a bounded time) on each target in turn:

- minimal: ``/bench/minimal/``, the same middleware and server doing no work;
- minimal, page-sized: the same view answering as many bytes as a visitor's discussion
  page (``/bench/bytes/<size>/``): what moving the page's bytes costs, server and wrk;
- minimal, signed in: the same view for a signed-in member, whose every request loads
  their session and account (the request log names them): the floor of any page a
  member gets;
- anonymous: the discussion page for a reader who is not signed in;
- signed in: the same page for a demo member, signed in through the login form (the
  session and CSRF cookies go to wrk in a Cookie header);

and prints, per target, the median over rounds of requests/s, p50 and p99 latency, and the
ratio of its requests/s to the minimal view's, each ratio taken within one round (so
both sides saw the same machine), then the median; for the signed-in page also the ratio
to the signed-in minimal view. It drops the database at the end.

``--redis`` runs the server as the README's "Scaling out" describes: the cache in Redis
(``REDIS_URL``, 127.0.0.1:6379 here, so all workers share the cached pages) and the
sessions in ``cached_db``.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432; wrk):

    .venv/bin/python bench/throughput.py                       # 3 rounds of 10 s per target
    .venv/bin/python bench/throughput.py --comments 1000 --rounds 5 --seconds 10
    .venv/bin/python bench/throughput.py --redis
"""

import argparse
import sys
import tempfile
from pathlib import Path

import httpx
from common import (
    DISCUSSION_SLUG,
    DISCUSSION_URL,
    configure,
    cookie_header,
    gunicorn,
    median,
    sign_in,
    throwaway_site,
    wrk,
)

TARGETS = ["minimal", "minimal, page-sized", "minimal, signed in", "anonymous", "signed in"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--comments", type=int, default=200, help="comments added to the demo (200)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run (10)")
    parser.add_argument(
        "--redis",
        nargs="?",
        const="redis://127.0.0.1:6379/15",
        help="cache in Redis (default URL: redis://127.0.0.1:6379/15), sessions in cached_db",
    )
    args = parser.parse_args()

    environment = configure("jc_bench_throughput")
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()  # no page of an earlier run's database
        environment.env |= {
            "REDIS_URL": args.redis,
            "DJANGO_SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        }
    log = Path(tempfile.gettempdir()) / f"{environment.database_name}-gunicorn.log"
    with throwaway_site(environment, extra_comments=args.comments):
        from discussions.models import Comment

        total = Comment.objects.filter(question__discussion__slug=DISCUSSION_SLUG).count()
        with gunicorn(environment, log) as base:
            cookies = cookie_header(sign_in(base, "demo-priya@example.org"))
            size = len(httpx.get(f"{base}{DISCUSSION_URL}").content)
            urls = {
                "minimal": (f"{base}/bench/minimal/", {}),
                "minimal, page-sized": (f"{base}/bench/bytes/{size}/", {}),
                "minimal, signed in": (f"{base}/bench/minimal/", {"Cookie": cookies}),
                "anonymous": (f"{base}{DISCUSSION_URL}", {}),
                "signed in": (f"{base}{DISCUSSION_URL}", {"Cookie": cookies}),
            }
            for url, headers in urls.values():  # warm every worker up
                wrk(url, seconds=2, headers=headers)
            rounds = []
            for number in range(1, args.rounds + 1):
                results = {}
                for target in TARGETS:
                    url, headers = urls[target]
                    results[target] = wrk(url, seconds=args.seconds, headers=headers)
                rounds.append(results)
                print(
                    f"round {number}: "
                    + ", ".join(f"{t} {r.requests_per_second:.0f}/s" for t, r in results.items()),
                    file=sys.stderr,
                )

    cache = "Redis cache, cached_db sessions" if args.redis else "local-memory cache"
    print(
        f"\ngunicorn ({log.name}, {cache}), discussion page with {total} comments "
        f"({size / 1000:.0f} kB for a visitor), "
        f"wrk -t2 -c10 -d{args.seconds}s, median of {args.rounds} rounds"
    )
    print(
        f"{'target':>19} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'vs minimal':>11} {'vs page-sized':>14} {'vs minimal, signed in':>22}"
    )

    def ratio(target: str, floor: str) -> float:
        return median(
            results[target].requests_per_second / results[floor].requests_per_second
            for results in rounds
        )

    for target in TARGETS:
        runs = [results[target] for results in rounds]
        signed_in = f"{ratio(target, 'minimal, signed in'):.0%}" if target == "signed in" else ""
        sized = f"{ratio(target, 'minimal, page-sized'):.0%}" if target == "anonymous" else ""
        print(
            f"{target:>19} {median(r.requests_per_second for r in runs):>8.0f} "
            f"{median(r.p50_ms for r in runs):>8.1f} {median(r.p99_ms for r in runs):>8.1f} "
            f"{sum(r.errors for r in runs):>7} {ratio(target, 'minimal'):>10.0%} {sized:>14} "
            f"{signed_in:>22}"
        )


if __name__ == "__main__":
    main()
