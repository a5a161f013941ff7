"""
Discussion page cost at growing thread sizes, against the practical floor.

For each size N it builds a discussion of N comments (60% answers, replies down to depth 8,
300-character Markdown bodies, spread over the questions), then measures in the same run,
through Django's test client (URL routing, middleware, every query, the templates):

- floor: the same comments fetched as plain rows in one SQL query and formatted into the
  same thread HTML with f-strings, no ORM objects (checked byte-for-byte against the
  page's threads), plus the rest of the page as a ready-made string;
- warm: a visitor's page with the whole-page caches off and the fragment caches warm (what
  a page costs after a change that left most threads as they were);
- cold: a visitor's page with every cache empty (cleared before each request);
- hit: a visitor's page from the whole-page cache;
- member: a signed-in member's reload with the whole-page caches off, and with them on
  ("m. hit", served whole when nothing changed for them);
- queries per view for a visitor and a member, the pages' weights, and the peak memory
  a visitor's page allocates (tracemalloc);
- at the largest size, 1,000 views with a random query string each (``?x=<random>``)
  against 1,000 of the plain URL, for a visitor and a member: their cost, and how many
  entries and bytes the cache holds after each.

Timings alternate (floor, warm, cold, floor, warm, ...), so that a noisy neighbour on a
shared machine slows all alike and their ratios stay meaningful. The cache is local memory,
never culled, so that its size can be read.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/thread_page.py --sizes 100,1000,5000
    DATABASE_URL=sqlite:// .venv/bin/python bench/thread_page.py ...   (on SQLite instead)

It works in a throwaway test database (test_bench_thread_page_<pid>, created and dropped
here), never in yours.
"""

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape

from accounts.templatetags.avatars import initials

VOCABULARY = (
    "implementation support practitioners knowledge brokers evidence practice research "
    "organisations competencies facilitation consultation capacity outcomes relational "
    "behavioural programme policy services frontline workforce training synthesis"
)
WORDS = VOCABULARY.split()


def markdown_body(rng: random.Random) -> str:
    """About 300 characters of Markdown with emphasis, a link and sometimes a list."""
    words = [rng.choice(WORDS) for _ in range(40)]
    words[3] = f"**{words[3]}**"
    words[9] = f"*{words[9]}*"
    text = " ".join(words)[:260]
    text += " [doi](https://doi.org/10.1186/s12913-020-05145-1)."
    if rng.random() < 0.2:
        text += "\n\n- first point\n- second point"
    return text


def build(n: int, questions: int, seed: int = 1):
    """A discussion with n comments: 60% answers, the rest replies down to depth 8."""
    from tests.factories import DiscussionFactory

    discussion = DiscussionFactory(questions=questions)
    add_comments(discussion, n, seed=seed)
    return discussion


def add_comments(discussion, n: int, seed: int = 1) -> None:
    """
    n comments by 25 new members (who joined a month ago): 60% answers spread over the
    questions, the rest replies to recent comments down to depth 8; ~300-character Markdown.
    """
    from discussions.models import Comment
    from discussions.services import render_comment_body
    from tests.factories import UserFactory

    rng = random.Random(seed)
    question_list = list(discussion.questions.all())
    questions = len(question_list)
    start = timezone.now() - datetime.timedelta(days=30)
    members = UserFactory.create_batch(25, date_joined=start)
    answers = round(n * 0.6)
    rows = []
    for index in range(n):
        body = markdown_body(rng)
        rows.append(
            Comment(
                question=question_list[index % questions] if index < answers else None,
                author=rng.choice(members),
                body=body,
                body_html=render_comment_body(body),
                created_at=start + datetime.timedelta(minutes=index),
            )
        )
    Comment.objects.bulk_create(rows[:answers])
    placed = [(comment, 0) for comment in rows[:answers]]
    for comment in rows[answers:]:
        parent, depth = rng.choice([p for p in placed[-400:] if p[1] < 8] or placed)
        comment.question = parent.question
        comment.parent = parent
        comment.root_id = parent.root_id or parent.pk
        comment.save()
        placed.append((comment, depth + 1))


# --- The floor: one query, plain rows, f-strings ----------------------------------------


