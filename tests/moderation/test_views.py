import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CodeOfConductAgreement, User
from discussions.models import Comment
from moderation import services, views
from moderation.models import Flag, ModerationAction
from tests.factories import CommentFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def url(name, *args):
    return reverse(f"moderation:{name}", args=args)


# --- Who may see the moderation pages ------------------------------------------------------


@pytest.mark.parametrize("name", ["queue", "log"])
def test_moderation_pages_are_for_moderators(member_client, name, db):
    assert Client().get(url(name)).status_code == 302  # visitors sign in first
    assert member_client.get(url(name)).status_code == 403


def test_moderation_actions_by_members_are_refused(member_client, question):
    comment = CommentFactory(question=question)
    response = member_client.post(url("comment", comment.pk), {"action": "hide", "reason": "x"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert (
        member_client.post(url("bulk"), {"comments": [comment.pk], "action": "hide"}).status_code
        == 403
    )


# --- The queue ---------------------------------------------------------------------------------


def test_queue_lists_pending_and_flagged_comments_with_context(moderator_client, question):
    parent = CommentFactory(question=question, body="The parent point")
    pending = CommentFactory(parent=parent, body="A first post", status=Comment.Status.PENDING)
    flagged = CommentFactory(question=question, body="Buy cheap pills")
    Flag.objects.create(comment=flagged, flagger=UserFactory(), reason=Flag.Reason.SPAM)
    CommentFactory(question=question, body="An ordinary comment")

    content = moderator_client.get(url("queue")).content.decode()

    assert "A first post" in content
    assert "The parent point" in content  # the context of a reply
    assert "Buy cheap pills" in content
    assert "Spam" in content
    assert "An ordinary comment" not in content
    assert f'value="{pending.pk}"' in content


def fill_queue(question, count):
    """``count`` comments in the queue, in every state, by different authors, with flags."""
    for index in range(count):
        state = index % 3
        comment = CommentFactory(
            question=question,
            parent=CommentFactory(question=question) if index % 2 else None,
            status=Comment.Status.PENDING if state < 2 else Comment.Status.PUBLISHED,
        )
        if state:
            Flag.objects.create(comment=comment, flagger=UserFactory(), reason=Flag.Reason.SPAM)
            Flag.objects.create(
                comment=comment, flagger=UserFactory(), reason=Flag.Reason.OTHER, note="Advert"
            )


@pytest.mark.parametrize(
    "query", ["", "?state=hidden", "?reason=spam&age=week&discussion=1&order=newest&page=2"]
)
def test_queue_query_count_is_constant(
    moderator_client, question, django_assert_num_queries, query
):
    """As many queries for 3 items as for 30 (more than a page), whatever the filters."""
    fill_queue(question, 3)
    moderator_client.get(url("queue"))  # what every page caches (the number of clubs)
    with django_assert_num_queries(20, exact=False) as few:
        assert moderator_client.get(url("queue") + query).status_code == 200
    fill_queue(question, 27)
    with django_assert_num_queries(len(few.captured_queries)):
        response = moderator_client.get(url("queue") + query)
    if not query:
        assert response.content.decode().count("data-item") == 25


def test_queue_summary_counts_each_state_and_reason(moderator_client, question):
    fill_queue(question, 6)  # 2 first posts, 2 held after flags, 2 flagged and published
    content = moderator_client.get(url("queue")).content.decode()
    assert 'aria-current="page">Awaiting review <span class="modq-count">6</span>' in content
    assert 'First posts <span class="modq-count">2</span>' in content
    assert 'Held after flags <span class="modq-count">2</span>' in content
    assert 'Spam <span class="modq-count">4</span>' in content
    assert '<option value="spam">Spam (4)</option>' in content


def test_queue_filters_keep_each_other_in_links(moderator_client, question, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 5)
    fill_queue(question, 12)
    response = moderator_client.get(url("queue"), {"reason": "spam", "order": "newest"})
    content = response.content.decode()
    assert response.context["page"].paginator.count == 8
    # The next page, a state and a reason keep the other filters (and start at page 1).
    assert 'href="?reason=spam&amp;order=newest&amp;page=2"' in content
    assert 'href="?reason=spam&amp;order=newest&amp;state=held"' in content
    assert 'href="?order=newest"' in content  # the chosen reason, clicked again, is dropped
    # The form shows the filters chosen.
    assert '<option value="newest" selected>' in content
    # A decision comes back to the same filtered page.
    assert 'name="next" value="/moderation/?reason=spam&amp;order=newest' in content


def test_the_discussion_filter_lists_discussions_with_their_counts(moderator_client, question):
    fill_queue(question, 3)
    discussion = question.discussion
    response = moderator_client.get(url("queue"), {"discussion": discussion.pk})
    option = f'<option value="{discussion.pk}" selected>{discussion.article.title} (3)</option>'
    assert option in response.content.decode()


def test_unknown_filter_values_are_ignored(moderator_client, question):
    fill_queue(question, 3)
    response = moderator_client.get(url("queue"), {"state": "nope", "age": "ever", "page": "x"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3


def test_queue_items_show_their_context_and_actions(moderator_client, question, settings):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    parent = CommentFactory(question=question, body="The parent point")
    newcomer = UserFactory(display_name="Priya Venkatesan")
    pending = CommentFactory(
        parent=parent, author=newcomer, body="A first post", status=Comment.Status.PENDING
    )
    content = moderator_client.get(url("queue")).content.decode()
    date = pending.created_at.strftime("%-d %b")
    assert f"Select the comment by Priya Venkatesan, {date}" in content
    assert "Select comment" not in content
    assert "In reply to" in content
    assert "The parent point" in content
    assert question.discussion.article.title[:40] in content
    assert "New member" in content
    assert "0 published comments" in content
    assert 'value="approve_member"' in content  # a first post: approve and trust
    assert f'href="{url("suspend", newcomer.username)}"' in content
    assert f'id="hide-{pending.pk}"' in content


def test_a_hidden_comment_can_be_restored_from_the_queue(moderator_client, moderator, question):
    comment = CommentFactory(question=question)
    services.comment_hide(comment=comment, moderator=moderator, reason="Insults")
    content = moderator_client.get(url("queue"), {"state": "hidden"}).content.decode()
    assert f"Hidden by {moderator.name}" in content
    assert "Insults" in content
    assert 'value="restore"' in content
    response = moderator_client.post(
        url("comment", comment.pk),
        {"action": "restore", "next": url("queue") + "?state=hidden"},
    )
    assert response["Location"] == url("queue") + "?state=hidden"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_queue_page_has_no_inline_script_or_style(moderator_client, question):
    fill_queue(question, 3)
    content = moderator_client.get(url("queue")).content.decode()
    assert "style=" not in content
    assert "<style" not in content
    scripts = re.findall(r"<script[^>]*>", content)
    # Data blocks (JSON-LD) are not scripts a browser runs.
    assert all(" src=" in tag or 'type="application/ld+json"' in tag for tag in scripts)
    assert '<script src="/static/js/moderation.js" defer></script>' in content


def test_moderator_hides_a_comment_with_a_reason_shown_in_its_place(moderator_client, question):
    comment = CommentFactory(question=question, body="Rude words")
    CommentFactory(parent=comment, body="A reply that stays")
    response = moderator_client.post(
        url("comment", comment.pk), {"action": "hide", "reason": "Breaks the code of conduct"}
    )
    assert response.status_code == 302
    page = Client().get(question.discussion.get_absolute_url()).content.decode()
    assert "Hidden by a moderator: Breaks the code of conduct" in page
    assert "Rude words" not in page
    assert "A reply that stays" in page
    assert ModerationAction.objects.filter(kind="hide", comment=comment).exists()


def test_hiding_without_a_reason_is_refused_with_a_message(moderator_client, question):
    comment = CommentFactory(question=question)
    response = moderator_client.post(url("comment", comment.pk), {"action": "hide", "reason": ""})
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_bulk_returns_to_the_filtered_queue(moderator_client, question):
    pending = CommentFactory(question=question, status=Comment.Status.PENDING)
    back = url("queue") + "?state=first_post&page=2"
    response = moderator_client.post(
        url("bulk"), {"comments": [pending.pk], "action": "approve", "next": back}
    )
    assert response["Location"] == back


def test_bulk_approve(moderator_client, question):
    pending = CommentFactory.create_batch(3, question=question, status=Comment.Status.PENDING)
    response = moderator_client.post(
        url("bulk"), {"comments": [c.pk for c in pending[:2]], "action": "approve"}
    )
    assert response.status_code == 302
    statuses = [Comment.objects.get(pk=c.pk).status for c in pending]
    assert statuses == ["published", "published", "pending"]
    assert ModerationAction.objects.filter(kind="approve").count() == 2


def test_log_page_lists_actions(moderator_client, moderator, question):
    comment = CommentFactory(question=question)
    services.comment_hide(comment=comment, moderator=moderator, reason="Off-topic advert")
    content = moderator_client.get(url("log")).content.decode()
    assert "Off-topic advert" in content
    assert moderator.name in content


# --- What readers see --------------------------------------------------------------------------


def test_pending_comments_are_shown_to_their_author_only(member_client, member, question):
    CommentFactory(question=question, author=member, body="Awaiting approval", status="pending")
    own = member_client.get(question.discussion.get_absolute_url()).content.decode()
    assert "Awaiting approval" in own
    assert "Awaiting review" in own
    other = Client().get(question.discussion.get_absolute_url()).content.decode()
    assert "Awaiting approval" not in other


def test_members_see_a_flag_link_moderators_a_moderate_link(member_client, question, moderator):
    comment = CommentFactory(question=question)
    content = member_client.get(question.discussion.get_absolute_url()).content.decode()
    assert f'href="{url("flag", comment.pk)}"' in content
    assert f'href="{url("comment", comment.pk)}"' not in content
    moderator_client = Client()
    moderator_client.force_login(moderator)
    content = moderator_client.get(question.discussion.get_absolute_url()).content.decode()
    assert f'href="{url("comment", comment.pk)}"' in content


# --- Flagging -----------------------------------------------------------------------------------


def test_member_flags_a_comment_through_the_form(member_client, question):
    comment = CommentFactory(question=question)
    assert member_client.get(url("flag", comment.pk)).status_code == 200
    response = member_client.post(url("flag", comment.pk), {"reason": "disrespectful"})
    assert response.status_code == 302
    assert Flag.objects.get().reason == "disrespectful"


def test_flag_other_without_details_keeps_the_form(member_client, question):
    comment = CommentFactory(question=question)
    response = member_client.post(url("flag", comment.pk), {"reason": "other", "note": ""})
    assert response.status_code == 200
    assert "Please say what is wrong." in response.content.decode()
    assert not Flag.objects.exists()


def test_flagging_ones_own_comment_is_refused(member_client, member, question):
    comment = CommentFactory(question=question, author=member)
    assert member_client.post(url("flag", comment.pk), {"reason": "spam"}).status_code == 403
    assert not Flag.objects.exists()


# --- Locks and suspensions ---------------------------------------------------------------------


def test_moderator_locks_a_question_from_the_page(moderator_client, question):
    response = moderator_client.post(url("question-lock", question.pk), {"note": "Cooling off"})
    assert response.status_code == 302
    reader = Client()
    reader.force_login(UserFactory())
    content = reader.get(question.discussion.get_absolute_url()).content.decode()
    assert "This question&#x27;s thread is locked." in content or "thread is locked" in content
    assert "Cooling off" in content
    assert (
        f'id="answer-{question.number}"'
        not in content.split("Cooling off")[1].split("</section>")[0]
    )


def test_suspended_member_sees_why_and_cannot_post(client, moderator, question):
    member = UserFactory()
    services.member_suspend(member=member, moderator=moderator, reason="Spamming links")
    client.force_login(member)
    page = client.get(question.discussion.get_absolute_url()).content.decode()
    assert "Your account is suspended: Spamming links" in page
    assert 'class="comment-form"' not in page
    post_url = reverse(
        "discussions:comment-create",
        kwargs={"slug": question.discussion.slug, "number": question.number},
    )
    response = client.post(post_url, {"body": "Let me in"}, **HTMX)
    assert response.status_code == 403
    assert "suspended" in unquote(response["X-Message"])
    assert not Comment.objects.exists()


def test_moderator_suspends_and_lifts(moderator_client, member):
    response = moderator_client.post(
        url("suspend", member.username), {"reason": "Insults", "duration": "7"}
    )
    assert response.status_code == 302
    suspension = member.suspensions.get()
    assert suspension.until is not None
    moderator_client.post(url("lift", suspension.pk))
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None


# --- Rate limits at the door --------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_rate_limited_post_answers_429_and_keeps_the_text(member_client, question, settings, htmx):
    settings.JOURNAL_CLUB_RATE_LIMITS = {"post": (1, 5)}
    post_url = reverse(
        "discussions:comment-create",
        kwargs={"slug": question.discussion.slug, "number": question.number},
    )
    member_client.post(post_url, {"body": "First"})
    response = member_client.post(
        post_url, {"body": "Second, typed carefully"}, **(HTMX if htmx else {})
    )
    assert response.status_code == 429
    assert int(response["Retry-After"] if htmx else 1) >= 1
    if htmx:
        # The form is not swapped, so the text stays; the message shows next to it.
        assert "too often" in unquote(response["X-Message"])
    else:
        content = response.content.decode()
        assert "too often" in content
        assert "Second, typed carefully</textarea>" in content
    assert Comment.objects.count() == 1


# --- Code of conduct and sign-up -----------------------------------------------------------------


def test_code_of_conduct_page(client, db):
    response = client.get(reverse("code-of-conduct"))
    assert response.status_code == 200
    assert "Be respectful" in response.content.decode()


def test_signup_requires_agreeing_to_the_code_and_records_it(client, db):
    data = {
        "display_name": "New Person",
        "email": "new@example.org",
        "password1": "a long and unusual passphrase",
        "password2": "a long and unusual passphrase",
    }
    refused = client.post(reverse("account_signup"), data)
    assert "agree to the code of conduct" in refused.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()
    client.post(reverse("account_signup"), {**data, "agree_to_code": "on"})
    agreement = CodeOfConductAgreement.objects.get(member__email="new@example.org")
    assert agreement.agreed_at is not None


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "http:evil"])
def test_a_decision_never_sends_the_moderator_to_another_site(moderator_client, question, next_url):
    comment = CommentFactory(question=question)
    response = moderator_client.post(
        url("comment", comment.pk), {"action": "approve", "reason": "", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == url("queue")


def test_a_decision_returns_to_a_page_of_this_site(moderator_client, question):
    comment = CommentFactory(question=question)
    back = question.discussion.get_absolute_url()
    response = moderator_client.post(
        url("comment", comment.pk), {"action": "approve", "reason": "", "next": back}
    )
    assert response["Location"] == back
