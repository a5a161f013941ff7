"""Invitations by email (single use, expiring, for people without an account too) and the
revocable invite link; expired, used and revoked ones say which, and offer a request."""

import datetime
import re
from html import escape

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clubs import access, services
from clubs.models import Club, Invitation, JoinRequest, Membership, Role, token_digest
from tests.factories import ClubFactory, MembershipFactory, UserFactory

PASSWORD = "a long passphrase 7"
INVITATION_LINK = re.compile(r"https?://[^/\s]+(/clubs/invitations/[^/\s]+/)")
CONFIRMATION_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture
def club(db):
    club = ClubFactory(
        name="Health authority staff",
        slug="staff-only",
        tagline="Marker-private-tagline",
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.REQUEST,
    )
    MembershipFactory(club=club, role=Role.LEAD)
    return club


@pytest.fixture
def lead(club):
    return Membership.objects.leads().get(club=club).member


def invite(club, lead, email="newcomer@authority.example", **kwargs):
    return services.invitation_create(club=club, by=lead, email=email, **kwargs)


def sign_up(client, *, email, next_url, display_name="Noor Haddad"):
    return client.post(
        f"{reverse('account_signup')}?next={next_url}",
        {
            "display_name": display_name,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agree_to_code": "on",
            "next": next_url,
        },
    )


# --- Creating ----------------------------------------------------------------------------


def test_an_invitation_keeps_only_its_digest_and_emails_the_link_on_commit(
    club, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, token = invite(club, lead)
    assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    invitation.refresh_from_db()
    assert invitation.token_hash == token_digest(token)
    assert token not in invitation.token_hash
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["newcomer@authority.example"]
    assert club.name in message.subject
    path = INVITATION_LINK.search(message.body).group(1)
    assert path == reverse("clubs:invitation", args=[token])
    assert path in message.alternatives[0][0]


def test_an_invitation_expires_after_the_configured_days(club, lead, settings):
    assert (invite(club, lead)[0].expires_at - timezone.now()).days in (13, 14)

    settings.JOURNAL_CLUB_INVITATION_DAYS = 3
    invitation, _token = invite(club, lead, email="other@example.org")

    assert (invitation.expires_at - timezone.now()).days in (2, 3)


def test_inviting_an_address_again_replaces_the_waiting_invitation(club, lead):
    first, _first_token = invite(club, lead)
    second, _token = invite(club, lead)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None


def test_only_leads_invite(club, db):
    member = MembershipFactory(club=club).member

    with pytest.raises(services.NotAllowed):
        invite(club, member)


def test_a_members_address_is_not_invited_again(club, lead):
    member = MembershipFactory(club=club, member__email="in@example.org").member

    with pytest.raises(ValidationError) as refused:
        invite(club, lead, email=member.email.upper())

    assert refused.value.error_dict["email"][0].code == "member"


def test_the_invitations_page_invites_by_email_and_lists_pending_ones(
    club, lead, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    url = reverse("clubs:invitations", args=[club.slug])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "ines@example.org", "role": "host"})
    page = client.get(url)

    assert response.status_code == 302
    assert Invitation.objects.get(email="ines@example.org").role == Role.HOST
    assert len(mailoutbox) == 1
    assert "ines@example.org" in page.content.decode()


def test_the_invitations_page_keeps_a_bad_address_typed(club, lead, client):
    client.force_login(lead)

    response = client.post(
        reverse("clubs:invitations", args=[club.slug]), {"email": "not an address"}
    )

    assert response.status_code == 200
    assert "not an address" in response.content.decode()
    assert not Invitation.objects.exists()


# --- Accepting ---------------------------------------------------------------------------


def test_a_signed_in_member_accepts_and_lands_in_the_club_with_the_invited_role(
    club, lead, client, db
):
    invitation, token = invite(club, lead, role=Role.HOST)
    invited = UserFactory(email="newcomer@authority.example")
    client.force_login(invited)
    url = reverse("clubs:invitation", args=[token])

    page = client.get(url)
    response = client.post(url)

    assert page.status_code == 200
    assert "Accept and join the club" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == club.get_absolute_url()
    assert Membership.objects.get(club=club, member=invited).role == Role.HOST
    invitation.refresh_from_db()
    assert invitation.used_by == invited
    assert invitation.used_at is not None