FLOOR_SQL = """
SELECT c.id, c.question_id, c.parent_id, c.root_id, c.body_html, c.created_at,
       c.edited_at, c.deleted_at, c.label, c.helpful_count, u.username, u.display_name,
       c.author_id, u.affiliation, c.language
FROM discussions_comment c JOIN accounts_user u ON u.id = c.author_id
JOIN discussions_question q ON q.id = c.question_id
WHERE q.discussion_id = %s ORDER BY c.created_at, c.id
"""


def floor_threads(discussion_id: int, per_page: int, max_depth: int) -> dict[int, str]:
    """The anonymous reader's thread HTML per question, from one query of plain rows."""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [discussion_id])
        rows = cursor.fetchall()
    months = {number: escape(str(name).title()) for number, name in MONTHS_3.items()}
    roots: dict[int, list] = {}
    children: dict[int, list] = {}
    for row in rows:
        if row[2] is None:
            roots.setdefault(row[1], []).append(row)
        else:
            children.setdefault(row[2], []).append(row)
    html = {}
    for question_id, question_roots in roots.items():
        entries = []
        stack = [(row, 0, None) for row in reversed(question_roots[:per_page])]
        while stack:
            row, depth, parent = stack.pop()
            entries.append([row, min(depth, max_depth), parent if depth > max_depth else None])
            for child in reversed(children.get(row[0], ())):
                stack.append((child, depth + 1, row))
        out = []
        previous = 0
        for index, (row, depth, in_reply_to) in enumerate(entries):
            following = entries[index + 1][1] if index + 1 < len(entries) else 0
            if depth > previous:
                out.append(f'<ol class="replies" id="replies-{row[2]}">')
            out.append(f'<li class="thread__item" id="item-{row[0]}">')
            out.append(floor_article(row, in_reply_to, months))
            if following > depth:
                out.append(
                    f'<button type="button" class="thread-toggle link-button" aria-expanded="true" '
                    f'aria-controls="replies-{row[0]}" hidden>Hide replies</button>'
                )
            else:
                out.append("</li>" + "</ol></li>" * (depth - following))
            previous = depth
        html[question_id] = "".join(out)
    return html


def floor_article(row, in_reply_to, months) -> str:
    """One comment as an anonymous reader of an open discussion sees it."""
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    posted = row[5] if row[5].tzinfo else row[5].replace(tzinfo=datetime.UTC)
    pk, created = row[0], timezone.localtime(posted)
    if row[7]:
        return (
            f'<article class="comment comment--deleted" id="comment-{pk}">'
            '<p class="comment__tombstone">This comment was deleted by its author.</p></article>'
        )
    time_html = (
        f'<time datetime="{posted.isoformat()}">{created.day} {months[created.month]} '
        f"{created.year}, {created:%H:%M}</time>"
    )
    reply = ""
    if in_reply_to is not None:
        reply = (
            f'<span class="comment__in-reply">in reply to <a href="#comment-{in_reply_to[0]}">'
            f"@{escape(in_reply_to[10])}</a></span>"
        )
    context = ""
    if row[13] or reply:
        affiliation = (
            f'<span class="comment__affiliation" dir="auto">{escape(row[13])}</span>'
            if row[13]
            else ""
        )
        context = f'<p class="comment__context">{affiliation}{reply}</p>'
    count = ""
    if row[9]:
        count = f'<span class="helpful__count">{row[9]} found this helpful</span>'
    username = escape(row[10])
    name = row[11] or row[10]
    return (
        f'<article class="comment" id="comment-{pk}"><header class="comment__meta">'
        f'<span class="avatar avatar--c{row[12] % 8}" aria-hidden="true">'
        f"{escape(initials(name))}</span>"
        f'<div class="comment__who"><p class="comment__byline">'
        f'<a class="comment__author" dir="auto" href="/members/{username}/">{escape(name)}'
        f'</a><span class="comment__handle">@{username}</span><span class="comment__when">'
        f'<a class="comment__permalink" href="#comment-{pk}" '
        f'title="Permanent link to this comment">{time_html}</a></span></p>{context}</div>'
        f'</header><div class="comment__body prose" lang="{row[14]}">{row[4]}</div>'
        f'<footer class="comment__actions"><a class="reply" href="/comments/{pk}/reply/">Reply</a>'
        f'<a class="reply quote" href="/comments/{pk}/reply/?quote=1">Quote</a>{count}</footer>'
        "</article>"
    )


