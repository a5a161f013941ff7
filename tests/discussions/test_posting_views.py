import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Discussion
from tests.factories import CommentFactory, DiscussionFactory, UserFactory


def answer_url(discussion, number=2):
    return reverse("discussions:comment-create", kwargs={"slug": discussion.slug, "number": number})


def reply_url(comment):
    return reverse("discussions:comment-reply", kwargs={"pk": comment.pk})


def edit_url(comment):
    return reverse("discussions:comment-edit", kwargs={"pk": comment.pk})


def delete_url(comment):
    return reverse("discussions:comment-delete", kwargs={"pk": comment.pk})


# --- What each kind of visitor is offered ------------------------------------------------


def test_visitor_is_invited_to_sign_in_and_come_back(client, discussion):
    content = client.get(discussion.get_absolute_url()).content.decode()
    assert "Sign in to join the discussion" in content
    assert f"?next={discussion.get_absolute_url()}%23question-2" in content
    assert 'class="comment-form"' not in content


def test_unverified_member_is_asked_to_confirm_their_email(client, discussion):
    client.force_login(UserFactory(verified=False))
    content = client.get(discussion.get_absolute_url()).content.decode()
    assert "Confirm your email address to join the discussion" in content
    assert 'class="comment-form"' not in content


def test_verified_member_gets_an_answer_form_per_question(member_client, discussion):
    content = member_client.get(discussion.get_absolute_url()).content.decode()
    assert content.count('class="comment-form"') == 3
    assert 'id="id_body_2"' in content
    assert "Markdown works" in content
    # The limit is stated and counted, never enforced by cutting a paste short.
    assert "Up to 10,000 characters" in content
    assert 'data-limit="10000"' in content
    assert "maxlength" not in content.split('id="id_body_2"')[0].rsplit("<textarea", 1)[1]


def test_closed_discussion_offers_no_forms(member_client, db):
    closed = DiscussionFactory(status=Discussion.Status.CLOSED)
    CommentFactory(question=closed.questions.first())
    content = member_client.get(closed.get_absolute_url()).content.decode()
    assert 'class="comment-form"' not in content
    assert "Reply</a>" not in content
    assert "Sign in to join" not in content


def test_authors_see_edit_and_delete_on_their_own_comments_only(member_client, member, discussion):
    own = CommentFactory(question=discussion.questions.first(), author=member)
    other = CommentFactory(question=discussion.questions.first())
    content = member_client.get(discussion.get_absolute_url()).content.decode()
    assert edit_url(own) in content
    assert delete_url(own) in content
    assert edit_url(other) not in content
    assert delete_url(other) not in content
    assert reply_url(other) in content


# --- Posting an answer ---------------------------------------------------------------------


def test_member_posts_an_answer_and_lands_on_it(member_client, member, discussion):
    response = member_client.post(answer_url(discussion), {"body": "I would **not** change it."})

    comment = Comment.objects.get()
    assert comment.author == member
    assert comment.question.number == 2
    assert response.status_code == 302
    assert response.url == f"{discussion.get_absolute_url()}#comment-{comment.pk}"
    page = member_client.get(discussion.get_absolute_url()).content.decode()
    assert "I would <strong>not</strong> change it." in page


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Write something before posting."), ("x" * 10_001, "at most 10000 characters")],
)
def test_invalid_answer_shows_the_error_and_keeps_the_text(member_client, discussion, body, error):
    response = member_client.post(answer_url(discussion), {"body": body})

    assert response.status_code == 200
    content = response.content.decode()
    assert error in content
    assert 'aria-invalid="true"' in content
    if body.strip():
        assert body in content  # what the person typed is still in the form
    assert not Comment.objects.exists()


def test_answer_to_an_unknown_question_is_404(member_client, discussion):
    assert member_client.post(answer_url(discussion, 99), {"body": "x"}).status_code == 404