def test_an_invitation_is_used_once(club, lead, db):
    _invitation, token = invite(club, lead)
    services.invitation_accept(token=token, member=UserFactory())

    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(token=token, member=UserFactory())

    assert refused.value.code == "used"


def test_expired_used_and_revoked_invitations_each_say_which(club, lead, db):
    expired, expired_token = invite(club, lead, email="a@example.org")
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    revoked, revoked_token = invite(club, lead, email="b@example.org")
    services.invitation_revoke(invitation=revoked, by=lead)
    _used, used_token = invite(club, lead, email="c@example.org")
    services.invitation_accept(token=used_token, member=UserFactory())

    codes = {}
    for name, token in [
        ("expired", expired_token),
        ("revoked", revoked_token),
        ("used", used_token),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.invitation_accept(token=token, member=UserFactory())
        codes[name] = refused.value.code

    assert codes == {"expired": "expired", "revoked": "revoked", "used": "used"}
    with pytest.raises(ValidationError) as forged:
        services.invitation_accept(token="forged", member=UserFactory())
    assert forged.value.code == "invalid"


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("expired", "This invitation has expired."),
        ("used", "This invitation has already been used."),
        ("revoked", "This invitation was withdrawn by the club's leads."),
    ],
)
def test_the_page_of_a_spent_invitation_says_why_and_offers_a_request(
    club, lead, client, member, state, words
):
    invitation, token = invite(club, lead)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif state == "revoked":
        services.invitation_revoke(invitation=invitation, by=lead)
    else:
        services.invitation_accept(token=token, member=UserFactory())
    client.force_login(member)
    url = reverse("clubs:invitation", args=[token])

    page = client.get(url)
    refused = client.post(url)
    asked = client.post(url, {"action": "request", "message": "Invited last month."})

    words = escape(words)
    html = page.content.decode()
    assert page.status_code == 200
    assert words in html
    assert 'name="action" value="request"' in html
    assert words in refused.content.decode()
    assert not access.is_member(User.objects.get(pk=member.pk), club)
    assert asked.status_code == 302
    assert JoinRequest.objects.get(club=club, member=member).message == "Invited last month."


def test_a_spent_invitation_to_an_invitation_only_club_offers_no_request(
    club, lead, client, member
):
    club.joining = Club.Joining.INVITATION
    club.save()
    invitation, token = invite(club, lead)
    services.invitation_revoke(invitation=invitation, by=lead)
    client.force_login(member)

    html = client.get(reverse("clubs:invitation", args=[token])).content.decode()

    assert "withdrawn" in html
    assert 'value="request"' not in html
    assert "invite you again" in html


def test_a_forged_token_is_a_plain_404_that_names_no_club(club, lead, client):
    invite(club, lead)

    response = client.get(reverse("clubs:invitation", args=["x" * 32]))
    posted = client.post(reverse("clubs:invitation", args=["x" * 32]))

    assert response.status_code == 404
    assert posted.status_code == 404
    assert "not valid" in response.content.decode()
    assert club.name not in response.content.decode()
    assert "Marker-private-tagline" not in response.content.decode()


def test_a_banned_member_cannot_accept(club, lead, db):
    banned = MembershipFactory(club=club).member
    services.membership_ban(club=club, member=banned, by=lead, reason="Spam")
    _invitation, token = services.invite_link_create(club=club, by=lead)

    with pytest.raises(services.NotAllowed):
        services.invitation_accept(token=token, member=banned)
    assert Membership.objects.get(club=club, member=banned).is_banned


# --- People without an account -----------------------------------------------------------


