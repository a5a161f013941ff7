"""A club's members: the list (for members), roles, removal and bans, and the last lead."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clubs import access, services, signals
from clubs.models import Club, JoinRequest, Membership, Role
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture
def club(db):
    return ClubFactory(name="Implementation readers", slug="readers")


@pytest.fixture
def lead(club):
    return MembershipFactory(club=club, role=Role.LEAD).member


@pytest.fixture
def member(club):
    return MembershipFactory(club=club, member__display_name="Omar Haddad").member


def membership(club, member) -> Membership:
    return Membership.objects.get(club=club, member=member)


# --- The list ----------------------------------------------------------------------------


def test_members_see_the_list_without_the_leads_tools(club, lead, member, client):
    client.force_login(member)

    response = client.get(reverse("clubs:members", args=[club.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Omar Haddad" in html
    assert lead.name in html
    assert reverse("clubs:member-remove", args=[club.slug, membership(club, lead).pk]) not in html
    assert 'name="role"' not in html


def test_leads_see_role_selects_remove_and_ban(club, lead, member, client):
    client.force_login(lead)

    html = client.get(reverse("clubs:members", args=[club.slug])).content.decode()

    pk = membership(club, member).pk
    assert reverse("clubs:member-role", args=[club.slug, pk]) in html
    assert reverse("clubs:member-remove", args=[club.slug, pk]) in html
    assert reverse("clubs:member-ban", args=[club.slug, pk]) in html


def test_staff_who_curate_clubs_manage_without_being_members(club, member, staff_client):
    response = staff_client.get(reverse("clubs:members", args=[club.slug]))

    assert response.status_code == 200
    assert 'name="role"' in response.content.decode()


def test_outsiders_of_a_public_club_are_refused_and_of_a_private_one_told_nothing(
    club, lead, client, db
):
    private = ClubFactory(visibility=Club.Visibility.PRIVATE, joining=Club.Joining.INVITATION)
    client.force_login(UserFactory())

    assert client.get(reverse("clubs:members", args=[club.slug])).status_code == 403
    assert client.get(reverse("clubs:members", args=[private.slug])).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_the_members_page_reads_a_fixed_number_of_queries(
    club, lead, client, size, django_assert_num_queries
):
    MembershipFactory.create_batch(size, club=club)
    client.force_login(lead)
    client.get(reverse("clubs:members", args=[club.slug]))  # session and warm caches

    # Session, user, club, the lead's roles, members with their accounts, the banned; the
    # page's header: permissions and the notification bell. The same at any size.
    with django_assert_num_queries(8):
        response = client.get(reverse("clubs:members", args=[club.slug]))

    assert response.status_code == 200


# --- Roles -------------------------------------------------------------------------------


def test_a_lead_gives_a_role_and_the_member_hears_of_it(club, lead, member):
    heard = []

    def receiver(sender, *, member, **kwargs):
        heard.append(member)

    signals.membership_changed.connect(receiver)
    try:
        access.roles(member)  # remembered on the object…
        services.membership_set_role(club=club, member=member, role=Role.HOST, by=lead)
    finally:
        signals.membership_changed.disconnect(receiver)

    assert membership(club, member).role == Role.HOST
    assert access.can_host(member, club)  # …and forgotten when it changed
    assert heard == [member]


def test_the_role_form_changes_a_role(club, lead, member, client):
    client.force_login(lead)

    response = client.post(
        reverse("clubs:member-role", args=[club.slug, membership(club, member).pk]),
        {"role": "moderator"},
    )

    assert response.status_code == 302
    assert membership(club, member).role == Role.MODERATOR


def test_only_leads_give_roles(club, lead, member):
    with pytest.raises(services.NotAllowed):
        services.membership_set_role(club=club, member=lead, role=Role.MEMBER, by=member)
    with pytest.raises(services.NotAllowed):
        services.membership_set_role(club=club, member=member, role=Role.LEAD, by=member)


def test_a_member_posting_to_the_role_form_is_refused(club, lead, member, client):
    client.force_login(member)

    response = client.post(
        reverse("clubs:member-role", args=[club.slug, membership(club, member).pk]),
        {"role": "lead"},
    )

    assert response.status_code == 403
    assert membership(club, member).role == Role.MEMBER


def test_a_membership_of_another_club_in_a_form_is_a_404(club, lead, client, db):
    foreign = MembershipFactory(club=ClubFactory())
    client.force_login(lead)

    for name in ["member-role", "member-remove", "member-ban", "member-unban"]:
        response = client.post(
            reverse(f"clubs:{name}", args=[club.slug, foreign.pk]), {"role": "lead"}
        )
        assert response.status_code == 404, name
    foreign.refresh_from_db()
    assert foreign.role == Role.MEMBER
    assert not foreign.is_banned


# --- The last lead -----------------------------------------------------------------------


def test_the_last_lead_cannot_be_demoted_removed_or_banned(club, lead, db):
    staff = UserFactory(is_staff=True, is_superuser=True)

    for attempt in [
        lambda: services.membership_set_role(club=club, member=lead, role=Role.HOST, by=lead),
        lambda: services.membership_remove(club=club, member=lead, by=staff),
        lambda: services.membership_ban(club=club, member=lead, by=staff, reason=""),
    ]:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.code == "last_lead"
    assert membership(club, lead).role == Role.LEAD
    assert not membership(club, lead).is_banned


def test_a_lead_steps_down_once_another_lead_is_named(club, lead, member):
    services.membership_set_role(club=club, member=member, role=Role.LEAD, by=lead)

    services.membership_set_role(club=club, member=lead, role=Role.MEMBER, by=lead)

    assert list(Membership.objects.leads().filter(club=club)) == [membership(club, member)]


def test_the_page_says_why_the_last_lead_stays(club, lead, client):
    client.force_login(lead)

    response = client.post(
        reverse("clubs:member-role", args=[club.slug, membership(club, lead).pk]),
        {"role": "member"},
        follow=True,
    )

    assert "A club needs a lead" in response.content.decode()
    assert membership(club, lead).role == Role.LEAD


# --- Removal and bans --------------------------------------------------------------------


def test_removing_a_member_keeps_what_they_wrote(club, lead, member, client):
    discussion = DiscussionFactory(club=club)
    comment = CommentFactory(question=discussion.questions.first(), author=member)
    client.force_login(lead)

    url = reverse("clubs:member-remove", args=[club.slug, membership(club, member).pk])
    question = client.post(url)  # the members page's button: asked first
    assert question.status_code == 200
    assert "What they wrote stays" in question.content.decode()
    assert Membership.objects.filter(club=club, member=member).exists()

    response = client.post(url, {"confirm": "1"})

    assert response.status_code == 302
    assert not Membership.objects.filter(club=club, member=member).exists()
    comment.refresh_from_db()
    assert comment.author == member
    assert not comment.is_deleted


def test_a_removed_member_may_join_again(club, lead, member):
    services.membership_remove(club=club, member=member, by=lead)

    services.club_join(club=club, member=member)

    assert access.is_member(member, club)


def test_a_banned_member_cannot_join_ask_or_accept_an_invitation(club, lead, member):
    requests = ClubFactory(joining=Club.Joining.REQUEST)
    services.membership_ban(club=club, member=member, by=lead, reason="Repeated spam")
    services.membership_ban(
        club=requests,
        member=member,
        by=MembershipFactory(club=requests, role=Role.LEAD).member,
    )
    _invitation, token = services.invite_link_create(club=club, by=lead)

    row = membership(club, member)
    assert row.is_banned
    assert row.ban_reason == "Repeated spam"
    assert not access.is_member(member, club)
    assert access.is_banned(member, club)
    with pytest.raises(services.NotAllowed):
        services.club_join(club=club, member=member)
    with pytest.raises(services.NotAllowed):
        services.join_request_create(club=requests, member=member)
    with pytest.raises(services.NotAllowed):
        services.invitation_accept(token=token, member=member)
    assert membership(club, member).is_banned


def test_banning_someone_asking_to_join_declines_their_request(db):
    club = ClubFactory(joining=Club.Joining.REQUEST)
    lead = MembershipFactory(club=club, role=Role.LEAD).member
    asker = UserFactory()
    join_request = services.join_request_create(club=club, member=asker)

    services.membership_ban(club=club, member=asker, by=lead, reason="")

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert membership(club, asker).is_banned


def test_the_ban_page_asks_for_a_reason_then_bans(club, lead, member, client):
    client.force_login(lead)
    url = reverse("clubs:member-ban", args=[club.slug, membership(club, member).pk])

    page = client.get(url)
    response = client.post(url, {"reason": "Harassment"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert membership(club, member).ban_reason == "Harassment"


def test_lifting_a_ban_lets_them_join_again(club, lead, member, client):
    services.membership_ban(club=club, member=member, by=lead)
    client.force_login(lead)

    listed = client.get(reverse("clubs:members", args=[club.slug])).content.decode()
    response = client.post(
        reverse("clubs:member-unban", args=[club.slug, membership(club, member).pk])
    )

    assert "Lift the ban" in listed
    assert response.status_code == 302
    assert not Membership.objects.filter(club=club, member=member).exists()
    services.club_join(club=club, member=member)
    assert access.is_member(member, club)


def test_a_lead_cannot_ban_themselves(club, lead):
    MembershipFactory(club=club, role=Role.LEAD)

    with pytest.raises(ValidationError) as refused:
        services.membership_ban(club=club, member=lead, by=lead)

    assert refused.value.code == "self"
