"""Following a discussion, a question or a thread: the service, its buttons and their views."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from discussions.models import Discussion, Follow
from discussions.services import follow_toggle
from tests.factories import CommentFactory, DiscussionFactory, UserFactory
from tests.notifications.factories import FollowFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def follow_url(kind, pk):
    if kind == "thread":
        return reverse("discussions:comment-follow", kwargs={"pk": pk})
    return reverse("discussions:follow", kwargs={"kind": kind, "pk": pk})


@pytest.fixture
def question(discussion):
    return discussion.questions.get(number=1)


@pytest.fixture
def answer(question):
    return CommentFactory(question=question)


# --- The service ---------------------------------------------------------------------------


def test_follow_and_unfollow_a_discussion(member, discussion):
    assert follow_toggle(member=member, discussion=discussion) is True
    assert Follow.objects.filter(member=member, discussion=discussion).count() == 1
    assert follow_toggle(member=member, discussion=discussion) is False
    assert not Follow.objects.exists()


def test_follow_with_a_wanted_state_is_idempotent(member, question):
    for _ in range(2):
        assert follow_toggle(member=member, question=question, follow=True) is True
    assert Follow.objects.filter(member=member, question=question).count() == 1
    for _ in range(2):
        assert follow_toggle(member=member, question=question, follow=False) is False
    assert not Follow.objects.exists()


def test_only_a_top_level_comment_stands_for_a_thread(member, answer):
    assert follow_toggle(member=member, thread=answer) is True
    with pytest.raises(ValidationError):
        follow_toggle(member=member, thread=CommentFactory(parent=answer))


def test_a_draft_discussion_cannot_be_followed_by_members(member):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        follow_toggle(member=member, discussion=draft)


def test_follow_needs_exactly_one_target(member, discussion, question):
    with pytest.raises(ValueError, match="exactly one"):
        follow_toggle(member=member, discussion=discussion, question=question)


def test_a_follow_row_has_exactly_one_target(member, discussion, question):
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(member=member, discussion=discussion, question=question)


# --- The buttons and their views ------------------------------------------------------------


def test_follow_a_discussion_and_come_back(member_client, member, discussion):
    url = discussion.get_absolute_url()
    response = member_client.post(follow_url("discussion", discussion.pk), {"next": url})
    assert response["Location"] == url
    assert Follow.objects.filter(member=member, discussion=discussion).exists()

    response = member_client.post(
        follow_url("discussion", discussion.pk), {"follow": "0", "next": "//evil.example/"}
    )
    assert response["Location"] == url  # an unsafe next falls back to the discussion
    assert not Follow.objects.exists()


def test_follow_with_htmx_returns_the_new_button(member_client, member, discussion):
    question = discussion.questions.get(number=2)
    response = member_client.post(follow_url("question", question.pk), {"follow": "1"}, **HTMX)
    content = response.content.decode()
    assert "Unfollow this question" in content
    assert 'name="follow" value="0"' in content
    assert Follow.objects.filter(member=member, question=question).exists()


def test_following_any_comment_follows_its_thread(member_client, member, discussion):
    root = CommentFactory(question=discussion.questions.first())
    reply = CommentFactory(parent=CommentFactory(parent=root))
    member_client.post(follow_url("thread", reply.pk), {"follow": "1"})
    assert Follow.objects.get(member=member).thread == root


@pytest.mark.parametrize("kind", ["discussion", "members", "question"])
def test_follow_targets_that_do_not_exist_or_are_hidden_are_404(member_client, kind):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    pk = draft.pk if kind == "discussion" else draft.questions.first().pk
    assert member_client.post(follow_url(kind, pk)).status_code == 404
    assert not Follow.objects.exists()


def test_the_discussion_page_offers_follow_buttons_in_one_query(
    member_client, member, discussion, django_assert_num_queries, settings
):
    settings.DISCUSSION_PAGE_CACHE = False  # every view reads what the member follows
    url = discussion.get_absolute_url()
    thread = CommentFactory(question=discussion.questions.first())
    content = member_client.get(url).content.decode()
    assert "Follow this discussion" in content
    assert content.count("Follow this question") == 3
    with django_assert_num_queries(40, exact=False) as unfollowed:
        member_client.get(url)

    FollowFactory(member=member, discussion=discussion)
    for question in discussion.questions.all()[:2]:
        FollowFactory(member=member, discussion=None, question=question)
    FollowFactory(member=member, discussion=None, thread=thread)
    with django_assert_num_queries(len(unfollowed.captured_queries)):
        content = member_client.get(url).content.decode()
    assert "Unfollow this discussion" in content
    assert content.count("Unfollow this question") == 2
    assert content.count("Follow this question") == 1


def test_the_host_is_told_they_follow_their_discussion(client, discussion):
    client.force_login(discussion.host)
    content = client.get(discussion.get_absolute_url()).content.decode()
    assert "You host this discussion" in content
    assert "Follow this discussion" not in content


def test_anonymous_readers_see_no_follow_buttons(client, discussion):
    assert b"Follow this" not in client.get(discussion.get_absolute_url()).content


def test_each_thread_on_the_discussion_page_has_a_follow_button(client, db):
    discussion = DiscussionFactory()
    answer = CommentFactory(question=discussion.questions.first())
    reply = CommentFactory(parent=answer)
    member = UserFactory()
    assert "Follow thread" not in client.get(discussion.get_absolute_url()).content.decode()

    client.force_login(member)
    page = client.get(discussion.get_absolute_url()).content.decode()
    button = f'formaction="{follow_url("thread", answer.pk)}"'
    assert page.count(button) == 1  # on the answer, not on its reply
    assert f'formaction="{follow_url("thread", reply.pk)}"' not in page
    assert '<button form="actions"' in page  # posted through the page's one form

    response = client.post(follow_url("thread", answer.pk), {"follow": "1"})
    assert response.status_code == 302
    assert response.url == f"/comments/{answer.pk}/"  # back to the thread
    assert Follow.objects.filter(member=member, thread=answer).exists()
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert 'name="follow" value="0">Unfollow thread</button>' in page
    assert "Unfollow thread" in page
