"""Members nominate papers for a future session of their club and vote for them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Suspension
from articles.models import Article
from clubs import tools
from clubs.models import Club, Nomination, Vote
from tests.articles.conftest import ALBERS_DOI, data_json
from tests.factories import ArticleFactory, ClubFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.usefixtures("api")  # nothing here reaches the network

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def club(db):
    return ClubFactory(name="Implementation readers", slug="readers")


@pytest.fixture
def private_club(db):
    return ClubFactory(
        name="Health authority staff",
        slug="staff-only",
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.INVITATION,
    )


@pytest.fixture
def member(club):
    return MembershipFactory(club=club).member


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def article(db):
    return ArticleFactory(title="Knowledge brokers in practice", slug="brokers-2021")


def nominations_url(club):
    return reverse("clubs:nominations", kwargs={"slug": club.slug})


def vote_url(nomination, club=None):
    club = club or nomination.club
    return reverse("clubs:nomination-vote", kwargs={"slug": club.slug, "pk": nomination.pk})


def withdraw_url(nomination):
    return reverse(
        "clubs:nomination-withdraw", kwargs={"slug": nomination.club.slug, "pk": nomination.pk}
    )


def nominate(club, article, by=None, reason="Worth reading together.", **kwargs):
    by = by or MembershipFactory(club=club).member
    return Nomination.objects.create(
        club=club, article=article, nominated_by=by, reason=reason, **kwargs
    )


# --- Nominating ---------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["slug", "doi", "doi-url", "page-url"])
def test_member_nominates_a_catalogue_paper_by_doi_or_address(member_client, club, article, given):
    paper = {
        "slug": article.slug,
        "doi": article.doi.upper(),
        "doi-url": f"https://doi.org/{article.doi}",
        "page-url": f"https://club.example.org{article.get_absolute_url()}",
    }[given]

    response = member_client.post(
        nominations_url(club), {"paper": paper, "reason": "  Our network asked for it.  "}
    )

    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{nominations_url(club)}#nomination-{nomination.pk}"
    assert (nomination.club, nomination.article) == (club, article)
    assert nomination.reason == "Our network asked for it."
    assert nomination.status == Nomination.Status.OPEN


def test_a_doi_not_on_file_is_looked_up_and_added_to_the_catalogue(member_client, club, api):
    api.crossref(ALBERS_DOI, body=data_json("crossref-albers.json"))

    response = member_client.post(
        nominations_url(club), {"paper": f"doi:{ALBERS_DOI}", "reason": "The consolidation."}
    )

    assert response.status_code == 302
    article = Article.objects.get(doi=ALBERS_DOI)
    assert article.title.startswith("Implementation support practitioners")
    assert Nomination.objects.get().article == article


def test_a_doi_that_cannot_be_found_says_so_and_saves_nothing(member_client, club, api):
    api.crossref("10.9999/nowhere", status=404, body={"status": "error"})

    response = member_client.post(
        nominations_url(club), {"paper": "10.9999/nowhere", "reason": "Heard it was good."}
    )

    assert response.status_code == 200
    assert "No paper was found for the DOI 10.9999/nowhere" in response.text
    assert "Crossref has no record of this DOI." in response.text
    assert 'value="10.9999/nowhere"' in response.text  # the form keeps what was typed
    assert "Heard it was good." in response.text
    assert not Article.objects.exists()
    assert not Nomination.objects.exists()


def test_crossref_out_of_reach_says_so_and_saves_nothing(member_client, club, api):
    api.crossref("10.9999/later", status=503)

    response = member_client.post(
        nominations_url(club), {"paper": "10.9999/later", "reason": "Heard it was good."}
    )

    assert "Crossref could not be reached just now" in response.text
    assert not Nomination.objects.exists()


def test_an_address_that_is_no_paper_is_refused(member_client, club):
    response = member_client.post(
        nominations_url(club), {"paper": "no-such-paper", "reason": "Heard it was good."}
    )

    assert "No paper on file has this address." in response.text
    assert not Nomination.objects.exists()


def test_a_reason_too_long_is_refused_and_the_form_keeps_what_was_typed(
    member_client, club, article
):
    reason = "Because " + "it matters " * 60

    response = member_client.post(nominations_url(club), {"paper": article.slug, "reason": reason})

    assert response.status_code == 200
    assert "Ensure this value has at most 500 characters" in response.text
    assert reason.strip() in response.text
    assert f'value="{article.slug}"' in response.text
    assert not Nomination.objects.exists()


def test_a_reason_is_required(member_client, club, article):
    response = member_client.post(nominations_url(club), {"paper": article.slug, "reason": " "})

    assert "This field is required." in response.text
    assert not Nomination.objects.exists()


def test_a_paper_already_nominated_is_offered_for_a_vote_instead(member_client, club, article):
    first = nominate(club, article)

    response = member_client.post(
        nominations_url(club), {"paper": article.doi, "reason": "I want it too."}
    )

    assert response.status_code == 200
    assert "This paper is already nominated: vote for it instead." in response.text
    # In the list, and under the form with a link to it in the list.
    assert response.text.count(f'action="{vote_url(first)}"') == 2
    assert f'<a href="#nomination-{first.pk}">Knowledge brokers in practice</a>' in response.text
    assert "Vote for it instead" in response.text
    assert list(Nomination.objects.all()) == [first]


def test_a_paper_chosen_or_withdrawn_before_may_be_nominated_again(member_client, club, article):
    nominate(club, article, status=Nomination.Status.CHOSEN)
    nominate(club, article, status=Nomination.Status.WITHDRAWN)

    member_client.post(nominations_url(club), {"paper": article.slug, "reason": "Again."})

    assert club.nominations.waiting().get().reason == "Again."


def test_another_club_may_nominate_the_same_paper(member_client, club, article):
    nominate(ClubFactory(), article)

    member_client.post(nominations_url(club), {"paper": article.slug, "reason": "Ours too."})

    assert club.nominations.get().article == article


def test_joining_comes_first_even_in_a_club_open_to_all(client, club, article):
    client.force_login(UserFactory())

    page = client.get(nominations_url(club))
    refused = client.post(nominations_url(club), {"paper": article.slug, "reason": "Mine."})

    assert page.status_code == 200
    assert "Join the club to nominate papers and vote." in page.text
    assert 'name="reason"' not in page.text
    assert refused.status_code == 403
    assert "Join the club to nominate papers and vote." in refused.text
    assert not Nomination.objects.exists()


def test_a_banned_member_may_not_nominate(client, club, article):
    banned = MembershipFactory(club=club, banned_at=timezone.now()).member
    client.force_login(banned)

    page = client.get(nominations_url(club))
    refused = client.post(nominations_url(club), {"paper": article.slug, "reason": "Mine."})

    assert "You can no longer take part in this club." in page.text
    assert refused.status_code == 403
    assert not Nomination.objects.exists()


def test_a_suspended_member_may_not_nominate(member_client, member, club, article, staff):
    Suspension.objects.create(member=member, reason="Rude", created_by=staff)

    response = member_client.post(nominations_url(club), {"paper": article.slug, "reason": "x"})

    assert response.status_code == 403
    assert not Nomination.objects.exists()


def test_an_unconfirmed_member_may_not_nominate(client, club, article):
    unverified = MembershipFactory(club=club, member=UserFactory(verified=False)).member
    client.force_login(unverified)

    response = client.post(nominations_url(club), {"paper": article.slug, "reason": "x"})

    assert response.status_code == 403
    assert not Nomination.objects.exists()


def test_visitors_read_a_public_clubs_list_and_are_asked_to_sign_in(client, club, article):
    nominate(club, article, reason="A visible reason")

    page = client.get(nominations_url(club))
    posted = client.post(nominations_url(club), {"paper": article.slug, "reason": "x"})

    assert page.status_code == 200
    assert "A visible reason" in page.text
    assert "Sign in</a> and join the club" in page.text
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_private_clubs_nominations_are_a_404_to_outsiders(client, private_club, method):
    nominate(private_club, ArticleFactory())
    for user in (None, UserFactory(), MembershipFactory(club=ClubFactory()).member):
        client.logout()
        if user:
            client.force_login(user)
        response = getattr(client, method)(nominations_url(private_club))
        assert response.status_code == 404


def test_a_private_clubs_members_nominate_and_read(client, private_club, article):
    member = MembershipFactory(club=private_club).member
    client.force_login(member)

    client.post(nominations_url(private_club), {"paper": article.slug, "reason": "For us."})
    page = client.get(nominations_url(private_club))

    assert private_club.nominations.get().nominated_by == member
    assert "For us." in page.text


def test_a_forged_club_slug_is_a_404(member_client):
    assert member_client.get("/clubs/no-such-club/nominations/").status_code == 404


def test_the_catalogue_search_offers_papers_to_nominate(member_client, club, article):
    ArticleFactory(title="Something else entirely")

    response = member_client.get(nominations_url(club), {"q": "brokers"})

    assert "Knowledge brokers in practice" in response.text
    assert "Something else entirely" not in response.text
    assert f"?paper={article.slug}#nominate" in response.text
    prefilled = member_client.get(nominations_url(club), {"paper": article.slug})
    assert f'value="{article.slug}"' in prefilled.text


# --- Voting -------------------------------------------------------------------------------


def test_a_member_votes_once_whatever_the_number_of_clicks(member_client, member, club, article):
    nomination = nominate(club, article)

    first = member_client.post(vote_url(nomination), {"vote": "1"})
    member_client.post(vote_url(nomination), {"vote": "1"})

    assert first.status_code == 302
    assert first["Location"] == f"{nominations_url(club)}#nomination-{nomination.pk}"
    assert list(Vote.objects.values_list("member", flat=True)) == [member.pk]
    page = member_client.get(nominations_url(club))
    assert "1 vote" in page.text
    assert "Take my vote back" in page.text


def test_a_member_takes_their_vote_back(member_client, member, club, article):
    nomination = nominate(club, article)
    Vote.objects.create(nomination=nomination, member=member)
    Vote.objects.create(nomination=nomination, member=UserFactory())

    member_client.post(vote_url(nomination), {"vote": "0"})
    member_client.post(vote_url(nomination), {"vote": "0"})

    assert nomination.votes.count() == 1
    assert not nomination.votes.filter(member=member).exists()


def test_htmx_vote_swaps_the_nomination_in_place(member_client, club, article):
    nomination = nominate(club, article)

    response = member_client.post(vote_url(nomination), {"vote": "1"}, **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="nomination-{nomination.pk}"' in response.text
    assert "1 vote" in response.text
    assert 'name="vote" value="0"' in response.text


def test_a_non_member_may_not_vote(client, club, article):
    nomination = nominate(club, article)
    client.force_login(UserFactory())

    response = client.post(vote_url(nomination), {"vote": "1"})

    assert response.status_code == 403
    assert "Join the club to nominate papers and vote." in response.text
    assert not Vote.objects.exists()


def test_a_banned_member_may_not_vote(client, club, article):
    nomination = nominate(club, article)
    client.force_login(MembershipFactory(club=club, banned_at=timezone.now()).member)

    assert client.post(vote_url(nomination), {"vote": "1"}).status_code == 403
    assert not Vote.objects.exists()


def test_anonymous_voters_are_sent_to_sign_in(client, club, article):
    response = client.post(vote_url(nominate(club, article)), {"vote": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_nomination_of_another_private_club_is_a_404(member_client, club, private_club):
    theirs = nominate(private_club, ArticleFactory())

    through_mine = member_client.post(vote_url(theirs, club=club), {"vote": "1"})
    through_theirs = member_client.post(vote_url(theirs), {"vote": "1"})
    withdrawn = member_client.post(
        reverse("clubs:nomination-withdraw", kwargs={"slug": club.slug, "pk": theirs.pk})
    )

    assert through_mine.status_code == 404
    assert through_theirs.status_code == 404
    assert withdrawn.status_code == 404
    assert not Vote.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status == Nomination.Status.OPEN


def test_voting_on_a_chosen_nomination_is_refused(member_client, club, article):
    nomination = nominate(club, article, status=Nomination.Status.CHOSEN)

    response = member_client.post(vote_url(nomination), {"vote": "1"}, follow=True)

    assert "Voting on this nomination has ended." in response.text
    assert not Vote.objects.exists()


# --- The list -----------------------------------------------------------------------------


def test_the_list_shows_open_nominations_most_votes_first(member_client, club):
    quiet = nominate(club, ArticleFactory(title="Quiet paper"))
    popular = nominate(club, ArticleFactory(title="Popular paper"))
    nominate(club, ArticleFactory(title="Withdrawn paper"), status=Nomination.Status.WITHDRAWN)
    nominate(club, ArticleFactory(title="Chosen paper"), status=Nomination.Status.CHOSEN)
    nominate(ClubFactory(), ArticleFactory(title="Another club's paper"))
    for voter in UserFactory.create_batch(2):
        Vote.objects.create(nomination=popular, member=voter)
    Vote.objects.create(nomination=quiet, member=UserFactory())

    page = member_client.get(nominations_url(club))

    assert [n.pk for n in page.context["nominations"]] == [popular.pk, quiet.pk]
    assert page.text.index("Popular paper") < page.text.index("Quiet paper")
    assert "2 votes" in page.text
    for absent in ("Withdrawn paper", "Chosen paper", "Another club's paper"):
        assert absent not in page.text


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_takes_a_constant_number_of_queries(
    member_client, member, club, count, django_assert_num_queries
):
    for _ in range(count):
        nomination = nominate(club, ArticleFactory())
        Vote.objects.create(nomination=nomination, member=member)
        Vote.objects.create(nomination=nomination, member=UserFactory())

    # session, member, the club, their clubs, permissions, suspension, nominations with
    # votes, authors, the bell's count
    with django_assert_num_queries(9):
        response = member_client.get(nominations_url(club))

    assert response.text.count("2 votes") == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_for_visitors_takes_a_constant_number_of_queries(
    client, club, count, django_assert_num_queries
):
    for _ in range(count):
        nominate(club, ArticleFactory())

    # the club, nominations with votes, authors, the navigation's count of clubs
    with django_assert_num_queries(4):
        client.get(nominations_url(club))


# --- Withdrawing --------------------------------------------------------------------------


def test_the_nominator_withdraws_their_nomination(member_client, member, club, article):
    nomination = nominate(club, article, by=member)

    response = member_client.post(withdraw_url(nomination))

    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN
    assert article.title not in member_client.get(nominations_url(club)).text


def test_another_member_may_not_withdraw_a_nomination(member_client, club, article):
    nomination = nominate(club, article)

    response = member_client.post(withdraw_url(nomination))

    assert response.status_code == 403
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.OPEN


def test_a_lead_may_withdraw_any_nomination(client, club, article):
    nomination = nominate(club, article)
    client.force_login(MembershipFactory(club=club, role="lead").member)

    client.post(withdraw_url(nomination))

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN


def test_withdraw_is_offered_to_the_nominator_only(member_client, member, club):
    mine = nominate(club, ArticleFactory(), by=member)
    theirs = nominate(club, ArticleFactory())

    page = member_client.get(nominations_url(club)).text

    assert withdraw_url(mine) in page
    assert withdraw_url(theirs) not in page


# --- The services -------------------------------------------------------------------------


def test_nomination_create_refuses_a_second_open_nomination(club, article):
    first = nominate(club, article)
    member = MembershipFactory(club=club).member

    with pytest.raises(tools.AlreadyNominated) as raised:
        tools.nomination_create(club=club, member=member, article=article, reason="Again")

    assert raised.value.nomination == first


def test_nomination_choose_marks_it_chosen_once(club, article):
    nomination = nominate(club, article)

    tools.nomination_choose(nomination=nomination)

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.CHOSEN
    with pytest.raises(tools.ValidationError):
        tools.nomination_choose(nomination=nomination)
