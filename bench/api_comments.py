"""
Walking a long discussion's comments through the API, against the practical floor.

It builds one discussion of 5,000 comments (``--comments``) over three questions: four in
ten are answers, the rest replies to recent comments down to depth 8, about 300 characters
of Markdown each; a few are hidden by a moderator or deleted by their author (tombstones
that keep their replies), a few await review (their author's, seen with their token only),
and a few are by a closed account. Then it measures in the same run, alternating (api,
floor, api, floor, ...), so that a noisy neighbour slows both alike:

- api: every page of ``/api/v1/discussions/{slug}/comments/?page_size=200`` in turn,
  following ``next``, through Django's test client (routing, middleware with its ETag,
  DRF, authentication and rate limits, every query, the JSON) as an anonymous reader:
  the time of each page, the queries of each page (which must be the same for every
  page), and its bytes;
- floor: the same comments, in the same thread order, as the same JSON, from ONE query
  of plain rows (``values_list``) laid out in memory and written with ``json.dumps``
  (no DRF, no view, no middleware), cut into the same pages of 200 with the same signed
  ``next`` addresses: its time divided by the number of pages;
- token: one walk with a personal token (``api.services.token_create``) of the member
  whose comments await review: its queries per page and what it was given.

The floor's pages are checked against the API's before anything is timed: the same
results, page by page, field by field.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/api_comments.py

It works in a throwaway test database (test_bench_api_comments_<pid>, created and dropped
here), never in yours. Options: --comments, --repeat, --page-size.
"""

import argparse
import datetime
import json
import logging
import os
import random
import statistics
import sys
import time
import warnings
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

VOCABULARY = (
    "implementation support practitioners knowledge brokers evidence practice research "
    "organisations competencies facilitation consultation capacity outcomes relational "
    "behavioural programme policy services frontline workforce training synthesis"
)
WORDS = VOCABULARY.split()
MAX_DEPTH = 8  # replies nest this deep at most
ANSWER_SHARE = 0.4
PENDING = 5  # answers awaiting review, by the token's member, each with a reply of theirs


def markdown_body(rng: random.Random) -> str:
    """About 300 characters of Markdown with emphasis, a link and sometimes a list."""
    words = [rng.choice(WORDS) for _ in range(40)]
    words[3] = f"**{words[3]}**"
    words[9] = f"*{words[9]}*"
    text = " ".join(words)[:260] + " [doi](https://doi.org/10.1186/s12913-020-05145-1)."
    if rng.random() < 0.2:
        text += "\n\n- first point\n- second point"
    return text


