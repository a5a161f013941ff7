"""The review queue's reads: which comments it lists, why, and the counts beside its filters."""

import datetime

import pytest
from django.utils import timezone

from discussions.models import Comment
from discussions.templatetags.activity import since
from moderation import selectors, services
from moderation.models import Flag
from moderation.selectors import QueueFilters, QueueState
from tests.factories import CommentFactory, DiscussionFactory, UserFactory


def flag(comment, reason=Flag.Reason.SPAM, *, days_ago=0, note=""):
    created = timezone.now() - datetime.timedelta(days=days_ago)
    return Flag.objects.create(
        comment=comment, flagger=UserFactory(), reason=reason, note=note, created_at=created
    )


@pytest.fixture
def queue(question, moderator):
    """One comment in each state, and one that is in none (published, never flagged)."""
    first_post = CommentFactory(question=question, status=Comment.Status.PENDING)
    held = CommentFactory(question=question, status=Comment.Status.PENDING)
    flag(held, Flag.Reason.DISRESPECTFUL)
    flagged = CommentFactory(question=question)
    flag(flagged, Flag.Reason.SPAM, days_ago=3)
    flag(flagged, Flag.Reason.OTHER, days_ago=1, note="An advert")
    hidden = CommentFactory(question=question)
    services.comment_hide(comment=hidden, moderator=moderator, reason="Insults")
    CommentFactory(question=question)
    return {"first_post": first_post, "held": held, "flagged": flagged, "hidden": hidden}


def listed(filters=None):
    return list(
        selectors.queue_items(filters or QueueFilters(), clubs=None).values_list("pk", flat=True)
    )


def test_the_queue_lists_what_awaits_a_decision_not_hidden_nor_ordinary_comments(queue):
    assert set(listed()) == {queue["first_post"].pk, queue["held"].pk, queue["flagged"].pk}


@pytest.mark.parametrize("state", list(QueueState))
def test_each_state_lists_its_own_comments(queue, state):
    assert listed(QueueFilters(state=state)) == [queue[state].pk]


def test_resolved_flags_and_deleted_comments_leave_the_queue(queue, moderator):
    services.comment_approve(comment=queue["flagged"], moderator=moderator)
    Comment.objects.filter(pk=queue["first_post"].pk).update(deleted_at=timezone.now())
    assert listed() == [queue["held"].pk]


def test_filter_by_flag_reason(queue):
    assert listed(QueueFilters(reason=Flag.Reason.OTHER)) == [queue["flagged"].pk]
    assert listed(QueueFilters(reason=Flag.Reason.OFF_TOPIC)) == []


def test_filter_by_discussion(queue):
    elsewhere = CommentFactory(
        question=DiscussionFactory().questions.first(), status=Comment.Status.PENDING
    )
    assert listed(QueueFilters(discussion=elsewhere.question.discussion_id)) == [elsewhere.pk]
    assert elsewhere.pk not in listed(QueueFilters(discussion=queue["held"].question.discussion_id))


def test_a_flagged_comment_waits_since_its_first_open_flag(queue):
    """Posted long ago, flagged three days ago: it has waited three days, not since posting."""
    Comment.objects.filter(pk=queue["flagged"].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )
    assert listed(QueueFilters(age="day")) == [queue["first_post"].pk, queue["held"].pk]
    assert queue["flagged"].pk in listed(QueueFilters(age="week"))
    assert listed(QueueFilters(age="older")) == []


def test_oldest_first_newest_first_and_most_flagged_first(queue):
    oldest = [queue["flagged"].pk, queue["first_post"].pk, queue["held"].pk]
    assert listed() == oldest
    assert listed(QueueFilters(order="newest")) == oldest[::-1]
    assert listed(QueueFilters(order="most_flagged"))[0] == queue["flagged"].pk


def test_counts_beside_each_filter_apply_the_other_filters(queue):
    counts = selectors.queue_counts(QueueFilters(reason=Flag.Reason.SPAM), clubs=None)
    # By state, among comments flagged as spam: only the flagged one.
    assert counts.states == {"first_post": 0, "held": 0, "flagged": 1, "hidden": 0}
    assert counts.awaiting == 1
    # By reason, among everything awaiting review (the reason filter itself is left out).
    assert counts.reasons == {"off_topic": 0, "disrespectful": 1, "spam": 1, "other": 1}
    assert counts.ages == {"day": 0, "week": 1, "older": 0}
    discussion = queue["flagged"].question.discussion
    assert counts.discussions == [(discussion.pk, discussion.article.title, 1)]


def test_a_chosen_discussion_with_nothing_left_stays_among_the_choices(queue):
    empty = DiscussionFactory()
    counts = selectors.queue_counts(QueueFilters(discussion=empty.pk), clubs=None)
    assert (empty.pk, empty.article.title, 0) in counts.discussions


def test_items_carry_their_authors_standing_and_open_flags(queue, moderator):
    author = queue["flagged"].author
    CommentFactory.create_batch(2, author=author, question=queue["flagged"].question)
    services.member_suspend(member=author, moderator=moderator, reason="Spam links")
    hidden_before = CommentFactory(author=author, question=queue["flagged"].question)
    services.comment_hide(comment=hidden_before, moderator=moderator, reason="Spam")

    item = selectors.queue_items(QueueFilters(state="flagged"), clubs=None).get()

    assert item.author_published == 3  # the flagged comment is still published
    assert item.author_hidden == 1
    assert item.author_suspended
    assert item.author_suspended_until is None  # indefinitely
    assert item.author_suspensions == 1
    assert [f.reason for f in item.open_flags] == ["spam", "other"]


def test_hidden_items_say_who_hid_them(queue, moderator):
    item = selectors.queue_items(QueueFilters(state="hidden"), clubs=None).get()
    assert item.hidden_by == moderator.name
    assert item.hidden_at is not None


def test_for_display_tells_the_state_and_the_item_to_land_on_next(queue):
    items = selectors.for_display(list(selectors.queue_items(QueueFilters(), clubs=None)))
    assert [item.queue_state for item in items] == ["flagged", "first_post", "held"]
    assert [item.then for item in items] == [items[1].pk, items[2].pk, items[1].pk]
    assert since(items[0].waiting_since) == "3\xa0days"
