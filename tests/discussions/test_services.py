import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from discussions import services
from discussions.models import Comment, Discussion
from tests.factories import CommentFactory, DiscussionFactory, UserFactory
from tests.html_safety import unsafe_parts


@pytest.fixture
def question(discussion):
    return discussion.questions.get(number=2)


# --- Posting and replying ------------------------------------------------------------------


def test_post_an_answer_renders_and_stores_markdown(question, member):
    comment = services.comment_post(question=question, author=member, body="  **Yes**, I would.  ")

    assert comment.pk
    assert comment.body == "**Yes**, I would."
    assert comment.body_html == "<p><strong>Yes</strong>, I would.</p>\n"
    assert comment.parent is None
    assert comment.root is None


def test_reply_at_any_depth_points_to_its_parent_and_thread_root(question, member):
    answer = services.comment_post(question=question, author=member, body="answer")
    reply = services.comment_post(question=question, author=member, body="reply", parent=answer)
    deeper = services.comment_post(question=question, author=member, body="deeper", parent=reply)

    assert reply.parent == answer
    assert reply.root == answer
    assert deeper.parent == reply
    assert deeper.root == answer


def test_reply_to_a_comment_of_another_question_is_refused(discussion, member):
    elsewhere = CommentFactory(question=discussion.questions.get(number=1))
    with pytest.raises(ValidationError) as error:
        services.comment_post(
            question=discussion.questions.get(number=2), author=member, body="x", parent=elsewhere
        )
    assert error.value.code == "wrong_question"
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_of_another_discussion_is_refused(question, member):
    elsewhere = CommentFactory()
    with pytest.raises(ValidationError):
        services.comment_post(question=question, author=member, body="x", parent=elsewhere)
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_deleted_meanwhile_lands_under_its_tombstone(question, member):
    answer = CommentFactory(question=question, deleted_at=timezone.now())
    reply = services.comment_post(question=question, author=member, body="x", parent=answer)
    assert reply.parent == answer


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.PENDING])
def test_reply_to_a_hidden_or_unreviewed_comment_is_refused(question, member, status):
    answer = CommentFactory(question=question, status=status)
    with pytest.raises(services.NotAllowed):
        services.comment_post(question=question, author=member, body="x", parent=answer)


@pytest.mark.parametrize(
    ("status", "message"),
    [(Discussion.Status.CLOSED, "closed"), (Discussion.Status.DRAFT, "not open")],
)
def test_posting_needs_an_open_discussion(member, status, message):
    discussion = DiscussionFactory(status=status)
    with pytest.raises(services.NotAllowed, match=message):
        services.comment_post(question=discussion.questions.first(), author=member, body="x")
    assert not Comment.objects.exists()


def test_posting_needs_a_verified_email_address(question):
    unverified = UserFactory(verified=False)
    with pytest.raises(services.NotAllowed, match="confirm your email"):
        services.comment_post(question=question, author=unverified, body="x")
    assert not Comment.objects.exists()


def test_inactive_member_cannot_post(question):
    inactive = UserFactory(is_active=False)
    with pytest.raises(services.NotAllowed):
        services.comment_post(question=question, author=inactive, body="x")


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n"])
def test_empty_comment_is_refused(question, member, body):
    with pytest.raises(ValidationError) as error:
        services.comment_post(question=question, author=member, body=body)
    assert "body" in error.value.message_dict
    assert not Comment.objects.exists()


def test_length_limit_counts_after_stripping_whitespace(question, member):
    ok = services.comment_post(question=question, author=member, body="  " + "a" * 10_000 + "  ")
    assert len(ok.body) == 10_000
    with pytest.raises(ValidationError, match="at most 10,000 characters"):
        services.comment_post(question=question, author=member, body="b" * 10_001)
    assert Comment.objects.count() == 1


def test_double_submission_saves_one_comment(question, member):
    first = services.comment_post(question=question, author=member, body="Same words")
    second = services.comment_post(question=question, author=member, body="Same words ")
    assert first == second
    assert Comment.objects.count() == 1


def test_same_text_later_or_elsewhere_is_a_new_comment(question, member, discussion):
    first = services.comment_post(question=question, author=member, body="Agreed.")
    Comment.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    services.comment_post(question=question, author=member, body="Agreed.")
    services.comment_post(question=question, author=member, body="Agreed.", parent=first)
    services.comment_post(
        question=discussion.questions.get(number=1), author=member, body="Agreed."
    )
    assert Comment.objects.count() == 4


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="https://x.org" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_hostile_markdown_is_stored_harmless(question, member, hostile):
    comment = services.comment_post(question=question, author=member, body=hostile)
    assert unsafe_parts(comment.body_html) == []


def test_links_get_nofollow_ugc_noopener(question, member):
    comment = services.comment_post(
        question=question, author=member, body="See https://example.org"
    )
    assert 'rel="nofollow ugc noopener"' in comment.body_html


# --- Editing ---------------------------------------------------------------------------------