def build(n: int, seed: int = 3):
    """
    The discussion and the member whose comments await review. The comments are planned in
    memory (each a new answer or a reply to one of the 300 latest), then written a level of
    depth at a time, so that every parent has its id before its replies are written.
    """
    from accounts.models import User
    from discussions.models import Comment
    from discussions.services import render_comment_body
    from moderation.models import ModerationAction
    from tests.factories import DiscussionFactory

    rng = random.Random(seed)
    discussion = DiscussionFactory(questions=3)
    questions = list(discussion.questions.order_by("number"))
    start = timezone.now() - datetime.timedelta(days=30)
    members = User.objects.bulk_create(
        User(
            username=f"reader{index}",
            # A few without a display name: their handle stands in.
            display_name="" if index % 7 == 0 else f"Reader Number {index}",
            email=f"reader{index}@example.org",
            password="!",
            date_joined=start,
            is_active=index != 3,  # a closed account: no links to their profile
        )
        for index in range(40)
    )
    writer = members[1]
    moderator = members[2]

    # (parent plan index or None, question, depth) in posting order.
    plan: list[tuple[int | None, int, int]] = []
    published = n - 2 * PENDING
    for index in range(published):
        recent = [i for i in range(max(0, index - 300), index) if plan[i][2] < MAX_DEPTH]
        if index < 30 or rng.random() < ANSWER_SHARE or not recent:
            plan.append((None, rng.randrange(len(questions)), 0))
        else:
            parent = rng.choice(recent)
            plan.append((parent, plan[parent][1], plan[parent][2] + 1))
    for _ in range(PENDING):  # the writer's answers awaiting review, each with their reply
        plan.append((None, rng.randrange(len(questions)), 0))
        plan.append((len(plan) - 1, plan[-1][1], 1))

    comments: list[Comment] = []
    hidden = []
    labels = ["", "", "", "practice", "evidence", "question", "disagreement"]
    for index, (_parent, question, _depth) in enumerate(plan):
        body = markdown_body(rng)
        posted = start + datetime.timedelta(minutes=5 * index, seconds=rng.randrange(300))
        comment = Comment(
            question=questions[question],
            author=writer if index >= published else rng.choice(members),
            body=body,
            body_html=render_comment_body(body),
            label=rng.choice(labels),
            language="en",
            created_at=posted,
            edited_at=posted + datetime.timedelta(hours=1) if rng.random() < 0.05 else None,
        )
        if index >= published:
            comment.status = Comment.Status.PENDING
        elif rng.random() < 0.004:
            comment.deleted_at = posted + datetime.timedelta(days=1)
            comment.body = comment.body_html = ""
        elif rng.random() < 0.004:
            comment.status = Comment.Status.HIDDEN
            comment.moderation_note = "Off topic: please keep to the paper."
            hidden.append(comment)
        comments.append(comment)
    for depth in range(MAX_DEPTH + 1):
        level = []
        for index, (parent, _question, at_depth) in enumerate(plan):
            if at_depth != depth:
                continue
            comment = comments[index]
            if parent is not None:
                comment.parent = comments[parent]
                comment.root_id = comments[parent].root_id or comments[parent].pk
            level.append(comment)
        Comment.objects.bulk_create(level, batch_size=1000)
    ModerationAction.objects.bulk_create(
        ModerationAction(
            kind=ModerationAction.Kind.HIDE,
            moderator=moderator,
            comment=comment,
            reason=comment.moderation_note,
            created_at=comment.created_at + datetime.timedelta(hours=2),
        )
        for comment in hidden
    )
    counts = {
        "deleted": sum(c.deleted_at is not None for c in comments),
        "hidden": len(hidden),
        "pending": 2 * PENDING,
        "answers": sum(p[0] is None for p in plan),
        "deepest": max(p[2] for p in plan),
    }
    return discussion, writer, counts


# --- The floor: one query, plain rows, json.dumps ---------------------------------------------


class Floor:
    """
    The anonymous reader's pages of a discussion's comments, from one query of plain rows:
    the same thread order (``discussions.threads.flatten``'s: answers by question and
    time, each followed by its replies depth first, oldest first), the same fields and
    values as ``api.serializers.CommentSerializer``, the same signed ``next`` addresses.
    """

    FIELDS = (
        "pk",
        "question_id",
        "question__number",
        "parent_id",
        "created_at",
        "edited_at",
        "deleted_at",
        "status",
        "moderation_note",
        "author__username",
        "author__display_name",
        "author__is_active",
        "body",
        "body_html",
        "label",
        "language",
    )

    def __init__(self, discussion, size: int):
        from api.links import api_url, site_url

        self.discussion = discussion
        self.size = size
        # The links' shapes, reversed once: the floor formats, it does not route.
        self.comment_url = site_url("discussions:comment", 987654321).replace("987654321", "{}")
        self.comment_api = api_url("comment-detail", 987654321).replace("987654321", "{}")
        self.profile_url = site_url("accounts:profile", "PLACE").replace("PLACE", "{}")
        self.member_api = api_url("member-detail", "PLACE").replace("PLACE", "{}")
        path = api_url("comment-list", discussion.slug)
        self.next_url = f"{path}?page_size={size}&cursor={{}}"
        self.scope = f"comments:{discussion.pk}"

    def rows(self) -> list[tuple]:
        from discussions.models import Comment

        shown = [Comment.Status.PUBLISHED, Comment.Status.HIDDEN]
        return list(
            Comment.objects.filter(question__discussion=self.discussion, status__in=shown)
            .order_by("created_at", "id")
            .values_list(*self.FIELDS)
        )

    def pages(self) -> list[bytes]:
        from urllib.parse import quote

        from api import pagination

        rows = self.rows()
        answers = sorted(
            (row for row in rows if row[3] is None), key=lambda r: (r[2], r[1], r[4], r[0])
        )
        children: dict[int, list] = {}
        for row in rows:
            if row[3] is not None:
                children.setdefault(row[3], []).append(row)
        # Depth first, oldest reply first; a reply whose parent is not shown is left out.
        laid_out = []
        stack = [(row, 0, row) for row in reversed(answers)]
        while stack:
            row, depth, answer = stack.pop()
            laid_out.append((row, depth, answer))
            for child in reversed(children.get(row[0], ())):
                stack.append((child, depth + 1, answer))
        pages = []
        for begin in range(0, len(laid_out), self.size):
            chunk = laid_out[begin : begin + self.size]
            following = None
            if begin + self.size < len(laid_out):
                row, _depth, answer = chunk[-1]
                cursor = pagination.encode(
                    self.scope, [answer[2], answer[1], answer[4], answer[0], row[0]]
                )
                following = self.next_url.format(quote(cursor, safe=""))
            results = [self.comment(row, depth) for row, depth, _answer in chunk]
            pages.append(
                json.dumps(
                    {"next": following, "results": results},
                    ensure_ascii=False,
                    separators=(",", ":"),
                ).encode()
            )
        return pages

    def comment(self, row: tuple, depth: int) -> dict:
        (pk, _question, number, parent, created, edited, deleted, status, note) = row[:9]
        username, display_name, active, body, body_html, label, language = row[9:]
        removed = deleted is not None or status == "hidden"
        author = None
        if not removed:
            author = {
                "username": username,
                "display_name": display_name or username,
                "url": self.profile_url.format(username) if active else None,
                "api_url": self.member_api.format(username) if active else None,
            }
        return {
            "id": pk,
            "url": self.comment_url.format(pk),
            "api_url": self.comment_api.format(pk),
            "question_number": number,
            "parent_id": parent,
            "depth": depth,
            "created_at": iso(created),
            "edited_at": None if removed or edited is None else iso(edited),
            "removed": removed,
            "removed_because": "deleted" if deleted is not None else "hidden" if removed else None,
            "moderation_note": note if removed and deleted is None else None,
            "awaiting_review": False,
            "author": author,
            "language": None if removed else language,
            "label": None if removed else label,
            "body_markdown": None if removed else body,
            "body_html": None if removed else body_html,
        }