def median_times(functions, repeat: int) -> list[float]:
    """
    The median time of each function, calling them in turn ``repeat`` times over. A
    function given as (prepare, run) has only ``run`` timed.
    """
    pairs = [f if isinstance(f, tuple) else (None, f) for f in functions]
    timings = [[] for _ in pairs]
    for _ in range(repeat):
        for (prepare, run), times in zip(pairs, timings, strict=True):
            if prepare is not None:
                prepare()
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return [statistics.median(times) for times in timings]


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries.captured_queries)


class WholePageCache:
    """
    Turns the whole-page caches (a visitor's page, a member's main content) off or on,
    leaving the caches of fragments (threads, comments, what every reader sees) as they are.
    """

    def __init__(self):
        from discussions import views

        self.views = views
        self.cacheable = views._cacheable

    def off(self):
        self.views._cacheable = lambda request: False

    def on(self):
        self.views._cacheable = self.cacheable


def cache_size() -> tuple[int, int]:
    """Entries and bytes in the (local-memory) cache."""
    from django.core.cache import cache

    store = getattr(cache, "_cache", {})
    return len(store), sum(len(value) for value in store.values())


def measure(n: int, questions: int, repeat: int) -> dict:
    from django.core.cache import cache

    from discussions.threads import ANSWERS_PER_PAGE, MAX_DEPTH
    from tests.factories import UserFactory

    discussion = build(n, questions)
    url = discussion.get_absolute_url()
    visitor = Client()
    member = Client()
    member.force_login(UserFactory())
    whole_page = WholePageCache()
    cache.clear()

    whole_page.off()
    page_html = visitor.get(url).content.decode()  # fills the fragment caches
    floor = floor_threads(discussion.pk, ANSWERS_PER_PAGE, MAX_DEPTH)
    for question in discussion.questions.all():
        if question.pk in floor:
            expected = f'<ol class="thread" id="thread-{question.number}">{floor[question.pk]}</ol>'
            assert expected in page_html, (
                f"floor HTML differs from the page for question {question.number}"
            )
    rest_of_page = page_html  # the non-thread part is a constant string for the floor

    def floor_page() -> str:
        threads = floor_threads(discussion.pk, ANSWERS_PER_PAGE, MAX_DEPTH)
        return rest_of_page + "".join(threads.values())

    member.get(url)  # the member's first visit; later ones are reloads
    member_html = member.get(url).content.decode()
    visitor_queries = count_queries(lambda: visitor.get(url))
    member_queries = count_queries(lambda: member.get(url))
    tracemalloc.start()
    visitor.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # Whole-page caches off: a visitor's page with the fragment caches warm, and with
    # every cache empty; then a member's (apart: emptying the cache would empty theirs).
    floor_time, warm, cold = median_times(
        [floor_page, lambda: visitor.get(url), (cache.clear, lambda: visitor.get(url))], repeat
    )
    member.get(url)
    (member_warm,) = median_times([lambda: member.get(url)], repeat)
    whole_page.on()
    visitor.get(url)
    member.get(url)
    hit_queries = count_queries(lambda: visitor.get(url))
    member_hit_queries = count_queries(lambda: member.get(url))
    hit, member_hit = median_times([lambda: visitor.get(url), lambda: member.get(url)], repeat)
    return {
        "n": n,
        "shown": page_html.count('<article class="comment'),
        "floor_ms": floor_time * 1000,
        "warm_ms": warm * 1000,
        "cold_ms": cold * 1000,
        "hit_ms": hit * 1000,
        "member_warm_ms": member_warm * 1000,
        "member_hit_ms": member_hit * 1000,
        "queries": visitor_queries,
        "member_queries": member_queries,
        "hit_queries": hit_queries,
        "member_hit_queries": member_hit_queries,
        "peak_mib": peak / 2**20,
        "visitor_kb": len(page_html.encode()) / 1000,
        "member_kb": len(member_html.encode()) / 1000,
        "discussion": discussion,
        "visitor": visitor,
        "member": member,
    }


