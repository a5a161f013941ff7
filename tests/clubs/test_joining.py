"""Joining a club: at will, by request (approved or declined with a message), by email
domain; leaving; creating a club; and a private club's pages, which outsiders never see."""

import re
import threading

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from accounts.models import Suspension, User
from clubs import access, services, signals
from clubs.models import Club, JoinRequest, Membership, Role
from tests.factories import ClubFactory, MembershipFactory, UserFactory

PASSWORD = "a long passphrase 7"
CONFIRMATION_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture
def club(db):
    return ClubFactory(name="Implementation readers", slug="readers")


@pytest.fixture
def request_club(db):
    club = ClubFactory(name="Careful readers", slug="careful", joining=Club.Joining.REQUEST)
    MembershipFactory(club=club, role=Role.LEAD, member__email="lead@example.org")
    return club


@pytest.fixture
def private_club(db):
    club = ClubFactory(
        name="Health authority staff",
        slug="staff-only",
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.REQUEST,
        description="Marker-private-description",
    )
    MembershipFactory(club=club, role=Role.LEAD)
    return club


def lead_of(club) -> User:
    return Membership.objects.leads().filter(club=club).first().member


# --- Joining at will -----------------------------------------------------------------------


def test_a_confirmed_member_joins_an_open_public_club(club, member):
    membership = services.club_join(club=club, member=member)

    assert membership.role == Role.MEMBER
    assert access.is_member(member, club)


def test_joining_twice_makes_one_membership(club, member):
    services.club_join(club=club, member=member)
    services.club_join(club=club, member=member)

    assert Membership.objects.filter(club=club, member=member).count() == 1


def test_joining_sends_membership_changed_in_the_transaction(club, member):
    heard = []

    def receiver(sender, club, member, **kwargs):
        heard.append((club, member, connection.in_atomic_block))

    signals.membership_changed.connect(receiver)
    try:
        services.club_join(club=club, member=member)
    finally:
        signals.membership_changed.disconnect(receiver)

    assert heard == [(club, member, True)]


def test_an_unconfirmed_account_cannot_join(club, db):
    unconfirmed = UserFactory(verified=False)

    with pytest.raises(services.NotAllowed):
        services.club_join(club=club, member=unconfirmed)


def test_a_club_taking_requests_cannot_be_joined_at_will(request_club, member):
    with pytest.raises(services.NotAllowed, match="ask to join"):
        services.club_join(club=request_club, member=member)


def test_the_join_button_joins_and_lands_on_the_club(club, member_client, member):
    response = member_client.post(reverse("clubs:join", args=[club.slug]))

    assert response.status_code == 302
    assert response["Location"] == club.get_absolute_url()
    assert Membership.objects.filter(club=club, member=member).exists()