def _posted_minutes_ago(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    comment.refresh_from_db()
    return comment


def test_edit_after_the_grace_period_keeps_a_revision_and_marks_edited(question, member):
    comment = services.comment_post(question=question, author=member, body="first")
    comment = _posted_minutes_ago(comment, 11)

    edited = services.comment_edit(comment=comment, editor=member, body="*second*")

    assert edited.body == "*second*"
    assert edited.body_html == "<p><em>second</em></p>\n"
    assert edited.edited_at is not None
    revision = edited.revisions.get()
    assert revision.body == "first"
    assert revision.written_at == comment.created_at


def test_edits_within_the_grace_period_keep_no_revision(question, member):
    comment = services.comment_post(question=question, author=member, body="frist")
    edited = services.comment_edit(comment=comment, editor=member, body="first")
    assert edited.body == "first"
    assert edited.edited_at is None
    assert not edited.revisions.exists()


def test_every_later_edit_keeps_the_version_it_replaces(question, member):
    comment = _posted_minutes_ago(
        services.comment_post(question=question, author=member, body="v1"), 30
    )
    services.comment_edit(comment=comment, editor=member, body="v2")
    second = services.comment_edit(comment=comment, editor=member, body="v3")
    revisions = list(second.revisions.all())
    assert [r.body for r in revisions] == ["v2", "v1"]
    assert revisions[0].written_at == revisions[1].replaced_at


def test_changing_only_the_label_keeps_no_revision(question, member):
    comment = _posted_minutes_ago(
        services.comment_post(question=question, author=member, body="text"), 30
    )
    edited = services.comment_edit(
        comment=comment, editor=member, body="text", label=Comment.Label.PRACTICE
    )
    assert edited.label == Comment.Label.PRACTICE
    assert not edited.revisions.exists()
    assert edited.edited_at is None


def test_deleting_removes_earlier_versions_too(question, member):
    comment = _posted_minutes_ago(
        services.comment_post(question=question, author=member, body="secret"), 30
    )
    services.comment_edit(comment=comment, editor=member, body="less secret")
    services.comment_delete(comment=comment, actor=member)
    assert not comment.revisions.exists()


def test_editing_without_changes_does_not_mark_edited(question, member):
    comment = services.comment_post(question=question, author=member, body="same")
    assert services.comment_edit(comment=comment, editor=member, body=" same ").edited_at is None


def test_nobody_edits_someone_elses_comment(question, member):
    comment = CommentFactory(question=question, body="mine")
    with pytest.raises(services.NotAllowed):
        services.comment_edit(comment=comment, editor=member, body="yours now")
    comment.refresh_from_db()
    assert comment.body == "mine"


def test_editing_keeps_replies_attached(question, member):
    comment = services.comment_post(question=question, author=member, body="parent")
    reply = CommentFactory(parent=comment)
    services.comment_edit(comment=comment, editor=member, body="parent, revised")
    reply.refresh_from_db()
    assert reply.parent_id == comment.pk


def test_edit_needs_an_open_discussion(question, member):
    comment = services.comment_post(question=question, author=member, body="before closing")
    Discussion.objects.update(status=Discussion.Status.CLOSED)
    with pytest.raises(services.NotAllowed, match="closed"):
        services.comment_edit(comment=comment, editor=member, body="after closing")


def test_edit_validates_the_new_text(question, member):
    comment = services.comment_post(question=question, author=member, body="ok")
    with pytest.raises(ValidationError):
        services.comment_edit(comment=comment, editor=member, body="   ")
    comment.refresh_from_db()
    assert comment.body == "ok"


# --- Deleting --------------------------------------------------------------------------------


def test_delete_leaves_a_tombstone_and_keeps_every_reply(question, member):
    comment = services.comment_post(question=question, author=member, body="to be removed")
    reply = CommentFactory(parent=comment, body="reply")
    reply_to_reply = CommentFactory(parent=reply, body="reply to reply")

    services.comment_delete(comment=comment, actor=member)

    comment.refresh_from_db()
    assert comment.is_deleted
    assert comment.body == ""
    assert comment.body_html == ""
    assert Comment.objects.filter(pk__in=[reply.pk, reply_to_reply.pk]).count() == 2
    reply.refresh_from_db()
    assert reply.body == "reply"
    assert reply.parent_id == comment.pk


def test_nobody_deletes_someone_elses_comment(question, member):
    comment = CommentFactory(question=question, body="keep me")
    with pytest.raises(services.NotAllowed):
        services.comment_delete(comment=comment, actor=member)
    comment.refresh_from_db()
    assert not comment.is_deleted


def test_deleting_twice_is_harmless(question, member):
    comment = services.comment_post(question=question, author=member, body="x")
    first = services.comment_delete(comment=comment, actor=member).deleted_at
    assert services.comment_delete(comment=comment, actor=member).deleted_at == first


def test_author_may_delete_after_the_discussion_closed(question, member):
    comment = services.comment_post(question=question, author=member, body="x")
    Discussion.objects.update(status=Discussion.Status.CLOSED)
    assert services.comment_delete(comment=comment, actor=member).is_deleted


def test_deleted_comment_cannot_be_edited(question, member):
    comment = services.comment_post(question=question, author=member, body="x")
    services.comment_delete(comment=comment, actor=member)
    with pytest.raises(services.NotAllowed):
        services.comment_edit(comment=comment, editor=member, body="back")


def test_reply_post_query_count(question, member, django_assert_max_num_queries):
    parent = CommentFactory(question=question)
    # permissions (user, group), suspension, the discussion's club, the member's clubs,
    # parent lock, member lock, duplicate check, insert, the page's version, search-index
    # upsert; plus the test transaction's savepoint pair
    with django_assert_max_num_queries(13):
        services.comment_post(question=question, author=member, body="reply", parent=parent)


# --- Opening and closing ----------------------------------------------------------------------


def test_opening_records_the_time_and_is_idempotent(db):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT, opens_at=None)
    assert services.discussion_open(discussion=draft) is True
    draft.refresh_from_db()
    assert draft.status == Discussion.Status.OPEN
    assert draft.opens_at is not None
    assert services.discussion_open(discussion=draft) is False


