"""A club's page, the directory of clubs, the navigation, and what clubs cost in queries."""

import pytest
from django.urls import reverse

from clubs.models import Club, Membership
from discussions.models import Discussion
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
    default_club,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_club():
    return ClubFactory(
        name="Northside staff club",
        slug="northside",
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.INVITATION,
    )


def club_url(club) -> str:
    return reverse("discussions:club", args=[club.slug])


# --- The club's page ---------------------------------------------------------------------


def test_a_public_clubs_page_shows_its_open_discussions_and_team(client):
    club = ClubFactory(description="We read **one paper** a month.")
    lead = MembershipFactory(club=club, role="lead").member
    discussion = DiscussionFactory(club=club)
    elsewhere = DiscussionFactory()  # another club's
    CommentFactory(question=discussion.questions.first(), body="A thought on the paper")

    page = client.get(club_url(club)).content.decode()

    assert club.name in page
    assert "<strong>one paper</strong>" in page
    assert discussion.article.title in page
    assert elsewhere.article.title not in page
    assert lead.name in page
    assert "Lead" in page
    assert "A thought on the paper" in page  # recent activity
    assert "Sign in to join" in page
    assert 'href="/clubs/' + club.slug + '/members/"' not in page  # members: for members


def test_a_private_club_is_a_404_to_visitors_and_outsiders_and_a_page_to_members(
    client, private_club
):
    member = MembershipFactory(club=private_club).member
    outsider = MembershipFactory(club=ClubFactory()).member
    DiscussionFactory(club=private_club, commentary="Our own services")

    assert client.get(club_url(private_club)).status_code == 404
    client.force_login(outsider)
    assert client.get(club_url(private_club)).status_code == 404
    client.force_login(member)
    page = client.get(club_url(private_club))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Private club" in content
    assert '<meta name="robots" content="noindex">' in content
    main = content.split("<main", 1)[1].split("</main>", 1)[0]
    assert "feed" not in main.lower()  # no public feed or calendar


def test_a_banned_member_is_an_outsider_of_a_private_club(client, private_club):
    banned = MembershipFactory(club=private_club)
    Membership.objects.filter(pk=banned.pk).update(banned_at="2026-01-01T00:00Z")
    client.force_login(banned.member)
    assert client.get(club_url(private_club)).status_code == 404


def test_members_see_the_members_and_leads_see_their_tools(client):
    club = ClubFactory(joining=Club.Joining.REQUEST)
    member = MembershipFactory(club=club, member=UserFactory(display_name="Ada Member")).member
    lead = MembershipFactory(club=club, role="lead").member

    client.force_login(member)
    page = client.get(club_url(club)).content.decode()
    assert "Ada Member" in page
    assert "Leave the club" in page
    assert reverse("clubs:settings", args=[club.slug]) not in page

    client.force_login(lead)
    page = client.get(club_url(club)).content.decode()
    for name in ("settings", "invitations", "requests", "question-templates"):
        assert reverse(f"clubs:{name}", args=[club.slug]) in page
    assert reverse("discussions:discussion-new", args=[club.slug]) in page


def test_drafts_show_to_the_clubs_hosts_only(client):
    club = ClubFactory()
    host = MembershipFactory(club=club, role="host").member
    member = MembershipFactory(club=club).member
    draft = DiscussionFactory(club=club, status=Discussion.Status.DRAFT)

    client.force_login(member)
    assert draft.article.title not in client.get(club_url(club)).content.decode()
    client.force_login(host)
    assert draft.article.title in client.get(club_url(club)).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_join_button_follows_the_clubs_way_of_joining(client):
    member = UserFactory()
    client.force_login(member)
    open_club = ClubFactory()
    by_request = ClubFactory(joining=Club.Joining.REQUEST)
    by_invitation = ClubFactory(joining=Club.Joining.INVITATION)

    assert (
        reverse("clubs:join", args=[open_club.slug])
        in client.get(club_url(open_club)).content.decode()
    )
    assert "Ask to join" in client.get(club_url(by_request)).content.decode()
    assert "joined by invitation" in client.get(club_url(by_invitation)).content.decode()


def test_an_unknown_club_is_a_404(client):
    assert client.get(reverse("discussions:club", args=["no-such-club"])).status_code == 404


# --- The directory and the navigation --------------------------------------------------------


