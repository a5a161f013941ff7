import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from discussions.models import Comment
from discussions.threads import (
    ANSWERS_PER_PAGE,
    MAX_DEPTH,
    Sort,
    answer_page_of,
    first_page_threads,
    flatten,
    question_page_thread,
    question_stats,
)
from tests.factories import CommentFactory, DiscussionFactory, QuestionFactory, UserFactory


def _markup(entries):
    """Replay the renderer's markers as a string of tags, to check the nesting."""
    out = []
    for e in entries:
        if e.opens:
            out.append("<ol>")
        out.append(f"<li {e.comment.body}>")
        if not e.has_replies:
            out.append("</li>" + "</ol></li>" * e.closes)
    return "".join(out)


def _chain(question, length, start=None):
    """A reply chain: each comment answers the one before."""
    start = start or timezone.now() - datetime.timedelta(hours=1)
    comments = [CommentFactory(question=question, body="0", created_at=start)]
    for depth in range(1, length):
        comments.append(
            CommentFactory(
                parent=comments[-1],
                body=str(depth),
                created_at=start + datetime.timedelta(seconds=depth),
            )
        )
    return comments


def test_flatten_orders_depth_first_and_nests_lists(db):
    question = QuestionFactory()
    a = CommentFactory(question=question, body="a")
    b = CommentFactory(parent=a, body="b")
    c = CommentFactory(parent=b, body="c")
    d = CommentFactory(parent=a, body="d")
    e = CommentFactory(question=question, body="e")

    entries = flatten([a, e], [b, c, d])

    assert [(x.comment.body, x.depth) for x in entries] == [
        ("a", 0), ("b", 1), ("c", 2), ("d", 1), ("e", 0),
    ]  # fmt: skip
    assert _markup(entries) == (
        "<li a><ol><li b><ol><li c></li></ol></li><li d></li></ol></li><li e></li>"
    )


def test_flatten_closes_every_open_list_at_the_end(db):
    comments = _chain(QuestionFactory(), 4)
    entries = flatten(comments[:1], comments[1:])
    markup = _markup(entries)
    assert markup.count("<ol>") == markup.count("</ol>") == 3
    assert entries[-1].closes == 3


def test_replies_beyond_the_depth_limit_line_up_and_say_whom_they_answer(db):
    comments = _chain(QuestionFactory(), MAX_DEPTH + 4)
    entries = flatten(comments[:1], comments[1:])

    assert [e.depth for e in entries] == [*range(MAX_DEPTH + 1), MAX_DEPTH, MAX_DEPTH, MAX_DEPTH]
    assert all(e.in_reply_to is None for e in entries[: MAX_DEPTH + 1])
    assert [e.in_reply_to for e in entries[MAX_DEPTH + 1 :]] == comments[MAX_DEPTH:-1]
    markup = _markup(entries)
    assert markup.count("<ol>") == markup.count("</ol>") == MAX_DEPTH


def test_flatten_handles_chains_deeper_than_the_recursion_limit(db):
    question = QuestionFactory()
    root = CommentFactory(question=question)
    comments = [root]
    for number in range(1500):
        comments.append(
            CommentFactory.build(
                question=question, parent=comments[-1], root=root, pk=10_000 + number
            )
        )
    entries = flatten([root], comments[1:])
    assert len(entries) == 1501
    assert entries[-1].depth == MAX_DEPTH


def test_a_reply_whose_parent_is_missing_is_left_out(db):
    question = QuestionFactory()
    a = CommentFactory(question=question)
    orphan = CommentFactory.build(question=question, parent_id=999_999, pk=123_456)
    assert [e.comment for e in flatten([a], [orphan])] == [a]


def _answers(question, count, **kwargs):
    start = timezone.now() - datetime.timedelta(days=1)
    return [
        CommentFactory(
            question=question, created_at=start + datetime.timedelta(minutes=i), **kwargs
        )
        for i in range(count)
    ]