def test_answer_to_a_draft_is_404(member_client, db):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    assert member_client.post(answer_url(draft), {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_answer_to_a_closed_discussion_is_refused_with_a_message(member_client, db):
    closed = DiscussionFactory(status=Discussion.Status.CLOSED)
    response = member_client.post(answer_url(closed), {"body": "Too late?"})
    assert response.status_code == 403
    assert "This discussion is closed" in response.content.decode()
    assert not Comment.objects.exists()


def test_answer_by_an_unverified_member_is_refused(client, discussion):
    client.force_login(UserFactory(verified=False))
    response = client.post(answer_url(discussion), {"body": "Hello"})
    assert response.status_code == 403
    assert "confirm your email address" in response.content.decode()
    assert not Comment.objects.exists()


def test_answer_by_a_visitor_goes_to_sign_in(client, discussion):
    response = client.post(answer_url(discussion), {"body": "Hello"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_answer_without_csrf_token_is_refused(member, discussion):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(answer_url(discussion), {"body": "Hello"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_double_submitted_answer_is_saved_once(member_client, discussion):
    first = member_client.post(answer_url(discussion), {"body": "Only once, please"})
    second = member_client.post(answer_url(discussion), {"body": "Only once, please"})
    assert Comment.objects.count() == 1
    assert first.url == second.url


def test_get_on_the_answer_url_is_not_allowed(member_client, discussion):
    assert member_client.get(answer_url(discussion)).status_code == 405


# --- Replying ---------------------------------------------------------------------------------


def test_reply_page_shows_the_comment_and_a_form(member_client, discussion):
    parent = CommentFactory(question=discussion.questions.first(), body="Original point")
    response = member_client.get(reply_url(parent))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Original point" in content
    assert f"Reply to {parent.author.name}" in content
    assert 'name="body"' in content


def test_member_replies_at_depth_three_and_lands_on_the_reply(member_client, discussion):
    answer = CommentFactory(question=discussion.questions.first())
    reply = CommentFactory(parent=answer)
    response = member_client.post(reply_url(reply), {"body": "Third level"})

    new = Comment.objects.get(body="Third level")
    assert new.parent == reply
    assert new.root == answer
    assert new.question == answer.question
    assert response.url == f"{discussion.get_absolute_url()}#comment-{new.pk}"


def test_invalid_reply_keeps_the_text(member_client, discussion):
    parent = CommentFactory(question=discussion.questions.first())
    response = member_client.post(reply_url(parent), {"body": "y" * 10_001})
    assert response.status_code == 200
    assert "y" * 10_001 in response.content.decode()
    assert Comment.objects.count() == 1


def test_reply_to_a_missing_comment_is_404(member_client, db):
    assert member_client.post("/comments/999999/reply/", {"body": "x"}).status_code == 404
    assert member_client.get("/comments/999999/reply/").status_code == 404


def test_reply_to_a_comment_in_a_draft_is_404(member_client, db):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    parent = CommentFactory(question=draft.questions.first())
    assert member_client.post(reply_url(parent), {"body": "x"}).status_code == 404
    assert Comment.objects.count() == 1


def test_reply_in_a_closed_discussion_is_refused(member_client, db):
    closed = DiscussionFactory(status=Discussion.Status.CLOSED)
    parent = CommentFactory(question=closed.questions.first())
    assert member_client.get(reply_url(parent)).status_code == 403
    assert member_client.post(reply_url(parent), {"body": "x"}).status_code == 403
    assert Comment.objects.count() == 1


def test_reply_by_an_unverified_member_is_refused(client, discussion):
    client.force_login(UserFactory(verified=False))
    parent = CommentFactory(question=discussion.questions.first())
    assert client.get(reply_url(parent)).status_code == 403
    assert client.post(reply_url(parent), {"body": "x"}).status_code == 403
    assert Comment.objects.count() == 1


def test_reply_post_query_count(
    member_client, member, discussion, settings, django_capture_on_commit_callbacks
):
    """
    Everything a reply costs in production: session, member, the parent (with question,
    discussion, paper), the member's permissions (one query), the suspension check
    (once: remembered on the user), parent lock, member lock (which also counts their
    published comments, for pre-moderation), duplicate check, insert, the page's version,
    search-index upsert, the notification task (after the commit), and the page the
    reply lands on. The savepoints exist only because the test runs inside a
    transaction (in production they are BEGIN and COMMIT, which are not queries).
    """
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1  # production's defaults
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    question = discussion.questions.first()
    CommentFactory(question=question, author=member)  # their first post, already approved
    parent = CommentFactory(question=question)
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = member_client.post(reply_url(parent), {"body": "Counting queries"})
    assert response.status_code == 302
    assert callbacks  # the notification task was enqueued and is counted
    assert Comment.objects.get(body="Counting queries").status == Comment.Status.PUBLISHED
    work = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    assert len(work) < 16, "\n".join(work)


def test_htmx_reply_query_count_does_not_grow_with_the_thread(
    member_client, discussion, django_assert_num_queries
):
    question = discussion.questions.first()
    small = CommentFactory(question=question)
    big = CommentFactory(question=question)
    for _ in range(3):
        CommentFactory.create_batch(10, parent=CommentFactory(parent=big))
    htmx = {"HTTP_HX_REQUEST": "true"}
    # 16, the page version, the slug whose kept version visitors' pages let go of, the
    # new comment's author's badges, and the member's clubs
    with django_assert_num_queries(20, exact=False) as at_small:
        member_client.post(reply_url(small), {"body": "small"}, **htmx)
    with django_assert_num_queries(len(at_small.captured_queries)):
        response = member_client.post(reply_url(big), {"body": "big"}, **htmx)
    assert f'hx-swap-oob="beforeend:#replies-{big.pk}"'.encode() in response.content


# --- Editing ----------------------------------------------------------------------------------


def test_edit_form_shows_the_markdown_source(member_client, member, discussion):
    comment = CommentFactory(question=discussion.questions.first(), author=member, body="**src**")
    content = member_client.get(edit_url(comment)).content.decode()
    assert "**src**</textarea>" in content


def test_author_edits_and_page_shows_edited(member_client, member, discussion):
    comment = CommentFactory(
        question=discussion.questions.first(),
        author=member,
        body="old",
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    response = member_client.post(edit_url(comment), {"body": "new *text*"})
    assert response.url == f"{discussion.get_absolute_url()}#comment-{comment.pk}"
    content = member_client.get(discussion.get_absolute_url()).content.decode()
    assert "new <em>text</em>" in content
    assert f'class="comment__edited" href="/comments/{comment.pk}/revisions/">edited' in content


def test_invalid_edit_keeps_the_text_and_the_comment(member_client, member, discussion):
    comment = CommentFactory(question=discussion.questions.first(), author=member, body="old")
    response = member_client.post(edit_url(comment), {"body": " "})
    assert response.status_code == 200
    assert "Write something before posting." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "old"


def test_editing_someone_elses_comment_is_403(member_client, discussion):
    comment = CommentFactory(question=discussion.questions.first(), body="theirs")
    assert member_client.get(edit_url(comment)).status_code == 403
    assert member_client.post(edit_url(comment), {"body": "mine"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "theirs"


# --- Deleting ---------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_then_leaves_a_tombstone(member_client, member, discussion):
    comment = CommentFactory(question=discussion.questions.first(), author=member, body="bye")
    CommentFactory(parent=comment, body="a reply that stays")

    assert "Delete your comment?" in member_client.get(delete_url(comment)).content.decode()
    response = member_client.post(delete_url(comment))

    assert response.status_code == 302
    content = member_client.get(discussion.get_absolute_url()).content.decode()
    assert "This comment was deleted by its author." in content
    assert "a reply that stays" in content
    assert Comment.objects.count() == 2


def test_deleting_someone_elses_comment_is_403(member_client, discussion):
    comment = CommentFactory(question=discussion.questions.first())
    assert member_client.get(delete_url(comment)).status_code == 403
    assert member_client.post(delete_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_deleted