def junk_query_strings(result: dict, requests: int) -> list[dict]:
    """
    ``requests`` views of the plain URL, then as many with a random query string each
    (``?x=<random>``, as a crawler or an attacker sends), for a visitor and a member, in
    alternating blocks: their cost, and what the cache holds after each.
    """
    from django.core.cache import cache

    url = result["discussion"].get_absolute_url()
    rng = random.Random(2)
    rows = []
    for reader in ("visitor", "member"):
        client = result[reader]
        cache.clear()
        client.get(url)
        plain_times, junk_times = [], []
        entries = {}
        for _block in range(10):
            for kind, times in (("plain", plain_times), ("junk", junk_times)):
                started = time.perf_counter()
                for _ in range(requests // 10):
                    suffix = f"?x={rng.getrandbits(64):x}" if kind == "junk" else ""
                    response = client.get(url + suffix)
                    assert response.status_code == 200
                times.append(time.perf_counter() - started)
                entries[kind] = cache_size()
        rows.append(
            {
                "reader": reader,
                "plain_s": sum(plain_times),
                "junk_s": sum(junk_times),
                "ratio": statistics.median(
                    j / p for j, p in zip(junk_times, plain_times, strict=True)
                ),
                "plain_cache": entries["plain"],
                "junk_cache": entries["junk"],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,5000", help="comma-separated comment counts")
    parser.add_argument("--questions", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=15, help="requests per median")
    parser.add_argument(
        "--junk", type=int, default=1000, help="requests with random query strings (largest size)"
    )
    args = parser.parse_args()

    # Not setup_test_environment(): it instruments every template rendering for the test
    # client's records, a cost no server pays.
    logging.getLogger("journal_club.request").setLevel(logging.WARNING)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # never culled: its size is measured
        }
    }
    settings.DISCUSSION_PAGE_CACHE = True
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        # Never test_<NAME>: a test run on the same server may be using that one.
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_thread_page_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = [measure(int(n), args.questions, args.repeat) for n in args.sizes.split(",")]
        junk = junk_query_strings(results[-1], args.junk) if args.junk else []
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"Discussion page, {connection.vendor}, median of {args.repeat} (ms)")
    print(
        f"{'comments':>9} {'shown':>6} {'floor':>7} {'warm':>7} {'ratio':>6} {'cold':>7} "
        f"{'ratio':>6} {'hit':>6} {'member':>7} {'m. hit':>7} {'peak MiB':>9}"
    )
    for r in results:
        print(
            f"{r['n']:>9} {r['shown']:>6} {r['floor_ms']:>7.1f} {r['warm_ms']:>7.1f} "
            f"{r['warm_ms'] / r['floor_ms']:>5.2f}x {r['cold_ms']:>7.1f} "
            f"{r['cold_ms'] / r['floor_ms']:>5.2f}x {r['hit_ms']:>6.2f} "
            f"{r['member_warm_ms']:>7.1f} {r['member_hit_ms']:>7.2f} {r['peak_mib']:>9.1f}"
        )
    print(
        "floor: the rows in one query, formatted into the same thread HTML; warm: the page "
        "with\nthe whole-page caches off and the fragment caches warm; cold: every cache "
        "empty;\nhit: a visitor's page from the cache; member: a member's reload, whole-page "
        "caches off;\nm. hit: a member's reload with nothing changed for them (served whole)"
    )
    print()
    print(
        f"{'comments':>9} {'queries':>8} {'member':>7} {'hit':>4} {'m. hit':>7} "
        f"{'visitor kB':>11} {'member kB':>10} {'weight':>7}"
    )
    for r in results:
        print(
            f"{r['n']:>9} {r['queries']:>8} {r['member_queries']:>7} {r['hit_queries']:>4} "
            f"{r['member_hit_queries']:>7} {r['visitor_kb']:>11.0f} {r['member_kb']:>10.0f} "
            f"{r['member_kb'] / r['visitor_kb']:>6.2f}x"
        )
    print("queries per view, caches warm (whole-page caches off; hit: on); weight: member/visitor")
    if junk:
        print()
        print(
            f"{args.junk} views with random query strings against {args.junk} of the plain URL, "
            f"{results[-1]['n']} comments"
        )
        print(
            f"{'reader':>8} {'plain s':>8} {'junk s':>8} {'ratio':>6} "
            f"{'cache after plain':>18} {'after junk':>16}"
        )
        for row in junk:
            plain, after = row["plain_cache"], row["junk_cache"]
            print(
                f"{row['reader']:>8} {row['plain_s']:>8.2f} {row['junk_s']:>8.2f} "
                f"{row['ratio']:>5.2f}x {plain[0]:>6} / {plain[1] / 1e6:>5.1f} MB "
                f"{after[0]:>6} / {after[1] / 1e6:>5.1f} MB"
            )
        print("ratio: the median over 10 alternating blocks; cache: entries / bytes held")


if __name__ == "__main__":
    main()