def test_first_page_threads_reads_every_question_in_two_queries(db, django_assert_num_queries):
    discussion = DiscussionFactory()
    questions = list(discussion.questions.all())
    for question in questions:
        for answer in _answers(question, 3):
            CommentFactory(parent=answer)
    with django_assert_num_queries(2):
        threads = first_page_threads(discussion, sort=Sort.OLDEST, reader=AnonymousUser())
    assert {q.pk: len(threads[q.pk]) for q in questions} == {q.pk: 6 for q in questions}


def test_first_page_is_capped_per_question_and_keeps_whole_trees(db):
    discussion = DiscussionFactory(questions=2)
    first, second = discussion.questions.all()
    answers = _answers(first, ANSWERS_PER_PAGE + 5)
    deep = _chain(first, 4, start=answers[0].created_at)[1:]  # a chain under its own root
    _answers(second, 2)

    threads = first_page_threads(discussion, sort=Sort.OLDEST, reader=AnonymousUser())

    roots = [e.comment for e in threads[first.pk] if e.depth == 0]
    assert len(roots) == ANSWERS_PER_PAGE
    assert len(threads[second.pk]) == 2
    assert {c.pk for c in deep} <= {e.comment.pk for e in threads[first.pk]}


@pytest.mark.parametrize("sort", list(Sort))
def test_sorts_order_answers_but_replies_stay_chronological(db, sort):
    question = QuestionFactory()
    old, middle, new = _answers(question, 3)
    Comment.objects.filter(pk=middle.pk).update(helpful_count=5)
    Comment.objects.filter(pk=new.pk).update(helpful_count=2)
    early = CommentFactory(parent=old, created_at=old.created_at + datetime.timedelta(seconds=1))
    late = CommentFactory(parent=old, created_at=old.created_at + datetime.timedelta(seconds=2))

    entries = question_page_thread(question, sort=sort, page=1, reader=AnonymousUser())

    roots = [e.comment.pk for e in entries if e.depth == 0]
    expected = {
        Sort.OLDEST: [old.pk, middle.pk, new.pk],
        Sort.NEWEST: [new.pk, middle.pk, old.pk],
        Sort.HELPFUL: [middle.pk, new.pk, old.pk],
    }[sort]
    assert roots == expected
    replies = [e.comment.pk for e in entries if e.depth == 1]
    assert replies == [early.pk, late.pk]


def test_sort_parse_falls_back_to_oldest():
    assert Sort.parse("helpful") is Sort.HELPFUL
    assert Sort.parse("'; DROP TABLE") is Sort.OLDEST
    assert Sort.parse(None) is Sort.OLDEST


def test_answer_page_of_finds_the_page_of_a_reply_through_its_answer(db):
    question = QuestionFactory()
    answers = _answers(question, ANSWERS_PER_PAGE + 2)
    reply = CommentFactory(parent=answers[-1])
    assert answer_page_of(answers[0]) == 1
    assert answer_page_of(answers[ANSWERS_PER_PAGE - 1]) == 1
    assert answer_page_of(answers[ANSWERS_PER_PAGE]) == 2
    assert answer_page_of(reply) == 2


def test_question_stats_count_answers_comments_and_participants(db, django_assert_num_queries):
    discussion = DiscussionFactory(questions=2)
    first, second = discussion.questions.all()
    alice, bob = UserFactory(), UserFactory()
    answer = CommentFactory(question=first, author=alice)
    CommentFactory(parent=answer, author=bob)
    CommentFactory(parent=answer, author=alice)
    gone = CommentFactory(question=second, author=bob, deleted_at=timezone.now())
    CommentFactory(parent=gone, author=alice)

    with django_assert_num_queries(2):
        stats, participants = question_stats(discussion)

    assert (stats[first.pk].answers, stats[first.pk].comments, stats[first.pk].participants) == (
        1,
        3,
        2,
    )
    # A deleted answer still takes a place among the answers, but is not a comment.
    assert (stats[second.pk].answers, stats[second.pk].comments, stats[second.pk].participants) == (
        1,
        1,
        1,
    )
    assert participants == 2
