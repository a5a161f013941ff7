from io import StringIO

import pytest
from django.core.management import call_command

from discussions import services
from discussions.models import Comment
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _rerender(*args: str) -> str:
    out = StringIO()
    call_command("rerender_comments", *args, stdout=out)
    return out.getvalue()


def test_rewrites_stale_html_from_the_markdown_and_counts():
    fresh = CommentFactory(body="Already *current*.")
    fresh.body_html = services.render_comment_body(fresh.body)
    fresh.save()
    stale = CommentFactory(body="Now **bold**.")
    Comment.objects.filter(pk=stale.pk).update(body_html="<p>rendered by an old version</p>")

    output = _rerender()

    stale.refresh_from_db()
    assert stale.body_html == "<p>Now <strong>bold</strong>.</p>\n"
    assert "2 comments checked: 1 re-rendered, 1 already up to date" in output


def test_a_second_run_changes_nothing():
    comments = CommentFactory.create_batch(3)
    Comment.objects.update(body_html="")
    assert "3 re-rendered" in _rerender()
    before = list(Comment.objects.order_by("pk").values_list("body_html", flat=True))

    assert "0 re-rendered, 3 already up to date" in _rerender()
    assert list(Comment.objects.order_by("pk").values_list("body_html", flat=True)) == before
    assert all(html.startswith("<p>") for html in before), comments


def test_works_in_batches_and_links_mentions_of_members_who_joined_later():
    comments = CommentFactory.create_batch(5, body="Thanks @latecomer!")
    assert "href" not in comments[0].body_html
    UserFactory(username="latecomer")

    output = _rerender("--batch-size", "2", "--verbosity", "2")

    assert output.count("checked,") == 3  # batches of 2, 2 and 1
    for comment in Comment.objects.all():
        assert 'href="/members/latecomer/"' in comment.body_html
    assert "5 re-rendered" in output


def test_leaves_deleted_comments_alone():
    comment = CommentFactory()
    services.comment_delete(comment=comment, actor=comment.author)

    output = _rerender()

    comment.refresh_from_db()
    assert comment.body_html == ""
    assert "0 comments checked" in output
    assert "1 deleted skipped" in output


def test_uses_one_locking_query_per_batch(django_assert_max_num_queries):
    CommentFactory.create_batch(4)
    Comment.objects.update(body_html="")
    # Per batch: begin, select for update, bulk update, the versions raised (and the
    # slugs whose kept versions are let go of); plus the final empty batch and count.
    with django_assert_max_num_queries(11):
        _rerender("--batch-size", "4")