def test_an_invited_person_signs_up_with_the_address_and_lands_in_the_club_as_a_member(
    club, lead, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(club, lead)
    path = INVITATION_LINK.search(mailoutbox[0].body).group(1)
    mailoutbox.clear()

    landing = client.get(path)
    html = landing.content.decode()
    assert landing.status_code == 200
    assert "Create an account" in html
    assert "Sign in" in html
    signup_link = re.search(r'href="(/accounts/signup/\?[^"]+)">Create an account', html).group(1)
    signup_page = client.get(signup_link.replace("&amp;", "&"))
    assert 'value="newcomer@authority.example"' in signup_page.content.decode()

    response = sign_up(client, email="newcomer@authority.example", next_url=path)

    member = User.objects.get(email="newcomer@authority.example")
    assert EmailAddress.objects.get(user=member).verified
    assert member.groups.filter(name="Members").exists()  # may post, as a confirmed member
    assert Membership.objects.get(club=club, member=member).role == Role.MEMBER
    assert mailoutbox == []  # no separate confirmation email
    assert client.session.get("_auth_user_id") == str(member.pk)
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"] == club.get_absolute_url()


def test_signing_up_through_an_invite_link_joins_once_the_address_is_confirmed(
    club, lead, client, mailoutbox
):
    _invitation, token = services.invite_link_create(club=club, by=lead)
    path = reverse("clubs:invitation", args=[token])
    client.get(path)
    mailoutbox.clear()

    sign_up(client, email="noor@elsewhere.example", next_url=path)
    member = User.objects.get(email="noor@elsewhere.example")
    assert not EmailAddress.objects.get(user=member).verified
    assert not Membership.objects.filter(club=club, member=member).exists()

    confirmation = CONFIRMATION_LINK.search(mailoutbox[0].body).group(1)
    client.post(confirmation)

    assert Membership.objects.get(club=club, member=member).role == Role.MEMBER


def test_signing_in_keeps_the_invitation_to_accept(club, lead, client, member):
    _invitation, token = invite(club, lead)
    path = reverse("clubs:invitation", args=[token])

    html = client.get(path).content.decode()
    assert f"{reverse('account_login')}?next=" in html
    client.force_login(member)
    client.post(path)

    assert Membership.objects.filter(club=club, member=member).exists()


# --- The invite link ---------------------------------------------------------------------


def test_the_invite_link_is_shown_once_and_lets_several_people_join(club, lead, client, db):
    client.force_login(lead)

    page = client.post(reverse("clubs:invite-link", args=[club.slug]))
    link = re.search(r'value="(https?://[^"]+)"', page.content.decode()).group(1)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    later = client.get(reverse("clubs:invitations", args=[club.slug]))

    assert page.status_code == 200
    assert token not in later.content.decode()
    first, second = UserFactory(), UserFactory()
    services.invitation_accept(token=token, member=first)
    services.invitation_accept(token=token, member=second)
    assert Membership.objects.filter(club=club, member__in=[first, second]).count() == 2
    assert Invitation.objects.get(email="").uses == 2


def test_a_revoked_link_lets_nobody_in_and_a_new_one_replaces_the_old(club, lead, client, db):
    old, old_token = services.invite_link_create(club=club, by=lead)
    new, new_token = services.invite_link_create(club=club, by=lead)
    old.refresh_from_db()
    assert old.revoked_at is not None
    client.force_login(lead)

    response = client.post(reverse("clubs:invitation-revoke", args=[club.slug, new.pk]))

    assert response.status_code == 302
    for token in (old_token, new_token):
        with pytest.raises(ValidationError) as refused:
            services.invitation_accept(token=token, member=UserFactory())
        assert refused.value.code == "revoked"


def test_an_invitation_of_another_club_cannot_be_revoked_through_this_one(club, lead, client, db):
    other = ClubFactory()
    other_lead = MembershipFactory(club=other, role=Role.LEAD).member
    foreign, _token = services.invite_link_create(club=other, by=other_lead)
    client.force_login(lead)

    response = client.post(reverse("clubs:invitation-revoke", args=[club.slug, foreign.pk]))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_the_sign_up_page_reached_from_an_invitation_names_the_club(club, lead, client):
    _invitation, token = invite(club, lead)
    assert "You are invited to" not in client.get(reverse("account_signup")).content.decode()

    client.get(reverse("clubs:invitation", args=[token]))
    page = client.get(reverse("account_signup")).content.decode()

    assert f"You are invited to {escape(club.name)}" in page


def test_a_forwarded_invitation_vouches_for_no_other_address(club, lead, client, mailoutbox):
    """Signing up through the link with another address: that one waits for its email."""
    _invitation, token = invite(club, lead)
    client.get(reverse("clubs:invitation", args=[token]))

    sign_up(client, email="someone.else@example.org", next_url="/")

    member = User.objects.get(email="someone.else@example.org")
    assert list(EmailAddress.objects.filter(user=member).values_list("email", "verified")) == [
        ("someone.else@example.org", False)
    ]
    assert not Membership.objects.filter(club=club, member=member).exists()
    assert "confirm-email" in mailoutbox[-1].body