def test_the_join_button_sends_visitors_to_sign_in(club, client):
    response = client.post(reverse("clubs:join", args=[club.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_join_button_of_a_club_taking_requests_is_refused(request_club, member_client):
    response = member_client.post(reverse("clubs:join", args=[request_club.slug]))

    assert response.status_code == 403


def test_a_forged_club_slug_in_a_join_is_a_404(member_client):
    response = member_client.post(reverse("clubs:join", args=["no-such-club"]))

    assert response.status_code == 404


# --- Email domains -----------------------------------------------------------------------


def test_an_address_at_the_clubs_domain_joins_a_request_club_at_once(request_club, db):
    request_club.email_domains = "health.example, @uni.example"
    request_club.save()
    member = UserFactory(email="ana@UNI.example")

    services.club_join(club=request_club, member=member)

    assert access.is_member(member, request_club)


def test_an_unconfirmed_address_at_the_domain_does_not_join(request_club, db):
    request_club.email_domains = "uni.example"
    request_club.save()
    member = UserFactory(email="ana@example.org")
    EmailAddress.objects.create(user=member, email="ana@uni.example", verified=False)

    with pytest.raises(services.NotAllowed):
        services.club_join(club=request_club, member=member)


def test_a_domain_member_may_join_a_private_club_they_cannot_yet_see(private_club, client, db):
    private_club.email_domains = "authority.example"
    private_club.save()
    member = UserFactory(email="sam@authority.example")
    client.force_login(member)

    response = client.post(reverse("clubs:join", args=[private_club.slug]))

    assert response.status_code == 302
    assert access.is_member(member, private_club)


def test_confirming_an_address_joins_every_club_of_its_domain_but_not_one_that_banned(
    client, db, mailoutbox
):
    first = ClubFactory(joining=Club.Joining.INVITATION, email_domains="uni.example")
    second = ClubFactory(
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.REQUEST,
        email_domains="other.example uni.example",
    )
    unrelated = ClubFactory(email_domains="elsewhere.example")
    lookalike = ClubFactory(email_domains="notuni.example")
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Ana Lima",
            "email": "ana@uni.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agree_to_code": "on",
        },
    )
    member = User.objects.get(email="ana@uni.example")
    banning = ClubFactory(email_domains="uni.example")
    Membership.objects.create(club=banning, member=member, banned_at="2026-01-01T00:00Z")
    assert not Membership.objects.filter(member=member, banned_at__isnull=True).exists()

    path = CONFIRMATION_LINK.search(mailoutbox[0].body).group(1)
    client.post(path)

    joined = set(
        Membership.objects.active().filter(member=member).values_list("club_id", flat=True)
    )
    assert joined == {first.pk, second.pk}
    assert unrelated.pk not in joined
    assert lookalike.pk not in joined
    assert Membership.objects.get(club=banning, member=member).is_banned


# --- Requests to join --------------------------------------------------------------------


def test_a_request_waits_for_a_lead_who_is_emailed(
    request_club, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.join_request_create(
            club=request_club, member=member, message="I run the regional network."
        )

    assert join_request.status == JoinRequest.Status.PENDING
    assert not access.is_member(member, request_club)
    assert [message.to for message in mailoutbox] == [["lead@example.org"]]
    assert "I run the regional network." in mailoutbox[0].body
    assert reverse("clubs:requests", args=[request_club.slug]) in mailoutbox[0].body


def test_asking_twice_makes_one_request(request_club, member):
    first = services.join_request_create(club=request_club, member=member, message="Hi")
    second = services.join_request_create(club=request_club, member=member, message="Hi")

    assert first.pk == second.pk
    assert JoinRequest.objects.filter(club=request_club).count() == 1


def test_an_open_club_or_an_invitation_club_takes_no_requests(club, member, db):
    invitation_only = ClubFactory(joining=Club.Joining.INVITATION)

    with pytest.raises(services.NotAllowed):
        services.join_request_create(club=club, member=member)
    with pytest.raises(services.NotAllowed, match="invitation only"):
        services.join_request_create(club=invitation_only, member=member)


def test_a_lead_approves_with_a_message_the_member_is_emailed(
    request_club, member, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = services.join_request_create(club=request_club, member=member)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(
            join_request=join_request,
            by=lead_of(request_club),
            approve=True,
            response="Welcome, see you Thursday.",
        )

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert join_request.decided_by == lead_of(request_club)
    assert Membership.objects.get(club=request_club, member=member).role == Role.MEMBER
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "Welcome, see you Thursday." in mailoutbox[0].body
    assert "approved" in mailoutbox[0].body


def test_a_lead_declines_with_a_message_and_the_member_stays_out(
    request_club, member, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = services.join_request_create(club=request_club, member=member)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(
            join_request=join_request,
            by=lead_of(request_club),
            approve=False,
            response="We are full this term.",
        )

    assert not Membership.objects.filter(club=request_club, member=member).exists()
    assert "declined" in mailoutbox[0].body
    assert "We are full this term." in mailoutbox[0].body
    html = mailoutbox[0].alternatives[0][0]
    assert "We are full this term." in html


def test_only_a_lead_decides(request_club, member, db):
    join_request = services.join_request_create(club=request_club, member=member)
    other_member = MembershipFactory(club=request_club).member

    with pytest.raises(services.NotAllowed):
        services.join_request_decide(join_request=join_request, by=other_member, approve=True)


def test_two_approvals_of_one_request_make_one_membership(request_club, member):
    join_request = services.join_request_create(club=request_club, member=member)
    second_lead = MembershipFactory(club=request_club, role=Role.LEAD).member

    services.join_request_decide(join_request=join_request, by=lead_of(request_club), approve=True)
    services.join_request_decide(join_request=join_request, by=second_lead, approve=True)

    assert Membership.objects.filter(club=request_club, member=member).count() == 1


def test_a_request_already_approved_cannot_be_declined(request_club, member):
    join_request = services.join_request_create(club=request_club, member=member)
    services.join_request_decide(join_request=join_request, by=lead_of(request_club), approve=True)

    with pytest.raises(ValidationError) as refused:
        services.join_request_decide(
            join_request=join_request, by=lead_of(request_club), approve=False
        )

    assert refused.value.code == "decided"
    assert Membership.objects.filter(club=request_club, member=member).exists()


@pytest.mark.django_db(transaction=True)
def test_two_leads_approving_at_the_same_moment_make_one_membership():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")
    club = ClubFactory(joining=Club.Joining.REQUEST)
    leads = [MembershipFactory(club=club, role=Role.LEAD).member for _ in range(2)]
    member = UserFactory()
    join_request = services.join_request_create(club=club, member=member)
    start = threading.Barrier(2)
    errors = []

    def approve(lead):
        try:
            start.wait()
            services.join_request_decide(join_request=join_request, by=lead, approve=True)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(lead,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Membership.objects.filter(club=club, member=member).count() == 1


def test_the_request_page_sends_and_shows_the_waiting_request(request_club, member_client, member):
    url = reverse("clubs:request", args=[request_club.slug])

    assert member_client.get(url).status_code == 200
    response = member_client.post(url, {"message": "I would like to join."})
    page = member_client.get(url)

    assert response.status_code == 302
    assert JoinRequest.objects.get(member=member).message == "I would like to join."
    assert "I would like to join." in page.content.decode()
    assert reverse("clubs:request-withdraw", args=[request_club.slug]) in page.content.decode()


def test_withdrawing_a_request(request_club, member_client, member):
    services.join_request_create(club=request_club, member=member)

    member_client.post(reverse("clubs:request-withdraw", args=[request_club.slug]))

    assert JoinRequest.objects.get(member=member).status == JoinRequest.Status.WITHDRAWN


def test_the_requests_page_approves_with_a_message(request_club, client, member, mailoutbox):
    join_request = services.join_request_create(club=request_club, member=member, message="Hi")
    client.force_login(lead_of(request_club))
    page = client.get(reverse("clubs:requests", args=[request_club.slug]))

    response = client.post(
        reverse("clubs:request-decide", args=[request_club.slug, join_request.pk]),
        {"decision": "approve", "response": "Glad to have you."},
    )

    assert page.status_code == 200
    assert member.name in page.content.decode()
    assert response.status_code == 302
    assert access.is_member(User.objects.get(pk=member.pk), request_club)
    join_request.refresh_from_db()
    assert join_request.response == "Glad to have you."


def test_a_request_of_another_club_in_the_form_is_a_404(request_club, member, client, db):
    other = ClubFactory(joining=Club.Joining.REQUEST)
    foreign = services.join_request_create(club=other, member=member)
    client.force_login(lead_of(request_club))

    response = client.post(
        reverse("clubs:request-decide", args=[request_club.slug, foreign.pk]),
        {"decision": "approve"},
    )

    assert response.status_code == 404
    assert not Membership.objects.filter(club=other, member=member).exists()


def test_only_leads_see_the_requests_page(request_club, client, db):
    member = MembershipFactory(club=request_club).member
    client.force_login(member)

    assert client.get(reverse("clubs:requests", args=[request_club.slug])).status_code == 403


# --- Leaving -----------------------------------------------------------------------------


def test_leaving_keeps_what_the_member_wrote(club, member):
    from tests.factories import CommentFactory, DiscussionFactory

    services.club_join(club=club, member=member)
    discussion = DiscussionFactory(club=club)
    comment = CommentFactory(question=discussion.questions.first(), author=member)

    services.membership_leave(club=club, member=member)

    assert not access.is_member(member, club)
    comment.refresh_from_db()
    assert comment.author == member


def test_the_leave_button_asks_first_then_leaves(club, member_client, member):
    services.club_join(club=club, member=member)
    url = reverse("clubs:leave", args=[club.slug])

    asked = member_client.post(url)
    assert asked.status_code == 200
    assert access.is_member(User.objects.get(pk=member.pk), club)

    response = member_client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert not Membership.objects.filter(club=club, member=member).exists()


def test_the_last_lead_cannot_leave(request_club):
    lead = lead_of(request_club)

    with pytest.raises(ValidationError) as refused:
        services.membership_leave(club=request_club, member=lead)

    assert refused.value.code == "last_lead"
    assert Membership.objects.leads().filter(club=request_club).count() == 1


def test_a_lead_may_leave_when_another_lead_remains(request_club):
    lead = lead_of(request_club)
    MembershipFactory(club=request_club, role=Role.LEAD)

    services.membership_leave(club=request_club, member=lead)

    assert not Membership.objects.filter(club=request_club, member=lead).exists()


# --- Creating a club ---------------------------------------------------------------------


def test_a_confirmed_member_creates_a_club_and_leads_it(member_client, member):
    response = member_client.post(
        reverse("clubs:create"),
        {
            "name": "Rural health readers",
            "slug": "",
            "tagline": "Papers for rural practice.",
            "visibility": "private",
            "joining": "invitation",
        },
    )

    club = Club.objects.get(name="Rural health readers")
    assert response.status_code == 302
    assert response["Location"] == club.get_absolute_url()
    assert club.slug == "rural-health-readers"
    assert club.is_private
    assert Membership.objects.get(club=club, member=member).role == Role.LEAD


def test_a_private_club_cannot_be_open_to_all(member_client):
    response = member_client.post(
        reverse("clubs:create"),
        {"name": "Secret", "visibility": "private", "joining": "open"},
    )

    assert response.status_code == 200
    assert not Club.objects.filter(name="Secret").exists()
    # Said beside the choice of how people join, which keeps what was chosen.
    assert response.context["form"].errors["joining"] == [
        "A private club cannot be joined by anyone at will: choose “By request” or “By "
        "invitation only”."
    ]
    assert 'value="private" required id="id_visibility_1" checked' in response.content.decode()


def test_reserved_and_taken_slugs_are_refused_and_names_get_a_free_one(member_client, member):
    ClubFactory(slug="readers")

    reserved = member_client.post(
        reverse("clubs:create"),
        {"name": "New", "slug": "new", "visibility": "public", "joining": "open"},
    )
    taken = member_client.post(
        reverse("clubs:create"),
        {"name": "Readers", "slug": "readers", "visibility": "public", "joining": "open"},
    )
    club = services.club_create(founder=member, name="Readers", visibility="public", joining="open")

    assert "reserved" in reserved.content.decode()
    assert taken.status_code == 200
    assert "already exists" in taken.content.decode()
    assert club.slug == "readers-2"


def test_unconfirmed_and_suspended_members_cannot_create_a_club(client, db, member):
    client.force_login(UserFactory(verified=False))
    assert client.get(reverse("clubs:create")).status_code == 403

    Suspension.objects.create(member=member, reason="Spam", created_by=UserFactory())
    client.force_login(member)
    assert client.get(reverse("clubs:create")).status_code == 403


def test_creating_a_club_is_rate_limited(member, settings):
    settings.JOURNAL_CLUB_RATE_LIMITS = {"club_create": (1, 3600)}
    services.club_create(founder=member, name="One", visibility="public", joining="open")

    from core.ratelimits import RateLimited

    with pytest.raises(RateLimited):
        services.club_create(founder=member, name="Two", visibility="public", joining="open")
    assert not Club.objects.filter(name="Two").exists()


# --- Private means private ---------------------------------------------------------------


def private_club_urls(club, membership, join_request, invitation):
    slug = club.slug
    return [
        ("get", reverse("clubs:members", args=[slug])),
        ("get", reverse("clubs:request", args=[slug])),
        ("post", reverse("clubs:request", args=[slug])),
        ("post", reverse("clubs:join", args=[slug])),
        ("get", reverse("clubs:leave", args=[slug])),
        ("post", reverse("clubs:leave", args=[slug])),
        ("post", reverse("clubs:request-withdraw", args=[slug])),
        ("post", reverse("clubs:member-role", args=[slug, membership.pk])),
        ("post", reverse("clubs:member-remove", args=[slug, membership.pk])),
        ("get", reverse("clubs:member-ban", args=[slug, membership.pk])),
        ("post", reverse("clubs:member-ban", args=[slug, membership.pk])),
        ("post", reverse("clubs:member-unban", args=[slug, membership.pk])),
        ("get", reverse("clubs:requests", args=[slug])),
        ("post", reverse("clubs:request-decide", args=[slug, join_request.pk])),
        ("get", reverse("clubs:invitations", args=[slug])),
        ("post", reverse("clubs:invitations", args=[slug])),
        ("post", reverse("clubs:invite-link", args=[slug])),
        ("post", reverse("clubs:invitation-revoke", args=[slug, invitation.pk])),
        ("get", reverse("clubs:settings", args=[slug])),
        ("post", reverse("clubs:settings", args=[slug])),
        ("get", reverse("clubs:conduct", args=[slug])),
    ]


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member of another club", "banned"])
def test_an_outsider_gets_404_on_every_page_of_a_private_club(private_club, client, who, db):
    membership = Membership.objects.get(club=private_club)
    requester = UserFactory()
    join_request = JoinRequest.objects.create(club=private_club, member=requester)
    invitation, _token = services.invitation_create(
        club=private_club, by=membership.member, email="someone@example.org"
    )
    if who != "anonymous":
        visitor = UserFactory()
        if who == "member of another club":
            MembershipFactory(member=visitor, role=Role.LEAD)
        if who == "banned":
            Membership.objects.create(
                club=private_club, member=visitor, banned_at="2026-01-01T00:00Z"
            )
        client.force_login(visitor)

    for method, url in private_club_urls(private_club, membership, join_request, invitation):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert b"Marker-private-description" not in response.content
        assert private_club.name.encode() not in response.content


def test_a_forged_slug_answers_as_a_private_club_does(client, member):
    client.force_login(member)

    response = client.get(reverse("clubs:members", args=["no-such-club"]))

    assert response.status_code == 404


def test_public_club_pages_send_visitors_to_sign_in_and_refuse_outsiders(
    request_club, client, member
):
    urls = [
        reverse("clubs:members", args=[request_club.slug]),
        reverse("clubs:settings", args=[request_club.slug]),
        reverse("clubs:invitations", args=[request_club.slug]),
        reverse("clubs:requests", args=[request_club.slug]),
        reverse("clubs:leave", args=[request_club.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("clubs:conduct", args=[request_club.slug])).status_code == 200
