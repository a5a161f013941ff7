"""The home page: what the club is, its open discussions, live sessions, what is new."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.templatetags.avatars import avatar_colour, initials
from discussions.models import Comment, Discussion, DiscussionVisit, Follow
from discussions.templatetags.activity import ago as ago_filter
from events.models import Meeting
from tests.factories import CommentFactory, DiscussionFactory, UserFactory

HOME = reverse("discussions:home")
ARCHIVE = reverse("discussions:archive")


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def comment(question, *, at: datetime.datetime, **kwargs) -> Comment:
    """A comment posted at ``at``."""
    posted = CommentFactory(question=question, **kwargs)
    Comment.objects.filter(pk=posted.pk).update(created_at=at)
    return posted


def visited(member, discussion, *, at: datetime.datetime) -> None:
    DiscussionVisit.objects.update_or_create(
        member=member, discussion=discussion, defaults={"last_seen_at": at}
    )


def page(client, url=HOME) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def card_of(html: str, discussion) -> str:
    """The card of this discussion in the page."""
    start = html.index(discussion.get_absolute_url())
    return html[start : html.index("</article>", start)]


# --- Visitors and members --------------------------------------------------------------------


def test_a_visitor_is_told_what_the_club_is_and_invited_to_join(client, db):
    html = page(client)
    assert "Read research papers together" in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_login")}"' in html
    assert "Welcome back" not in html


def test_a_member_is_greeted_instead_of_the_intro(member_client, member):
    html = page(member_client)
    assert f"Welcome back, {member.name}" in html
    assert "Read research papers together" not in html
    assert "Join the club" not in html


# --- The cards ---------------------------------------------------------------------------------


def test_a_card_shows_the_paper_host_counts_and_last_comment(client, db):
    discussion = DiscussionFactory(host__display_name="Maren Lindqvist")
    first, second = discussion.questions.all()[:2]
    author = UserFactory()
    comment(first, at=ago(days=3), author=author)
    comment(second, at=ago(hours=2), author=author)
    comment(second, at=ago(hours=5))
    comment(first, at=ago(minutes=5), status=Comment.Status.PENDING)  # not for all to see
    gone = comment(first, at=ago(minutes=1))
    Comment.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    card = card_of(page(client), discussion)

    assert discussion.article.title in card
    assert "Lovelace &amp; Turing" in card
    assert "BMC Health Services Research" in card
    assert "2020" in card
    assert "Hosted by Maren Lindqvist" in card
    assert "3 questions" in card
    assert "3 comments" in card
    assert "2 participants" in card
    assert re.search(r"Last comment <time datetime=\"[^\"]+\">2\xa0hours ago</time>", card)


def test_a_discussion_without_comments_says_so(client, db):
    discussion = DiscussionFactory(questions=1)
    card = card_of(page(client), discussion)
    assert "1 question" in card
    assert "0 comments" in card
    assert "No comments yet" in card
    assert "participant" not in card
    assert 'class="avatars"' not in card


def test_the_latest_five_participants_show_as_avatars_most_recent_first(client, db):
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    people = [UserFactory(display_name=f"Person {letter} Example") for letter in "ABCDEFG"]
    for hours, person in enumerate(people):  # A is the latest, G the earliest
        comment(question, at=ago(hours=hours + 1), author=person)
    comment(question, at=ago(days=9), author=people[0])  # an older one changes nothing

    card = card_of(page(client), discussion)

    names = re.findall(r'<span class="visually-hidden">([^<]+)</span>', card)
    assert names == [f"Person {letter} Example" for letter in "ABCDE"]
    assert f'class="avatar avatar--c{people[0].pk % 8}" title="Person A Example"' in card
    assert '<span aria-hidden="true">PE</span>' in card
    assert "7 participants" in card


def test_a_member_sees_what_is_new_since_their_last_visit(member_client, member):
    seen = DiscussionFactory(article__title="Seen before")
    unopened = DiscussionFactory(article__title="Never opened")
    question = seen.questions.first()
    visited(member, seen, at=ago(days=1))
    comment(question, at=ago(days=2))  # before the visit
    comment(question, at=ago(hours=3))
    comment(question, at=ago(hours=2))
    comment(question, at=ago(hours=1), author=member)  # their own
    comment(unopened.questions.first(), at=ago(hours=1))

    html = page(member_client)

    assert "2 new since your last visit" in card_of(html, seen)
    assert "Not opened yet" not in card_of(html, seen)
    assert "Not opened yet" in card_of(html, unopened)


def test_a_visitor_sees_no_new_counts(client, db):
    discussion = DiscussionFactory()
    comment(discussion.questions.first(), at=ago(hours=1))
    html = page(client)
    assert "since your last visit" not in html
    assert "Not opened yet" not in html


def test_only_open_discussions_are_listed(client, db):
    DiscussionFactory(article__title="Open for comments")
    DiscussionFactory(article__title="A draft of a paper", status=Discussion.Status.DRAFT)
    DiscussionFactory(article__title="Closed last year", status=Discussion.Status.CLOSED)
    html = page(client)
    assert "Open for comments" in html
    assert "A draft of a paper" not in html
    assert "Closed last year" not in html


# --- Live sessions -------------------------------------------------------------------------------


def test_upcoming_live_sessions_show_soonest_first(client, db):
    discussion = DiscussionFactory(article__title="A paper with sessions")
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    hour = datetime.timedelta(hours=1)
    Meeting.objects.create(discussion=discussion, title="The second", starts_at=ago(days=-9))
    Meeting.objects.create(discussion=discussion, title="The first", starts_at=ago(days=-2))
    Meeting.objects.create(discussion=discussion, title="Long past", starts_at=ago(days=5))
    Meeting.objects.create(discussion=draft, title="Of a draft", starts_at=ago(days=-3))
    Meeting.objects.create(
        discussion=discussion, title="Under way", starts_at=ago(minutes=30), duration=hour
    )

    html = page(client)

    assert html.index("Under way") < html.index("The first") < html.index("The second")
    assert "Long past" not in html
    assert "Of a draft" not in html
    assert f'href="{reverse("events:list")}"' in html


def test_without_live_sessions_the_side_column_says_so(client, db):
    assert "No live session is planned right now." in page(client)


# --- What is new in what a member follows ------------------------------------------------------


def test_a_member_sees_new_comments_in_what_they_follow(member_client, member):
    discussion = DiscussionFactory(article__title="Followed whole")
    other = DiscussionFactory(article__title="Followed in part")
    question = other.questions.get(number=2)
    thread = comment(other.questions.get(number=1), at=ago(days=3), body="A thread to follow")
    Follow.objects.create(member=member, discussion=discussion)
    Follow.objects.create(member=member, question=question)
    Follow.objects.create(member=member, thread=thread)
    visited(member, discussion, at=ago(days=1))
    visited(member, other, at=ago(days=1))
    for hours in (1, 2, 3):
        comment(discussion.questions.get(number=hours), at=ago(hours=hours))
    comment(discussion.questions.first(), at=ago(hours=1), author=member)  # their own
    comment(discussion.questions.first(), at=ago(days=2))  # before their visit
    hidden = comment(discussion.questions.first(), at=ago(hours=1))
    Comment.objects.filter(pk=hidden.pk).update(status=Comment.Status.HIDDEN)
    comment(question, at=ago(hours=4))
    comment(other.questions.get(number=1), at=ago(hours=2), parent=thread)
    comment(other.questions.get(number=1), at=ago(hours=2))  # not in the thread

    html = page(member_client)
    news = html[html.index('id="followed-heading"') :]

    assert "3 new comments" in news
    assert "Question number 2?" in news
    assert f"Thread started by {thread.author.name}" in news
    assert news.count("1 new comment<") == 2
    assert news.index("Followed whole") < news.index("Question number 2?")
    assert "last comment 1\xa0hour ago" in news


def test_following_without_news_says_nothing_is_new(member_client, member, discussion):
    Follow.objects.create(member=member, discussion=discussion)
    visited(member, discussion, at=ago(hours=1))
    comment(discussion.questions.first(), at=ago(hours=2))
    html = page(member_client)
    assert "Nothing new in what you follow since your last visit." in html


def test_a_member_who_follows_nothing_is_told_how(member_client):
    assert "You follow nothing yet." in page(member_client)


def test_a_followed_discussion_back_in_draft_is_left_out(member_client, member):
    draft = DiscussionFactory(article__title="Taken back to draft")
    Follow.objects.create(member=member, discussion=draft)
    comment(draft.questions.first(), at=ago(hours=1))
    Discussion.objects.filter(pk=draft.pk).update(status=Discussion.Status.DRAFT)
    assert "Taken back to draft" not in page(member_client)


def test_a_visitor_sees_no_follow_panel(client, db):
    assert 'id="followed-heading"' not in page(client)


# --- The archive ---------------------------------------------------------------------------------


def test_the_archive_shares_the_cards_without_intro_or_side_column(client, db):
    closed = DiscussionFactory(status=Discussion.Status.CLOSED, article__title="Closed one")
    comment(closed.questions.first(), at=ago(days=40))
    html = page(client, ARCHIVE)
    assert "Closed one" in html
    assert "1 participant" in html
    assert 'class="avatars"' in html
    assert "Read research papers together" not in html
    assert 'id="sessions-heading"' not in html


# --- Query counts ----------------------------------------------------------------------------


def populate(count: int, *, member=None) -> None:
    """``count`` open discussions with comments by several members; followed by ``member``."""
    for _ in range(count):
        discussion = DiscussionFactory()
        questions = list(discussion.questions.all())
        for number in range(6):
            posted = comment(questions[number % 3], at=ago(hours=number + 1))
        Meeting.objects.create(discussion=discussion, starts_at=ago(days=-3))
        if member is not None:
            visited(member, discussion, at=ago(hours=4))
            Follow.objects.create(member=member, discussion=discussion)
            Follow.objects.create(member=member, question=questions[1])
            Follow.objects.create(member=member, thread=posted)


@pytest.mark.parametrize("who", ["visitor", "member"])
@pytest.mark.usefixtures("clubs_counted")
def test_the_query_count_does_not_grow_with_discussions_participants_or_follows(
    client, db, django_assert_num_queries, who
):
    member = UserFactory() if who == "member" else None
    if member is not None:
        client.force_login(member)
    populate(2, member=member)
    # A visitor: the count, the page, its papers' authors, the latest participants, the
    # sessions. A member adds their session, themselves, what they follow, and what the
    # header shows them (their permissions, their clubs, the notification bell).
    expected = 5 if member is None else 11
    with django_assert_num_queries(expected):
        small = page(client)
    populate(10, member=member)
    with django_assert_num_queries(expected):
        large = page(client)
    assert small.count('<article class="card">') == 2
    assert large.count('<article class="card">') == 12
    if member is not None:
        assert "new since your last visit" in large
        assert 'class="followed__item"' in large


# --- The filters the cards use ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Maren Lindqvist", "ML"),
        ("Amara Osei-Bonsu", "AO"),
        ("Ada Byron Lovelace", "AL"),
        ("priya", "P"),
        ("  (Kim) dé  ", "KD"),
        ("", "?"),
    ],
)
def test_initials_are_of_the_first_and_last_words(name, expected):
    assert initials(name) == expected


def test_a_members_avatar_colour_is_one_of_eight_and_always_the_same():
    assert avatar_colour(3) == avatar_colour("3") == "avatar--c3"
    assert avatar_colour(11) == "avatar--c3"
    assert avatar_colour(None) == "avatar--c0"


def test_ago_says_the_largest_unit_only():
    assert ago_filter(ago(hours=2, minutes=20)) == "2\xa0hours ago"
    assert ago_filter(ago(days=3, hours=5)) == "3\xa0days ago"
    assert ago_filter(ago(seconds=10)) == "just now"
    assert ago_filter(None) == ""
