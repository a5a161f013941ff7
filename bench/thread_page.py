"""
Discussion page cost at growing thread sizes, against the practical floor.

For each size N it builds a discussion of N comments (60% answers, replies down to depth 8,
300-character Markdown bodies, spread over the questions), then measures in the same run:

- page: the full discussion page through Django's test client (URL routing, middleware,
  every query, the template), as an anonymous reader; median of repeated requests;
- floor: the same comments fetched as plain rows in one SQL query and formatted into the
  same thread HTML with f-strings, no ORM objects (checked byte-for-byte against the
  page's threads), plus the rest of the page as a ready-made string;
- queries per page, and the peak memory the page allocates (tracemalloc).

Page and floor are timed alternately (page, floor, page, floor, ...), so that a noisy
neighbour on a shared machine slows both alike and their ratio stays meaningful.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432):

    .venv/bin/python bench/thread_page.py --sizes 100,1000,5000
    DATABASE_URL=sqlite:// .venv/bin/python bench/thread_page.py ...   (on SQLite instead)

It works in a throwaway test database (test_bench_thread_page_<pid>, created and dropped
here), never in yours.
"""

import argparse
import datetime
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
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape

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
       c.edited_at, c.deleted_at, c.label, c.helpful_count, u.username, u.display_name
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
                    f'aria-controls="replies-{row[0]}" hidden data-show="Show replies" '
                    f'data-hide="Hide replies">Hide replies</button>'
                )
            else:
                out.append("</li>" + "</ol></li>" * (depth - following))
            previous = depth
        html[question_id] = "".join(out)
    return html


def floor_article(row, in_reply_to, months) -> str:
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
    count = ""
    if row[9]:
        count = (
            f'<footer class="comment__actions"><span class="helpful__count">{row[9]} found this '
            "helpful</span></footer>"
        )
    return (
        f'<article class="comment" id="comment-{pk}"><header class="comment__meta">'
        f'<a class="comment__author" href="/members/{row[10]}/">{escape(row[11] or row[10])}</a>'
        f'<a class="comment__permalink" href="#comment-{pk}" '
        f'title="Permanent link to this comment">{time_html}</a>{reply}</header>'
        f'<div class="comment__body prose">{row[4]}</div>{count}</article>'
    )


def median_times(functions, repeat: int) -> list[float]:
    """The median time of each function, calling them in turn ``repeat`` times over."""
    timings = [[] for _ in functions]
    for _ in range(repeat):
        for function, times in zip(functions, timings, strict=True):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return [statistics.median(times) for times in timings]


def measure(n: int, questions: int, repeat: int) -> dict:
    from discussions.threads import ANSWERS_PER_PAGE, MAX_DEPTH

    discussion = build(n, questions)
    client = Client()
    url = discussion.get_absolute_url()
    # Rendering is what is measured against the floor: the page cache is off until the
    # last measurement, a cache hit.
    settings.DISCUSSION_PAGE_CACHE = False
    page_html = client.get(url).content.decode()  # warm caches, and the reference output

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

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries.captured_queries)  # read now: the next request resets the log
    tracemalloc.start()
    client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    page_time, floor_time = median_times([lambda: client.get(url), floor_page], repeat)
    settings.DISCUSSION_PAGE_CACHE = True
    client.get(url)  # renders once and stores the page
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    cached_queries = len(queries.captured_queries)
    (cached_time,) = median_times([lambda: client.get(url)], repeat)
    shown = page_html.count('<article class="comment')
    return {
        "cached_queries": cached_queries,
        "cached_ms": cached_time * 1000,
        "n": n,
        "shown": shown,
        "queries": query_count,
        "page_ms": page_time * 1000,
        "floor_ms": floor_time * 1000,
        "ratio": page_time / floor_time,
        "peak_mib": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="5,2000", help="comma-separated comment counts")
    parser.add_argument("--questions", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=15, help="requests per median")
    args = parser.parse_args()

    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        # Never test_<NAME>: a test run on the same server may be using that one.
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_thread_page_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = [measure(int(n), args.questions, args.repeat) for n in args.sizes.split(",")]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"Discussion page, anonymous reader, {connection.vendor}, median of {args.repeat}")
    print(
        f"{'comments':>9} {'shown':>6} {'queries':>8} {'page ms':>9} "
        f"{'floor ms':>9} {'ratio':>6} {'peak MiB':>9} {'cached ms':>10} {'queries':>8}"
    )
    for r in results:
        print(
            f"{r['n']:>9} {r['shown']:>6} {r['queries']:>8} {r['page_ms']:>9.1f} "
            f"{r['floor_ms']:>9.1f} {r['ratio']:>5.2f}x {r['peak_mib']:>9.1f} "
            f"{r['cached_ms']:>10.2f} {r['cached_queries']:>8}"
        )
    print("page ms: rendered (cache off); cached ms: the next view, served from the cache")


if __name__ == "__main__":
    main()