def test_opening_early_moves_a_planned_opening_to_now(db):
    planned = timezone.now() + datetime.timedelta(days=7)
    draft = DiscussionFactory(status=Discussion.Status.DRAFT, opens_at=planned)
    services.discussion_open(discussion=draft)
    draft.refresh_from_db()
    assert draft.opens_at <= timezone.now()


def test_reopening_clears_a_closing_time_in_the_past(db):
    closed = DiscussionFactory(status=Discussion.Status.OPEN)
    services.discussion_close(discussion=closed)
    services.discussion_open(discussion=closed)
    closed.refresh_from_db()
    assert closed.status == Discussion.Status.OPEN
    assert closed.closes_at is None


def test_closing_records_the_time_and_keeps_the_opening(db):
    discussion = DiscussionFactory()
    opened = discussion.opens_at
    assert services.discussion_close(discussion=discussion) is True
    discussion.refresh_from_db()
    assert discussion.status == Discussion.Status.CLOSED
    assert discussion.opens_at == opened
    assert discussion.closes_at > opened
    assert services.discussion_close(discussion=discussion) is False


def test_closing_a_draft_that_was_to_open_later_drops_the_opening(db):
    draft = DiscussionFactory(
        status=Discussion.Status.DRAFT, opens_at=timezone.now() + datetime.timedelta(days=3)
    )
    services.discussion_close(discussion=draft)
    draft.refresh_from_db()
    assert draft.opens_at is None
    assert draft.closes_at is not None


# --- Mentions --------------------------------------------------------------------------------


def test_mentions_of_members_link_to_their_profiles(question, member):
    priya = UserFactory(username="priya_venkatesan")
    comment = services.comment_post(
        question=question, author=member, body="As @Priya_Venkatesan said, and @nobody agreed."
    )
    assert f'<a href="{priya.get_absolute_url()}" class="mention"' in comment.body_html
    assert "@nobody" in comment.body_html
    assert comment.body_html.count("<a ") == 1


def test_mentions_of_inactive_members_stay_text(question, member):
    UserFactory(username="gone", is_active=False)
    comment = services.comment_post(question=question, author=member, body="Hello @gone")
    assert "<a " not in comment.body_html


# --- Helpful marks ----------------------------------------------------------------------------


def test_marking_helpful_is_idempotent_and_counted(question, member):
    comment = CommentFactory(question=question)
    assert services.comment_mark_helpful(comment=comment, member=member) is True
    assert services.comment_mark_helpful(comment=comment, member=member) is True
    comment.refresh_from_db()
    assert comment.helpful_count == 1
    assert services.comment_mark_helpful(comment=comment, member=member, helpful=False) is False
    assert services.comment_mark_helpful(comment=comment, member=member, helpful=False) is False
    comment.refresh_from_db()
    assert comment.helpful_count == 0


def test_one_mark_per_member_is_enforced_by_the_database(question, member):
    from django.db import IntegrityError, transaction

    from discussions.models import Reaction

    comment = CommentFactory(question=question)
    Reaction.objects.create(comment=comment, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(comment=comment, member=member)


@pytest.mark.parametrize(
    ("setup", "message"),
    [("own", "your own"), ("deleted", "deleted"), ("closed", "closed"), ("unverified", "confirm")],
)
def test_helpful_marks_follow_the_rules(question, member, setup, message):
    comment = CommentFactory(question=question, author=member if setup == "own" else UserFactory())
    marker = UserFactory(verified=False) if setup == "unverified" else member
    if setup == "deleted":
        Comment.objects.filter(pk=comment.pk).update(deleted_at=timezone.now())
    if setup == "closed":
        Discussion.objects.update(status=Discussion.Status.CLOSED)
    with pytest.raises(services.NotAllowed, match=message):
        services.comment_mark_helpful(comment=comment, member=marker)
    comment.refresh_from_db()
    assert comment.helpful_count == 0
