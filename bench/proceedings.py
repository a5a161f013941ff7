"""
What a PDF of proceedings costs the worker.

(a) The demo discussion (``make run``'s): its PDF built five times through
    ``proceedings.documents.render_pdf``, the median time and the size, and its text read
    back with ``pdftotext`` (the title and a comment must be there).
(b) A generated discussion of 5,000 comments (``--comments``) over three questions: four in
    ten are answers, the rest replies to recent comments down to depth 8, about 300
    characters of Markdown each, a few hidden or deleted (left out of the proceedings). Its
    PDF is built the way the worker builds it: an ``Export`` asked for with
    ``exports.export_request``, then the task function called directly
    (``tasks.build_export.call``): the time, the PDF's size and pages, and the process's
    peak memory (``resource.getrusage``), before and after. Then one question alone and the
    syntheses alone, for comparison.

Targets: (a) under 2 s; (b) under 60 s.

Usage (from the project root, after `make install`; PostgreSQL at 127.0.0.1:5432):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/proceedings.py

It works in a throwaway test database (test_bench_proceedings_<pid>, created and dropped
here), never in yours, and writes the PDFs to a temporary directory. Options: --comments,
--repeat.
"""

import argparse
import datetime
import io
import logging
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

DEMO_SLUG = "implementation-support-practitioners"
# The words of bench/api_comments.py's comments.
WORDS = [
    "implementation", "support", "practitioners", "knowledge", "brokers", "evidence",
    "practice", "research", "organisations", "competencies", "facilitation", "consultation",
    "capacity", "outcomes", "relational", "behavioural", "programme", "policy", "services",
    "frontline", "workforce", "training", "synthesis",
]  # fmt: skip
MAX_DEPTH = 8
ANSWER_SHARE = 0.4


