import datetime

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.markdown import render_markdown
from discussions.models import Comment, Discussion
from discussions.threads import ANSWERS_PER_PAGE
from tests.factories import CommentFactory, DiscussionFactory, UserFactory


def add_comments(discussion, count, *, depth=8):
    """Bulk-create ``count`` comments spread over the questions, replies nested to ``depth``."""
    questions = list(discussion.questions.all())
    authors = UserFactory.create_batch(5)
    start = timezone.now() - datetime.timedelta(days=2)
    created = 0
    while created < count:
        question = questions[created % len(questions)]
        chain = []
        for level in range(min(depth, count - created)):
            parent = chain[-1] if chain else None
            comment = Comment.objects.create(
                question=question,
                parent=parent,
                root=(chain[0] if chain else None),
                author=authors[created % len(authors)],
                body=f"Comment {created}",
                body_html=render_markdown(f"Comment {created} at level {level}"),
                created_at=start + datetime.timedelta(seconds=created),
            )
            chain.append(comment)
            created += 1


# --- Home and archive -------------------------------------------------------------------


def test_home_lists_open_discussions_newest_first_with_counts(client, db):
    older = DiscussionFactory(opens_at=timezone.now() - datetime.timedelta(days=30))
    newer = DiscussionFactory(opens_at=timezone.now() - datetime.timedelta(days=1))
    DiscussionFactory(status=Discussion.Status.DRAFT, article__title="A draft about drafts")
    DiscussionFactory(status=Discussion.Status.CLOSED, article__title="An old closed one")
    CommentFactory(question=newer.questions.first())
    deleted = CommentFactory(question=newer.questions.first())
    Comment.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    response = client.get(reverse("discussions:home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index(newer.article.title) < content.index(older.article.title)
    assert "A draft about drafts" not in content
    assert "An old closed one" not in content
    assert "1 comment" in content  # the deleted comment is not counted
    assert "Lovelace &amp; Turing" in content
    assert "BMC Health Services Research" in content
    assert "2020" in content
    assert reverse("discussions:archive") in content


def test_archive_lists_closed_discussions_only(client, db):
    DiscussionFactory(article__title="Still open")
    DiscussionFactory(status=Discussion.Status.CLOSED, article__title="Finished last year")

    response = client.get(reverse("discussions:archive"))

    assert response.status_code == 200
    assert "Finished last year" in response.content.decode()
    assert "Still open" not in response.content.decode()


@pytest.mark.usefixtures("clubs_counted")
def test_home_query_count_does_not_grow_with_discussions(client, db, django_assert_num_queries):
    for _ in range(2):
        add_comments(DiscussionFactory(), 3)
    # The count, the page, its papers' authors, their latest participants, live sessions.
    with django_assert_num_queries(5) as few:
        client.get(reverse("discussions:home"))
    for _ in range(8):
        add_comments(DiscussionFactory(), 3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("discussions:home"))
    assert response.content.decode().count('class="card"') == 10


def test_home_with_no_open_discussion_says_so(client, db):
    response = client.get(reverse("discussions:home"))
    assert "No discussion is open right now." in response.content.decode()


def test_home_page_number_out_of_range_shows_last_page(client, db):
    DiscussionFactory()
    assert client.get(reverse("discussions:home"), {"page": "999"}).status_code == 200
    assert client.get(reverse("discussions:home"), {"page": "abc"}).status_code == 200


# --- Discussion page --------------------------------------------------------------------


def test_discussion_page_shows_citation_abstract_commentary_questions(client, discussion):
    response = client.get(discussion.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    article = discussion.article
    assert f'<h1 lang="en">{article.title}</h1>' in content
    assert f'href="https://doi.org/{article.doi}"' in content
    assert "Lovelace, A., &amp; Turing, A." in content
    assert "<h3>Background</h3>" in content
    assert "<h3>Conclusion</h3>" in content
    assert "A short <strong>commentary</strong> by the host." in content
    for question in discussion.questions.all():
        assert f'id="question-{question.number}"' in content
        assert question.text in content


def test_discussion_page_nests_replies_with_permalink_anchors(client, discussion):
    question = discussion.questions.first()
    answer = CommentFactory(question=question, body="The answer")
    reply = CommentFactory(parent=answer, body="A reply")
    deeper = CommentFactory(parent=reply, body="A deeper reply")

    content = client.get(discussion.get_absolute_url()).content.decode()

    for comment in (answer, reply, deeper):
        assert f'id="comment-{comment.pk}"' in content
        assert f'href="#comment-{comment.pk}"' in content
    # Each reply sits inside its parent's list item, in a nested list.
    thread = content[content.index('<ol class="thread"') :]
    assert thread.count('<ol class="replies"') == 2
    assert f'<ol class="replies" id="replies-{answer.pk}">' in thread
    assert f'<ol class="replies" id="replies-{reply.pk}">' in thread
    assert thread.index("The answer") < thread.index("A reply") < thread.index("A deeper reply")


def test_deleted_comment_leaves_a_tombstone_and_keeps_replies(client, discussion):
    answer = CommentFactory(question=discussion.questions.first(), body="Soon gone")
    CommentFactory(parent=answer, body="Still here")
    Comment.objects.filter(pk=answer.pk).update(deleted_at=timezone.now(), body="", body_html="")

    content = client.get(discussion.get_absolute_url()).content.decode()

    assert "This comment was deleted" in content
    assert "Soon gone" not in content
    assert "Still here" in content


@pytest.mark.parametrize("comments", [5, 2000])
@pytest.mark.usefixtures("clubs_counted")
def test_discussion_page_query_count_is_constant(client, db, comments, django_assert_num_queries):
    """Same queries at 5 and 2,000 comments: the thread is read once and assembled in memory."""
    discussion = DiscussionFactory()
    add_comments(discussion, comments)

    # The first view renders the page: its version (the cache misses), discussion (with
    # paper, journal, host), questions, first page of answers, their replies, stats per
    # question, participants, authors, abstract sections, subjects, the authors' badges,
    # the translations of the commentary and of the questions, live sessions. Later views
    # until the next change take one query (tests/discussions/test_page_cache.py).
    with django_assert_num_queries(14):
        response = client.get(discussion.get_absolute_url())

    # The first 50 answers of each question are shown, each with its whole reply tree.
    shown = 0
    for question in discussion.questions.all():
        roots = question.comments.filter(parent=None).order_by("created_at", "id")[
            :ANSWERS_PER_PAGE
        ]
        shown += Comment.objects.filter(Q(pk__in=roots) | Q(root__in=roots)).count()
    assert response.content.decode().count('<article class="comment') == shown
    assert shown == (5 if comments == 5 else 3 * ANSWERS_PER_PAGE * 8)


@pytest.mark.usefixtures("clubs_counted")
def test_discussion_page_signed_in_query_count_is_constant(
    member_client, db, django_assert_num_queries
):
    small, large = DiscussionFactory(), DiscussionFactory()
    add_comments(small, 5)
    add_comments(large, 300)
    with django_assert_num_queries(30, exact=False) as at_five:
        member_client.get(small.get_absolute_url())
    with django_assert_num_queries(len(at_five.captured_queries)):
        member_client.get(large.get_absolute_url())


def test_unknown_discussion_is_a_styled_404(client, db):
    response = client.get(reverse("discussions:detail", kwargs={"slug": "no-such-thing"}))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_draft_discussion_is_404_for_visitors_and_members(client, member_client, db):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert member_client.get(draft.get_absolute_url()).status_code == 404


def test_draft_discussion_is_visible_to_staff(staff_client, db):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft" in response.content.decode()


def test_closed_discussion_is_readable_and_says_it_is_closed(client, db):
    closed = DiscussionFactory(status=Discussion.Status.CLOSED)
    CommentFactory(question=closed.questions.first(), body="From when it was open")
    content = client.get(closed.get_absolute_url()).content.decode()
    assert "This discussion is closed" in content
    assert "From when it was open" in content


def test_comment_permalink_redirects_to_anchor(client, discussion):
    comment = CommentFactory(question=discussion.questions.last())
    response = client.get(reverse("discussions:comment", kwargs={"pk": comment.pk}))
    assert response.status_code == 302
    assert response.url == f"{discussion.get_absolute_url()}#comment-{comment.pk}"


def test_comment_permalink_in_draft_is_404(client, db):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    comment = CommentFactory(question=draft.questions.first())
    assert client.get(reverse("discussions:comment", kwargs={"pk": comment.pk})).status_code == 404


def test_hostile_commentary_is_rendered_harmless(client, db):
    discussion = DiscussionFactory(
        commentary="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    content = client.get(discussion.get_absolute_url()).content.decode()
    assert "<script>alert" not in content
    assert 'href="javascript:' not in content
    assert "<img src=x" not in content


def test_a_comment_whose_label_was_retired_still_renders(client, db):
    discussion = DiscussionFactory()
    comment = CommentFactory(question=discussion.questions.first(), body="Labelled long ago")
    Comment.objects.filter(pk=comment.pk).update(label="retired-label")
    response = client.get(discussion.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Labelled long ago" in content
    assert "label--retired-label" not in content


@pytest.mark.parametrize(
    "query",
    ["sort=bogus", "sort=%3Cscript%3E", "page=999999", "page=-1", "page=abc", "x=" + "y" * 5000],
)
def test_odd_parameters_give_the_page_never_an_error(client, db, query):
    discussion = DiscussionFactory()
    CommentFactory(question=discussion.questions.first())
    question = discussion.questions.first()
    for url in (discussion.get_absolute_url(), question.get_absolute_url()):
        assert client.get(f"{url}?{query}").status_code in (200, 404)
