import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.models import Comment, Discussion
from tests.discovery import factories as make
from tests.factories import DiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db


def feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_discussions_feed_lists_published_discussions_newest_first(client):
    older = DiscussionFactory(opens_at=make.days_ago(10))
    newer = DiscussionFactory(opens_at=make.days_ago(1), commentary="Why *this* paper.")
    DiscussionFactory(status=Discussion.Status.DRAFT)
    parsed = feed(client, "/feeds/discussions/")
    assert parsed.feed.title == "Journal Club: discussions"
    assert [entry.title for entry in parsed.entries] == [newer.article.title, older.article.title]
    first = parsed.entries[0]
    assert first.link == f"http://testserver{newer.get_absolute_url()}"
    assert first.author == newer.host.name
    assert "<em>this</em>" in first.summary


def test_a_discussions_comments_feed(client, discussion):
    author = UserFactory(display_name="Priya")
    kept = make.comment(discussion, "A **useful** point.", author=author)
    deleted = make.comment(discussion, "Taken back.")
    Comment.objects.filter(pk=deleted.pk).update(deleted_at=make.days_ago(0))
    elsewhere = make.comment(DiscussionFactory(), "In another discussion.")
    parsed = feed(client, f"/feeds/discussions/{discussion.slug}/comments/")
    assert parsed.feed.title == f"Comments on “{discussion.article.title}”"
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.title == "Priya on question 1"
    assert entry.link == f"http://testserver/comments/{kept.pk}/"
    assert "<strong>useful</strong>" in entry.summary
    assert elsewhere.body not in str(parsed)


def test_hidden_comments_stay_out_of_feeds(client, discussion):
    hidden = make.comment(discussion, "Hidden by a moderator.")
    if not hasattr(hidden, "status"):
        pytest.skip("comments have no moderation status")
    Comment.objects.filter(pk=hidden.pk).update(status="hidden")
    assert feed(client, f"/feeds/discussions/{discussion.slug}/comments/").entries == []
    assert feed(client, f"/feeds/members/{hidden.author.username}/comments/").entries == []


def test_a_members_comments_feed(client, discussion):
    member = UserFactory(display_name="Priya")
    make.comment(discussion, "In public.", author=member)
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    make.comment(draft, "In a draft.", author=member)
    parsed = feed(client, f"/feeds/members/{member.username}/comments/")
    assert parsed.feed.title == "Comments by Priya"
    assert [entry.summary for entry in parsed.entries] == ["<p>In public.</p>"]
    assert parsed.entries[0].title == f"On “{discussion.article.title}”, question 1"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/discussions/no-such-discussion/comments/",
        "/feeds/members/nobody/comments/",
    ],
)
def test_feeds_of_missing_things_are_404(client, url):
    assert client.get(url).status_code == 404


def test_the_feed_of_a_draft_is_404_even_for_staff(staff_client):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    assert staff_client.get(f"/feeds/discussions/{draft.slug}/comments/").status_code == 404


def test_the_feed_of_an_inactive_member_is_404(client):
    member = UserFactory(is_active=False)
    assert client.get(f"/feeds/members/{member.username}/comments/").status_code == 404


def test_pages_announce_their_feeds(client, discussion):
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Journal Club: discussions" '
        'href="/feeds/discussions/">'
    ) in html
    assert f'href="/feeds/discussions/{discussion.slug}/comments/"' in html
    assert 'href="/feeds/discussions/"' in client.get("/").content.decode()


def test_a_members_profile_announces_their_comments_feed(client):
    member = UserFactory(display_name="Priya")
    html = client.get(member.get_absolute_url()).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Comments by Priya" '
        f'href="/feeds/members/{member.username}/comments/">'
    ) in html


@pytest.mark.parametrize(
    "url", ["/feeds/discussions/", "/feeds/discussions/{slug}/comments/", "/feeds/members/{user}/"]
)
def test_feeds_run_the_same_queries_for_few_or_many_items(client, url):
    chat = DiscussionFactory()
    member = UserFactory()
    url = url.format(slug=chat.slug, user=member.username)
    if url.endswith(f"/{member.username}/"):
        url += "comments/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            feed(client, url)
        return len(captured)

    make.comment(chat, "One.", author=member)
    few = queries()
    for number in range(10):
        DiscussionFactory()
        make.comment(chat, f"Comment {number}.", author=member)
    assert queries() == few <= 2


def test_a_clubs_feed_lists_its_new_discussions_and_syntheses(client):
    from tests.factories import ClubFactory

    club = ClubFactory(name="Brokers", tagline="Knowledge brokers read together.")
    older = DiscussionFactory(club=club, opens_at=make.days_ago(10))
    newer = DiscussionFactory(club=club, opens_at=make.days_ago(3))
    DiscussionFactory(club=club, status=Discussion.Status.DRAFT)
    DiscussionFactory()  # another club's
    question = older.questions.first()
    question.synthesis = "What the **answers** agree on."
    question.synthesis_by = older.host
    question.synthesis_updated_at = make.days_ago(1)
    question.save()

    parsed = feed(client, f"/clubs/{club.slug}/feed/")

    assert parsed.feed.title == "Brokers: discussions and syntheses"
    assert parsed.feed.subtitle == "Knowledge brokers read together."
    assert [entry.title for entry in parsed.entries] == [
        f"Synthesis of question 1 on “{older.article.title}”",
        newer.article.title,
        older.article.title,
    ]
    assert parsed.entries[0].link == f"http://testserver{question.get_absolute_url()}"
    assert "<strong>answers</strong>" in parsed.entries[0].summary


def test_a_private_club_has_no_feed(client):
    from tests.factories import ClubFactory, MembershipFactory

    club = ClubFactory(visibility="private", joining="invitation")
    DiscussionFactory(club=club)
    member = UserFactory()
    MembershipFactory(club=club, member=member)
    assert client.get(f"/clubs/{club.slug}/feed/").status_code == 404
    client.force_login(member)  # feed readers sign in as nobody: no feed even for members
    assert client.get(f"/clubs/{club.slug}/feed/").status_code == 404
    assert client.get("/clubs/no-such-club/feed/").status_code == 404


def test_the_site_feeds_leave_private_clubs_out(client):
    from tests.factories import ClubFactory

    club = ClubFactory(visibility="private", joining="invitation")
    secret = DiscussionFactory(club=club, commentary="Ward secrets.")
    comment = make.comment(secret, "A ward remark.")
    assert feed(client, "/feeds/discussions/").entries == []
    assert client.get(f"/feeds/discussions/{secret.slug}/comments/").status_code == 404
    assert feed(client, f"/feeds/members/{comment.author.username}/comments/").entries == []
