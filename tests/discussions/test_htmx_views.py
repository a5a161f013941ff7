"""The discussion page's in-place actions: each through htmx and without JavaScript."""

import datetime
import json
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Discussion, DiscussionVisit, Reaction
from discussions.threads import ANSWERS_PER_PAGE, MAX_DEPTH
from tests.factories import CommentFactory, DiscussionFactory, UserFactory
from tests.html_safety import unsafe_parts

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def question(discussion):
    return discussion.questions.get(number=1)


@pytest.fixture
def comment(question):
    return CommentFactory(question=question, body="An **answer** to reply to")


def url(name, **kwargs):
    return reverse(f"discussions:{name}", kwargs=kwargs)


def answer_url(discussion, number=1):
    return url("comment-create", slug=discussion.slug, number=number)


def is_fragment(response):
    return b"<html" not in response.content


def message(response):
    return unquote(response["X-Message"])


# --- Reply ---------------------------------------------------------------------------------


def test_reply_form_opens_in_place_for_htmx(member_client, comment):
    response = member_client.get(url("comment-reply", pk=comment.pk), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert is_fragment(response)
    assert f'hx-post="/comments/{comment.pk}/reply/"' in content
    assert f'hx-target="#reply-slot-{comment.pk}"' in content
    assert '<textarea name="body"' in content


def test_reply_form_is_a_page_without_javascript(member_client, comment):
    response = member_client.get(url("comment-reply", pk=comment.pk))
    content = response.content.decode()
    assert "<html" in content
    assert "hx-disable" in content  # the page's own form posts normally
    assert "An <strong>answer</strong> to reply to" in content


def test_htmx_reply_lands_in_a_new_reply_list_under_its_parent(member_client, comment):
    response = member_client.post(url("comment-reply", pk=comment.pk), {"body": "Agreed!"}, **HTMX)

    reply = Comment.objects.get(parent=comment)
    content = response.content.decode()
    assert is_fragment(response)
    assert response["HX-Reswap"] == "outerHTML"
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"commentPosted": {"id": reply.pk}}
    # The slot the reply form was in gives way to the parent's new list of replies.
    new_list = f'<ol class="replies" id="replies-{comment.pk}">'
    assert content.startswith(f'{new_list}<li class="thread__item" id="item-{reply.pk}">')
    assert "reply-slot" not in content
    assert "<p>Agreed!</p>" in content


def test_htmx_reply_is_appended_after_existing_replies(member_client, comment):
    CommentFactory(parent=comment)
    response = member_client.post(url("comment-reply", pk=comment.pk), {"body": "Me too"}, **HTMX)
    assert f'hx-swap-oob="beforeend:#replies-{comment.pk}"' in response.content.decode()


def test_htmx_reply_past_the_depth_limit_follows_the_parents_last_reply(member_client, question):
    chain = [CommentFactory(question=question)]
    for _ in range(MAX_DEPTH):
        chain.append(CommentFactory(parent=chain[-1]))
    deepest = chain[-1]  # at MAX_DEPTH
    earlier = CommentFactory(parent=deepest)

    response = member_client.post(url("comment-reply", pk=deepest.pk), {"body": "Deep"}, **HTMX)

    content = response.content.decode()
    assert f'hx-swap-oob="afterend:#item-{earlier.pk}"' in content
    assert f'in reply to <a href="#comment-{deepest.pk}">@{deepest.author.username}</a>' in content