def test_the_directory_lists_public_clubs_and_a_members_own_private_ones(client, private_club):
    public = ClubFactory(name="Open readers")
    member = MembershipFactory(club=private_club).member

    page = client.get(reverse("discussions:clubs")).content.decode()
    assert "Open readers" in page
    assert private_club.name not in page

    client.force_login(UserFactory())
    assert private_club.name not in client.get(reverse("discussions:clubs")).content.decode()

    client.force_login(member)
    page = client.get(reverse("discussions:clubs")).content.decode()
    assert private_club.name in page
    assert public.name in page


def test_a_members_clubs_come_first_in_their_navigation(client, private_club):
    member = MembershipFactory(club=private_club).member
    client.force_login(member)
    page = client.get(reverse("discussions:home")).content.decode()
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert nav.index("Your clubs") < nav.index("Discussions")
    assert private_club.name in nav


def test_a_one_club_site_shows_no_club_menu(client):
    DiscussionFactory()  # in the default club, the only one
    page = client.get(reverse("discussions:home")).content.decode()
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert "Clubs" not in nav
    discussion_page = client.get(Discussion.objects.get().get_absolute_url()).content.decode()
    assert "Journal club discussion" in discussion_page


def test_on_a_site_of_several_clubs_a_discussion_names_its_club(client):
    default_club()
    club = ClubFactory(name="Lakeshore readers")
    discussion = DiscussionFactory(club=club)
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert f'<a href="{club_url(club)}">Lakeshore readers</a>' in page
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert "Clubs" in nav


# --- Taking part -----------------------------------------------------------------------------


def test_a_club_joined_by_request_takes_answers_from_its_members_only(client):
    club = ClubFactory(joining=Club.Joining.REQUEST)
    discussion = DiscussionFactory(club=club)
    outsider = UserFactory()
    client.force_login(outsider)
    url = reverse("discussions:comment-create", args=[discussion.slug, 1])

    page = client.get(discussion.get_absolute_url()).content.decode()
    assert "Only members of" in page
    assert "Ask to join" in page
    assert client.post(url, {"body": "Let me in"}).status_code == 403

    MembershipFactory(club=club, member=outsider)
    assert client.post(url, {"body": "Now a member"}).status_code == 302
    assert discussion.questions.first().comments.get().body == "Now a member"


def test_what_a_member_wrote_stays_when_they_leave(client, private_club):
    membership = MembershipFactory(club=private_club)
    discussion = DiscussionFactory(club=private_club)
    comment = CommentFactory(question=discussion.questions.first(), author=membership.member)
    membership.delete()
    reader = MembershipFactory(club=private_club).member
    client.force_login(reader)
    assert comment.body_html in client.get(discussion.get_absolute_url()).content.decode()


# --- Query counts do not grow with clubs ---------------------------------------------------


def member_of(count: int, **extra):
    member = UserFactory()
    for _ in range(count):
        MembershipFactory(member=member, club=ClubFactory(**extra))
    return member


@pytest.mark.usefixtures("clubs_counted")
@pytest.mark.parametrize("clubs", [1, 50])
def test_pages_cost_the_same_at_1_and_50_clubs_and_memberships(
    client, clubs, django_assert_num_queries
):
    """The home page, a club's page and a discussion page, for a member of N clubs."""
    member = member_of(clubs, visibility="private", joining="invitation")
    club = member.club_memberships.first().club
    discussion = DiscussionFactory(club=club)
    CommentFactory(question=discussion.questions.first())
    client.force_login(member)
    urls = [reverse("discussions:home"), club_url(club), discussion.get_absolute_url()]
    counts = []
    for url in urls:
        with django_assert_num_queries(100, exact=False) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts == PAGE_QUERIES, counts  # the same at both sizes


# Each page's queries: session, member, their clubs (one query, whatever their number),
# permissions and the bell, then the page's own (the discussion page: with its translations).
PAGE_QUERIES = [11, 16, 30]


def test_a_public_clubs_page_is_shared_under_its_own_name(client):
    club = ClubFactory(name="Open readers", tagline="Reading in the open.")
    page = client.get(club_url(club)).content.decode()
    assert '<meta property="og:title" content="Open readers">' in page
    assert '<meta property="og:description" content="Reading in the open.">' in page