def iso(moment: datetime.datetime) -> str:
    """ISO 8601 in the current time zone, UTC as "Z" (what DRF's DateTimeField writes)."""
    text = timezone.localtime(moment).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# --- The API ----------------------------------------------------------------------------------


class SqlTimer:
    """``connection.execute_wrapper``: the time spent in each statement (its rows fetched)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def walk(client: Client, url: str, headers: dict | None = None, count: bool = False) -> list[dict]:
    """Every page from ``url`` on, following ``next``: each page's time, bytes, body, queries."""
    pages = []
    while url:
        if count:
            timer = SqlTimer()
            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
                response = client.get(url, headers=headers)
        else:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (response.status_code, response.content[:500])
        page = {"bytes": len(response.content), "body": response.content}
        if count:
            page["queries"] = len(queries.captured_queries)
            page["sql"] = [query["sql"] for query in queries.captured_queries]
            page["sql_seconds"] = timer.seconds
        else:
            page["seconds"] = elapsed
        pages.append(page)
        url = json.loads(response.content)["next"]
    return pages


def check(api_pages: list[dict], floor_pages: list[bytes]) -> None:
    """The floor gives what the API gives: the same results on the same pages."""
    assert len(api_pages) == len(floor_pages), (len(api_pages), len(floor_pages))
    for number, (api, floor) in enumerate(zip(api_pages, floor_pages, strict=True), start=1):
        got, expected = json.loads(api["body"]), json.loads(floor)
        assert (got["next"] is None) == (expected["next"] is None), f"page {number}: next"
        for mine, theirs in zip(expected["results"], got["results"], strict=True):
            assert mine == theirs, f"page {number}: floor {mine} != api {theirs}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15, help="walks of each kind per median")
    parser.add_argument("--page-size", type=int, default=200, help="1 to 200")
    args = parser.parse_args()

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic: no pages
    logging.disable(logging.INFO)  # no request log line per measured request
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The rate limits stay on (their cache reads are part of each request's cost), far
    # above what this walk asks.
    settings.JOURNAL_CLUB_API_RATES = {"anonymous": "1000000/minute", "token": "1000000/minute"}
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        # Never test_<NAME>: a test run on the same server may be using that one.
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_api_comments_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from api.services import token_create

        started = time.perf_counter()
        discussion, writer, counts = build(args.comments)
        built = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a load
        url = f"/api/v1/discussions/{discussion.slug}/comments/?page_size={args.page_size}"
        client = Client()
        floor = Floor(discussion, args.page_size)

        # Warm up, check, then count (apart: counting queries slows what it counts).
        check(walk(client, url), floor.pages())
        counted = walk(client, url, count=True)
        token = token_create(member=writer, name="bench")[1]
        with_token = walk(client, url, headers={"Authorization": f"Bearer {token}"}, count=True)

        api_walks, api_pages_s, floor_walks, floor_queries = [], [], [], []
        for _ in range(args.repeat):
            pages = walk(client, url)
            api_walks.append(sum(page["seconds"] for page in pages))
            api_pages_s += [page["seconds"] for page in pages]
            started = time.perf_counter()
            floor.rows()
            queried = time.perf_counter()
            floor.pages()  # the query again, then everything else
            floor_walks.append(time.perf_counter() - queried)
            floor_queries.append(queried - started)
        floor_pages = floor.pages()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    pages = len(counted)
    shown = sum(len(json.loads(page["body"])["results"]) for page in counted)
    token_shown = sum(len(json.loads(page["body"])["results"]) for page in with_token)
    queries = [page["queries"] for page in counted]
    token_queries = [page["queries"] for page in with_token]
    assert min(queries) == max(queries), f"queries per page vary: {queries}"
    api_page = statistics.median(api_pages_s) * 1000
    api_walk = statistics.median(api_walks) * 1000
    floor_walk = statistics.median(floor_walks) * 1000
    # Each api walk against the floor walk just after it: both saw the same machine.
    ratio = statistics.median(a / f for a, f in zip(api_walks, floor_walks, strict=True))
    floor_query = statistics.median(floor_queries) * 1000
    page_bytes = [page["bytes"] for page in counted]
    floor_bytes = [len(page) for page in floor_pages]
    sql_page = statistics.median(page["sql_seconds"] for page in counted) * 1000

    print(
        f"API comments, {connection.vendor}: one discussion of {args.comments:,} comments "
        f"({counts['answers']:,} answers, replies to depth {counts['deepest']}, "
        f"{counts['hidden']} hidden, {counts['deleted']} deleted, {counts['pending']} awaiting "
        f"review), built in {built:.1f} s"
    )
    print(
        f"anonymous walk: {pages} pages of {args.page_size}, {shown:,} comments; "
        f"median of {args.repeat} walks each, alternating\n"
    )
    print(f"{'':<30} {'api':>9} {'floor':>9} {'ratio':>7}")
    print(
        f"{'ms per page (walk / pages)':<30} {api_walk / pages:>9.2f} {floor_walk / pages:>9.2f} "
        f"{ratio:>6.1f}x"
    )
    print(f"{'ms per walk':<30} {api_walk:>9.1f} {floor_walk:>9.1f}")
    print(f"{'ms per page (median page)':<30} {api_page:>9.2f}")
    print(f"{'ms in SQL per page (median)':<30} {sql_page:>9.2f}")
    print(
        f"{'kB per page (median)':<30} {statistics.median(page_bytes) / 1000:>9.1f} "
        f"{statistics.median(floor_bytes) / 1000:>9.1f}"
    )
    print(f"{'kB per walk':<30} {sum(page_bytes) / 1000:>9.0f} {sum(floor_bytes) / 1000:>9.0f}")
    print(
        f"queries per page: min {min(queries)}, max {max(queries)} (the floor: 1 for the whole "
        f"walk,\n  {floor_query:.1f} ms with its rows turned into tuples, "
        f"{floor_query / floor_walk:.0%} of its walk)"
    )
    print(
        "ratio: the median of each api walk over the floor walk run just after it; "
        "median page:\n  the median of every page of every api walk (less swayed by a "
        "neighbour's spikes)"
    )
    print(
        f"token walk (the writer's): {len(with_token)} pages, {token_shown:,} comments "
        f"(their {counts['pending']} awaiting review among them), queries per page "
        f"{min(token_queries)}-{max(token_queries)}: {token_queries}"
    )
    first = with_token[0]["sql"]
    if len(first) > min(token_queries):
        print("  the first page's extra statement:", [q[:70] for q in first if "UPDATE" in q])


if __name__ == "__main__":
    main()