def peak_mib() -> float:
    """The process's peak resident memory so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown_body(rng: random.Random) -> str:
    """About 300 characters of Markdown with emphasis, a link and sometimes a list."""
    words = [rng.choice(WORDS) for _ in range(40)]
    words[3] = f"**{words[3]}**"
    words[9] = f"*{words[9]}*"
    text = " ".join(words)[:260] + " [doi](https://doi.org/10.1186/s12913-020-05145-1)."
    if rng.random() < 0.2:
        text += "\n\n- first point\n- second point"
    return text


def build(n: int, seed: int = 5):
    """A discussion of ``n`` comments, written a level of depth at a time (parents first)."""
    from accounts.models import User
    from discussions.models import Comment
    from discussions.services import render_comment_body
    from tests.factories import DiscussionFactory

    rng = random.Random(seed)
    discussion = DiscussionFactory(questions=3, slug=f"bench-proceedings-{n}")
    questions = list(discussion.questions.order_by("number"))
    for question in questions:
        question.synthesis = "What we agreed:\n\n- " + "\n- ".join(
            markdown_body(rng)[:120] for _ in range(3)
        )
        question.save()
    start = timezone.now() - datetime.timedelta(days=30)
    members = User.objects.bulk_create(
        User(
            username=f"bench{n}-reader{index}",
            display_name=f"Reader Number {index}",
            affiliation=f"Organisation {index % 12}, Department of Practice",
            email=f"bench{n}-reader{index}@example.org",
            password="!",
        )
        for index in range(40)
    )
    plan: list[tuple[int | None, int, int]] = []  # (parent's index, question, depth)
    for index in range(n):
        recent = [i for i in range(max(0, index - 300), index) if plan[i][2] < MAX_DEPTH]
        if index < 30 or rng.random() < ANSWER_SHARE or not recent:
            plan.append((None, rng.randrange(len(questions)), 0))
        else:
            parent = rng.choice(recent)
            plan.append((parent, plan[parent][1], plan[parent][2] + 1))
    comments = []
    for index, (_parent, question, _depth) in enumerate(plan):
        body = markdown_body(rng)
        comment = Comment(
            question=questions[question],
            author=rng.choice(members),
            body=body,
            body_html=render_comment_body(body),
            language="en",
            created_at=start + datetime.timedelta(minutes=5 * index),
        )
        if rng.random() < 0.004:
            comment.status = Comment.Status.HIDDEN
        elif rng.random() < 0.004:
            comment.deleted_at = comment.created_at + datetime.timedelta(days=1)
        comments.append(comment)
    for depth in range(MAX_DEPTH + 1):
        level = []
        for index, (parent, _question, at_depth) in enumerate(plan):
            if at_depth == depth:
                if parent is not None:
                    comments[index].parent = comments[parent]
                    comments[index].root_id = comments[parent].root_id or comments[parent].pk
                level.append(comments[index])
        Comment.objects.bulk_create(level, batch_size=1000)
    discussion.refresh_from_db()
    return discussion


def pdftotext(pdf: bytes) -> str:
    found = shutil.which("pdftotext")
    if not found:
        return ""
    return subprocess.run(  # noqa: S603 - poppler's pdftotext on our own bytes
        [found, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def worker_build(discussion, **options) -> tuple[float, float, "object"]:
    """
    An export asked for as a reader would, built by the task function: its wall-clock and
    CPU seconds (the machine is shared: the CPU time is what the build itself cost), and
    the export.
    """
    from proceedings import exports, tasks
    from proceedings.models import Export

    export = exports.export_request(discussion=discussion, language="en", **options)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = tasks.build_export.call(export.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    export = Export.objects.get(pk=export.pk)
    assert outcome == "ready", (outcome, export.error)
    return seconds, cpu, export


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5, help="builds of the demo's PDF")
    args = parser.parse_args()

    warnings.filterwarnings("ignore", message="No directory at")
    logging.disable(logging.WARNING)  # WeasyPrint's notes on fonts and the like
    media = Path(tempfile.mkdtemp(prefix="bench-proceedings-"))
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The worker is called directly below: the request only queues a task row.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.JOURNAL_CLUB_PROCEEDINGS_MAX_COMMENTS = max(args.comments + 1, 10_000)
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_proceedings_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from discussions.models import Discussion
        from proceedings import documents

        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        demo = Discussion.objects.get(slug=DEMO_SLUG)
        documents.render_pdf(demo, language="en")  # warm: fonts, templates, imports
        timings, cpu = [], []
        for _ in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            pdf = documents.render_pdf(demo, language="en")
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        text = " ".join(pdftotext(pdf).split())
        found = demo.article.title in text and "email signature" in text
        print(f"(a) the demo discussion, {connection.vendor}, median of {args.repeat}")
        print(
            f"    PDF built in {statistics.median(timings):.2f} s (min {min(timings):.2f}), "
            f"CPU {statistics.median(cpu):.2f} s"
        )
        print(
            f"    {len(pdf) / 1000:.0f} kB, {pages(pdf)} pages; pdftotext finds the title "
            f"and a comment: {'yes' if found else 'NO'}"
        )

        started = time.perf_counter()
        big = build(args.comments)
        print(f"(b) {args.comments:,} comments generated in {time.perf_counter() - started:.1f} s")
        before = peak_mib()
        seconds, cpu_seconds, export = worker_build(big)
        after = peak_mib()
        with export.file.open("rb") as file:
            pdf = file.read()
        text = pdftotext(pdf)
        print(
            f"    whole discussion: {seconds:.1f} s by the task, CPU {cpu_seconds:.1f} s, "
            f"{export.comment_count:,} comments, {export.size / 1e6:.1f} MB, {pages(pdf)} "
            f"pages; pdftotext {'reads it' if 'Reader Number' in text else 'FAILS'}"
        )
        print(f"    peak memory: {before:.0f} MiB before, {after:.0f} MiB after the build")
        question = big.questions.order_by("number").first()
        seconds, cpu_seconds, export = worker_build(big, question=question)
        print(
            f"    question 1 alone: {seconds:.1f} s, CPU {cpu_seconds:.1f} s, "
            f"{export.comment_count:,} comments, {export.size / 1e6:.1f} MB"
        )
        seconds, cpu_seconds, export = worker_build(big, syntheses_only=True)
        print(f"    syntheses only: {seconds:.2f} s, {export.size / 1000:.0f} kB")
        print(f"    load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"    peak memory at the end: {peak_mib():.0f} MiB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