def test_invalid_htmx_reply_shows_errors_in_the_form_and_keeps_the_text(member_client, comment):
    response = member_client.post(
        url("comment-reply", pk=comment.pk), {"body": "x" * 10_001}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert is_fragment(response)
    assert "at most 10000 characters" in content
    assert "x" * 10_001 in content
    assert Comment.objects.count() == 1


def test_htmx_reply_to_a_comment_deleted_meanwhile_still_lands(member_client, question):
    gone = CommentFactory(question=question, deleted_at=timezone.now())
    response = member_client.post(url("comment-reply", pk=gone.pk), {"body": "hello?"}, **HTMX)
    assert response.status_code == 200
    assert Comment.objects.get(parent=gone).body == "hello?"


def test_htmx_reply_to_a_hidden_comment_says_why(member_client, question):
    hidden = CommentFactory(question=question, status=Comment.Status.HIDDEN)
    response = member_client.post(url("comment-reply", pk=hidden.pk), {"body": "hello?"}, **HTMX)
    assert response.status_code == 403
    assert "not published" in message(response)
    assert Comment.objects.count() == 1


def test_htmx_reply_to_a_comment_that_no_longer_exists_says_so(member_client, db):
    response = member_client.post("/comments/987654/reply/", {"body": "hello?"}, **HTMX)
    assert response.status_code == 404
    assert "no longer exists" in message(response)
    assert not Comment.objects.exists()


def test_quote_prefills_the_reply_with_the_comment_as_a_markdown_quote(member_client, comment):
    response = member_client.get(url("comment-reply", pk=comment.pk) + "?quote=1", **HTMX)
    content = response.content.decode()
    assert "&gt; An **answer** to reply to\n&gt;\n&gt; — [@" in content
    assert f"](/comments/{comment.pk}/)" in content


def test_quote_uses_the_selected_text_when_there_is_one(member_client, comment):
    response = member_client.get(
        url("comment-reply", pk=comment.pk), {"quote": "1", "selection": "to reply"}, **HTMX
    )
    content = response.content.decode()
    assert "&gt; to reply\n" in content
    assert "An **answer**" not in content


# --- Answer --------------------------------------------------------------------------------


def test_htmx_answer_returns_a_fresh_form_and_adds_the_answer_to_the_thread(
    member_client, discussion
):
    response = member_client.post(answer_url(discussion), {"body": "My answer"}, **HTMX)

    answer = Comment.objects.get()
    content = response.content.decode()
    assert is_fragment(response)
    assert '<form class="comment-form" id="answer-1"' in content
    assert "My answer</textarea>" not in content  # the form is empty again
    assert (
        f'hx-swap-oob="beforeend:#thread-1"><li class="thread__item" id="item-{answer.pk}">'
        in content
    )


def test_htmx_answer_goes_on_top_when_sorted_newest_first(member_client, discussion):
    response = member_client.post(
        answer_url(discussion), {"body": "Newest", "sort": "newest"}, **HTMX
    )
    assert 'hx-swap-oob="afterbegin:#thread-1"' in response.content.decode()


def test_htmx_answer_to_a_closed_discussion_gets_an_inline_message(member_client, discussion):
    Discussion.objects.filter(pk=discussion.pk).update(status=Discussion.Status.CLOSED)
    response = member_client.post(answer_url(discussion), {"body": "late"}, **HTMX)
    assert response.status_code == 403
    assert "This discussion is closed" in message(response)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "token", [None, "wrong-token-wrong-token-wrong-token-wrong-token-wrong-to"]
)
def test_htmx_post_with_a_missing_or_wrong_csrf_token_is_refused(member, discussion, token):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(discussion.get_absolute_url())  # sets the CSRF cookie
    headers = {**HTMX, **({"HTTP_X_CSRFTOKEN": token} if token else {})}
    response = client.post(answer_url(discussion), {"body": "hello"}, **headers)
    assert response.status_code == 403
    assert "Nothing was saved" in message(response)
    assert not Comment.objects.exists()


def test_htmx_post_with_the_pages_csrf_token_works(member, discussion):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get(discussion.get_absolute_url()).content.decode()
    token = page.split('hx-headers=\'{"X-CSRFToken": "')[1].split('"')[0]
    response = client.post(
        answer_url(discussion), {"body": "hello"}, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert response.status_code == 200
    assert Comment.objects.count() == 1


# --- Preview -------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False])
def test_preview_renders_without_saving(member_client, discussion, htmx):
    body = "Energy: $E = mc^2$ and **bold** and <script>alert(1)</script>"
    response = member_client.post(
        answer_url(discussion), {"body": body, "preview": "1"}, **(HTMX if htmx else {})
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert is_fragment(response) is htmx
    preview = content[content.index('class="preview"') :]
    assert "<strong>bold</strong>" in preview
    assert "<math" in preview
    assert "<script>alert" not in content
    assert f"{body.replace('<', '&lt;').replace('>', '&gt;')}</textarea>" in content
    assert not Comment.objects.exists()


def test_preview_of_hostile_markdown_is_as_harmless_as_the_posted_version(
    member_client, discussion
):
    response = member_client.post(
        answer_url(discussion),
        {"body": "[x](javascript:alert(1)) <img src=x onerror=alert(1)>", "preview": "1"},
        **HTMX,
    )
    content = response.content.decode()
    start = content.index('<div class="prose">') + len('<div class="prose">')
    preview = content[start : content.index("</div>", start)]
    assert "alert(1)" in preview  # shown as text
    assert unsafe_parts(preview) == []


def test_reply_preview_without_javascript(member_client, comment):
    response = member_client.post(
        url("comment-reply", pk=comment.pk), {"body": "*draft*", "preview": "1"}
    )
    assert "<em>draft</em>" in response.content.decode()
    assert Comment.objects.count() == 1


# --- Edit and delete -------------------------------------------------------------------------


@pytest.fixture
def own(member, question):
    return CommentFactory(
        question=question,
        author=member,
        body="Original **text**",
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )


def test_htmx_edit_form_replaces_the_comment_in_place(member_client, own):
    response = member_client.get(url("comment-edit", pk=own.pk), **HTMX)
    content = response.content.decode()
    assert is_fragment(response)
    assert content.strip().startswith(
        f'<article class="comment comment--editing" id="comment-{own.pk}">'
    )
    assert "Original **text**</textarea>" in content


def test_htmx_edit_saves_and_returns_the_comment_marked_edited(member_client, own):
    response = member_client.post(url("comment-edit", pk=own.pk), {"body": "Better *text*"}, **HTMX)
    content = response.content.decode()
    assert content.startswith(f'<article class="comment comment--own" id="comment-{own.pk}">')
    assert "Better <em>text</em>" in content
    assert f'href="/comments/{own.pk}/revisions/">edited' in content


def test_htmx_cancel_edit_returns_the_comment_unchanged(member_client, own):
    response = member_client.get(url("comment", pk=own.pk), **HTMX)
    assert "Original <strong>text</strong>" in response.content.decode()
    assert is_fragment(response)


def test_editing_keeps_a_fresh_reply_attached(member_client, own):
    reply = CommentFactory(parent=own)
    member_client.post(url("comment-edit", pk=own.pk), {"body": "Revised"}, **HTMX)
    reply.refresh_from_db()
    assert reply.parent_id == own.pk


def test_htmx_delete_confirms_in_place_then_leaves_a_tombstone(member_client, own):
    confirm = member_client.get(url("comment-delete", pk=own.pk), **HTMX)
    assert "Delete your comment?" in confirm.content.decode()
    assert is_fragment(confirm)

    response = member_client.post(url("comment-delete", pk=own.pk), **HTMX)

    assert "This comment was deleted by its author." in response.content.decode()
    own.refresh_from_db()
    assert own.is_deleted


def test_htmx_edit_of_someone_elses_comment_is_refused_inline(member_client, comment):
    response = member_client.post(url("comment-edit", pk=comment.pk), {"body": "mine"}, **HTMX)
    assert response.status_code == 403
    assert "your own comments" in message(response)


def test_revisions_page_lists_earlier_versions(member_client, own, client):
    member_client.post(url("comment-edit", pk=own.pk), {"body": "Second version"})
    response = client.get(url("comment-revisions", pk=own.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Second version" in content
    assert "Original <strong>text</strong>" in content
    assert content.index("Second version") < content.index("Original <strong>text</strong>")


def test_revisions_of_a_deleted_comment_are_gone(client, own):
    Comment.objects.filter(pk=own.pk).update(deleted_at=timezone.now())
    assert client.get(url("comment-revisions", pk=own.pk)).status_code == 404


# --- Helpful -----------------------------------------------------------------------------------


def test_marking_helpful_toggles_in_place(member_client, member, comment):
    first = member_client.post(url("comment-helpful", pk=comment.pk), {"helpful": "1"}, **HTMX)
    assert 'name="helpful" value="0" aria-pressed="true">Helpful<' in first.content.decode()
    assert "1 found this helpful" in first.content.decode()
    assert Reaction.objects.filter(member=member, comment=comment).count() == 1

    second = member_client.post(url("comment-helpful", pk=comment.pk), {"helpful": "0"}, **HTMX)
    assert 'aria-pressed="false">Helpful</button>' in second.content.decode()
    assert not Reaction.objects.exists()
    comment.refresh_from_db()
    assert comment.helpful_count == 0


def test_marking_helpful_twice_saves_one_mark(member_client, comment):
    for _ in range(2):
        member_client.post(url("comment-helpful", pk=comment.pk), {"helpful": "1"}, **HTMX)
    assert Reaction.objects.count() == 1
    comment.refresh_from_db()
    assert comment.helpful_count == 1


def test_marking_helpful_without_javascript_returns_to_the_comment(member_client, comment):
    response = member_client.post(url("comment-helpful", pk=comment.pk))
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.helpful_count == 1


def test_own_comments_cannot_be_marked_helpful(member_client, own):
    response = member_client.post(url("comment-helpful", pk=own.pk), **HTMX)
    assert response.status_code == 403
    assert not Reaction.objects.exists()


def test_visitors_see_the_count_but_no_button(client, comment):
    Comment.objects.filter(pk=comment.pk).update(helpful_count=2)
    content = client.get(comment.question.discussion.get_absolute_url()).content.decode()
    assert "2 found this helpful" in content
    assert ">Helpful</button>" not in content


def test_page_shows_which_comments_the_reader_marked(member_client, member, comment, question):
    other = CommentFactory(question=question)
    Reaction.objects.create(member=member, comment=comment)
    content = member_client.get(question.discussion.get_absolute_url()).content.decode()
    marked = content[content.index(f'id="comment-{comment.pk}"') :]
    assert marked.index('aria-pressed="true"') < marked.index(f'id="comment-{other.pk}"')


# --- Sorting, pagination, depth, collapse ------------------------------------------------------


def test_sort_is_kept_in_the_url_and_orders_answers(client, question):
    old = CommentFactory(
        question=question, body="Old answer", created_at=timezone.now() - datetime.timedelta(days=1)
    )
    new = CommentFactory(question=question, body="New answer")
    Comment.objects.filter(pk=old.pk).update(helpful_count=3)
    page = question.discussion.get_absolute_url()

    newest = client.get(page, {"sort": "newest"}).content.decode()
    assert newest.index("New answer") < newest.index("Old answer")
    assert '<a href="?sort=newest#questions-heading" aria-current="true">' in newest
    helpful = client.get(page, {"sort": "helpful"}).content.decode()
    assert helpful.index("Old answer") < helpful.index("New answer")
    assert new.pk


def test_long_threads_are_paginated_with_whole_reply_trees(client, question):
    start = timezone.now() - datetime.timedelta(days=1)
    answers = [
        CommentFactory(question=question, created_at=start + datetime.timedelta(seconds=i))
        for i in range(ANSWERS_PER_PAGE + 3)
    ]
    late_reply = CommentFactory(parent=answers[-1], body="Reply on page two")
    discussion_page = client.get(question.discussion.get_absolute_url()).content.decode()
    assert f'id="comment-{answers[ANSWERS_PER_PAGE - 1].pk}"' in discussion_page
    assert f'id="comment-{answers[ANSWERS_PER_PAGE].pk}"' not in discussion_page
    assert f"See all {ANSWERS_PER_PAGE + 3} answers" in discussion_page

    second = client.get(url("question", slug=question.discussion.slug, number=1), {"page": 2})
    content = second.content.decode()
    assert second.status_code == 200
    assert f'id="comment-{answers[ANSWERS_PER_PAGE].pk}"' in content
    assert "Reply on page two" in content

    permalink = client.get(url("comment", pk=late_reply.pk))
    assert permalink.url.endswith(f"?page=2#comment-{late_reply.pk}")


@pytest.mark.parametrize("page", ["999", "0", "abc"])
def test_question_page_out_of_range_is_not_an_error(client, question, page):
    CommentFactory(question=question)
    response = client.get(url("question", slug=question.discussion.slug, number=1), {"page": page})
    assert response.status_code == 200


@pytest.mark.usefixtures("clubs_counted")
def test_question_page_query_count_is_constant(client, question, django_assert_num_queries):
    CommentFactory(question=question)
    # discussion, question, stats (2), answers, replies, the authors' badges
    with django_assert_num_queries(7) as few:
        client.get(url("question", slug=question.discussion.slug, number=1))
    for answer in CommentFactory.create_batch(20, question=question):
        CommentFactory.create_batch(2, parent=answer)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url("question", slug=question.discussion.slug, number=1))


def test_deep_replies_show_whom_they_answer(client, question):
    chain = [CommentFactory(question=question)]
    for _ in range(MAX_DEPTH + 1):
        chain.append(CommentFactory(parent=chain[-1]))
    content = client.get(question.discussion.get_absolute_url()).content.decode()
    parent = chain[MAX_DEPTH]
    assert f'in reply to <a href="#comment-{parent.pk}">@{parent.author.username}</a>' in content
    assert content.count('<ol class="replies"') == MAX_DEPTH


def test_subtrees_have_an_accessible_collapse_control(client, comment):
    CommentFactory(parent=comment)
    content = client.get(comment.question.discussion.get_absolute_url()).content.decode()
    assert (
        f'<button type="button" class="thread-toggle link-button" aria-expanded="true" '
        f'aria-controls="replies-{comment.pk}" hidden'
    ) in content
    assert f'<ol class="replies" id="replies-{comment.pk}">' in content


# --- What's new -------------------------------------------------------------------------------


def test_comments_since_the_last_visit_are_marked_new(member_client, member, question):
    discussion = question.discussion
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    old = CommentFactory(question=question, body="Seen before", created_at=long_ago)
    first = member_client.get(discussion.get_absolute_url()).content.decode()
    assert "thread__item--new" not in first  # a first visit marks nothing
    # The first visit was five minutes ago.
    DiscussionVisit.objects.filter(member=member).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    fresh = CommentFactory(question=question, body="Posted since")
    CommentFactory(question=question, author=member, body="My own")
    second = member_client.get(discussion.get_absolute_url()).content.decode()

    assert f'<li class="thread__item thread__item--new" id="item-{fresh.pk}">' in second
    assert f'href="#comment-{fresh.pk}">Jump to the first new comment' in second
    assert f'<li class="thread__item" id="item-{old.pk}">' in second
    assert second.count("thread__item--new") == 1  # not the member's own comment

    third = member_client.get(discussion.get_absolute_url()).content.decode()
    assert "thread__item--new" not in third


def test_a_reload_within_the_minute_records_nothing_and_keeps_what_was_new(
    member_client, member, question
):
    discussion = question.discussion
    member_client.get(discussion.get_absolute_url())
    recorded = DiscussionVisit.objects.get(member=member).last_seen_at
    fresh = CommentFactory(question=question, body="Posted since")

    for _ in range(2):  # new on this view, and still on a reload the same minute
        page = member_client.get(discussion.get_absolute_url()).content.decode()
        assert f'<li class="thread__item thread__item--new" id="item-{fresh.pk}">' in page
    assert DiscussionVisit.objects.get(member=member).last_seen_at == recorded


def test_home_shows_how_many_comments_are_new_to_the_member(member_client, question):
    discussion = question.discussion
    member_client.get(discussion.get_absolute_url())
    CommentFactory.create_batch(2, question=question)
    content = member_client.get(reverse("discussions:home")).content.decode()
    assert "2 new since your last visit" in content


@pytest.mark.usefixtures("clubs_counted")
def test_home_new_counts_keep_the_query_count_constant(member_client, django_assert_num_queries):
    for _ in range(2):
        CommentFactory(question=DiscussionFactory().questions.first())
    with django_assert_num_queries(20, exact=False) as few:
        member_client.get(reverse("discussions:home"))
    for _ in range(5):
        CommentFactory(question=DiscussionFactory().questions.first())
    with django_assert_num_queries(len(few.captured_queries)):
        member_client.get(reverse("discussions:home"))


# --- Labels, syntheses, counts ------------------------------------------------------------------


def test_answer_with_a_label_shows_it(member_client, discussion):
    member_client.post(answer_url(discussion), {"body": "At my agency we…", "label": "practice"})
    content = member_client.get(discussion.get_absolute_url()).content.decode()
    assert '<span class="label label--practice">Practice example</span>' in content


def test_unknown_label_is_a_form_error(member_client, discussion):
    response = member_client.post(answer_url(discussion), {"body": "x", "label": "flame"})
    assert "Select a valid choice" in response.content.decode()
    assert not Comment.objects.exists()


def test_host_writes_a_synthesis_shown_above_the_answers(client, discussion):
    client.force_login(discussion.host)
    synthesis_url = url("question-synthesis", slug=discussion.slug, number=1)
    assert client.get(synthesis_url).status_code == 200
    response = client.post(
        synthesis_url, {"synthesis": "Most of you would **not**.", "is_answered": "on"}
    )
    assert response.status_code == 302

    content = client.get(discussion.get_absolute_url()).content.decode()
    assert "The host&#x27;s synthesis" in content or "The host's synthesis" in content
    assert "Most of you would <strong>not</strong>." in content
    assert '<span class="badge badge--answered">Answered</span>' in content
    question = discussion.questions.get(number=1)
    assert question.is_answered
    assert question.synthesis_by == discussion.host


def test_members_other_than_the_host_cannot_write_syntheses(member_client, discussion):
    synthesis_url = url("question-synthesis", slug=discussion.slug, number=1)
    assert member_client.get(synthesis_url).status_code == 403
    assert member_client.post(synthesis_url, {"synthesis": "mine"}).status_code == 403
    assert discussion.questions.get(number=1).synthesis == ""


def test_staff_may_write_syntheses(staff_client, discussion):
    synthesis_url = url("question-synthesis", slug=discussion.slug, number=1)
    assert staff_client.post(synthesis_url, {"synthesis": "ok"}).status_code == 302


def test_counts_and_participants_per_question_and_discussion(client, discussion):
    first, second = discussion.questions.all()[:2]
    alice, bob = UserFactory(), UserFactory()
    answer = CommentFactory(question=first, author=alice)
    CommentFactory(parent=answer, author=bob)
    CommentFactory(question=second, author=alice)
    content = " ".join(client.get(discussion.get_absolute_url()).content.decode().split())
    assert "3 comments · 2 participants" in content  # the discussion
    assert "2 comments · 2 participants" in content  # its first question
    assert "1 comment · 1 participant" in content


def test_author_names_are_escaped_in_threads(client, question):
    author = UserFactory(display_name='<img src=x onerror="alert(1)">')
    CommentFactory(question=question, author=author)
    content = client.get(question.discussion.get_absolute_url()).content.decode()
    assert '<img src=x onerror="alert(1)">' not in content
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in content
