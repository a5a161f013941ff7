"""
Club emails (invitations, join requests to the leads, the leads' decisions) are written in
their recipient's language (their own setting, else the site's), whatever the language of
the member or request that caused them. An invitation to an address no account has
confirmed is written in the club's language.

The French catalogue is still being written, so these tests do not look for French words
of ours: they check the language each template was rendered in, and what only that
language changes (the HTML's ``lang``, the links, Django's own month names).
"""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from clubs import services
from clubs.models import Club, Membership, Role
from tests.factories import ClubFactory, MembershipFactory, UserFactory

BASE = "https://club.example.org"
LINK = re.compile(r"https?://[^\s\"<>]+")
TEMPLATES = ("_subject.txt", "_body.txt", "_body.html")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.JOURNAL_CLUB_BASE_URL = BASE


@pytest.fixture
def rendered(monkeypatch):
    """(template, active language) for every club email template rendered, in order."""
    seen = []
    render = services.render_to_string

    def recording(template_name, *args, **kwargs):
        seen.append((template_name, translation.get_language()))
        return render(template_name, *args, **kwargs)

    monkeypatch.setattr(services, "render_to_string", recording)
    return seen


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """The emails leave when the transaction commits, which a test's never does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def path_in(language: str, name: str, *args) -> str:
    """A page's address in ``language`` (tests may run after a request left French active)."""
    with translation.override(language):
        return reverse(name, args=args)


def assert_written_in(mailoutbox, rendered, address: str, language: str):
    """
    The one email to ``address``: its subject, text and HTML rendered in ``language``, its
    HTML saying so, every link in it leading to that language's pages. Returns it.
    """
    (index,) = [i for i, email in enumerate(mailoutbox) if email.to == [address]]
    email = mailoutbox[index]
    # _send renders the subject, the text and the HTML of one email, then sends it.
    templates = rendered[3 * index : 3 * index + 3]
    assert len(templates) == 3
    assert all(name.endswith(end) for (name, _), end in zip(templates, TEMPLATES, strict=True))
    assert {language for _name, language in templates} == {language}
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    links = LINK.findall(email.body) + LINK.findall(html)
    assert links
    for link in links:
        assert link.startswith(BASE), link
        path = link[len(BASE) :]
        assert path.startswith("/fr/") is (language == "fr"), link
    return email


@pytest.fixture
def request_club(db):
    return ClubFactory(name="Careful readers", slug="careful", joining=Club.Joining.REQUEST)


def lead_in(club, language: str):
    return MembershipFactory(club=club, role=Role.LEAD, member__language=language).member


# --- Invitations ---------------------------------------------------------------------------


def invite(club, lead, email, send, *, expires_at=None):
    """Invite ``email`` and send the email (with the expiry date given, to read it)."""
    with send():
        invitation, token = services.invitation_create(club=club, by=lead, email=email)
        if expires_at is not None:
            invitation.expires_at = expires_at
    return invitation, token


def test_an_invitation_to_an_address_without_an_account_is_in_the_clubs_language(
    db, mailoutbox, rendered, send
):
    club = ClubFactory(language="fr")
    lead = lead_in(club, "en")
    expiry = datetime.datetime(2031, 3, 15, 12, tzinfo=datetime.UTC)

    with translation.override("en"):
        _invitation, token = invite(club, lead, "nouvelle@example.org", send, expires_at=expiry)

    email = assert_written_in(mailoutbox, rendered, "nouvelle@example.org", "fr")
    assert f"{BASE}{path_in('fr', 'clubs:invitation', token)}" in email.body
    assert "15 mars 2031" in email.body  # Django's own French month names
    assert "15 mars 2031" in email.alternatives[0][0]


def test_an_english_clubs_invitation_is_in_english_though_its_lead_and_request_are_french(
    db, mailoutbox, rendered, send
):
    club = ClubFactory(language="en")
    lead = lead_in(club, "fr")
    expiry = datetime.datetime(2031, 3, 15, 12, tzinfo=datetime.UTC)

    with translation.override("fr"):
        _invitation, token = invite(club, lead, "newcomer@example.org", send, expires_at=expiry)

    email = assert_written_in(mailoutbox, rendered, "newcomer@example.org", "en")
    assert f"{BASE}{path_in('en', 'clubs:invitation', token)}" in email.body
    assert "15 March 2031" in email.body


@pytest.mark.parametrize(
    ("own", "club_language", "written"), [("fr", "en", "fr"), ("en", "fr", "en"), ("", "fr", "en")]
)
def test_an_invitation_to_a_members_confirmed_address_is_in_their_language(
    db, mailoutbox, rendered, send, own, club_language, written
):
    """Their own setting, else the site's: the club's language is for strangers only."""
    club = ClubFactory(language=club_language)
    lead = lead_in(club, club_language)
    member = UserFactory(language=own, email="ana@example.org")
    EmailAddress.objects.create(user=member, email="ana@uni.example", verified=True)

    with translation.override(club_language):
        invite(club, lead, "ANA@uni.example", send)

    assert_written_in(mailoutbox, rendered, "ANA@uni.example", written)


def test_an_unconfirmed_address_of_an_account_does_not_choose_the_language(
    db, mailoutbox, rendered, send
):
    """It may belong to someone else; the invitation speaks the club's language."""
    club = ClubFactory(language="en")
    lead = lead_in(club, "en")
    UserFactory(language="fr", email="claimed@example.org", verified=False)

    invite(club, lead, "claimed@example.org", send)

    assert_written_in(mailoutbox, rendered, "claimed@example.org", "en")


def test_the_invitations_page_in_french_invites_in_the_clubs_language(
    db, client, mailoutbox, rendered, send
):
    club = ClubFactory(language="en", slug="readers")
    lead = lead_in(club, "fr")
    client.force_login(lead)

    with send():
        response = client.post(
            path_in("fr", "clubs:invitations", club.slug),
            {"email": "ines@example.org", "role": "member"},
        )

    assert response.status_code == 302
    assert_written_in(mailoutbox, rendered, "ines@example.org", "en")


# --- Requests to join and decisions --------------------------------------------------------


def test_each_lead_hears_of_a_request_in_their_own_language(
    request_club, mailoutbox, rendered, send
):
    french, english = lead_in(request_club, "fr"), lead_in(request_club, "en")
    asking = UserFactory(language="fr")

    with translation.override("fr"), send():
        services.join_request_create(club=request_club, member=asking, message="Bonjour !")

    requests_page = "clubs:requests", request_club.slug
    french_email = assert_written_in(mailoutbox, rendered, french.email, "fr")
    assert f"{BASE}{path_in('fr', *requests_page)}" in french_email.body
    english_email = assert_written_in(mailoutbox, rendered, english.email, "en")
    assert f"{BASE}{path_in('en', *requests_page)}" in english_email.body
    assert "Bonjour !" in english_email.body


@pytest.mark.parametrize("approve", [True, False])
def test_a_french_member_hears_the_english_leads_decision_in_french(
    request_club, mailoutbox, rendered, send, approve
):
    lead = lead_in(request_club, "en")
    member = UserFactory(language="fr")
    join_request = services.join_request_create(club=request_club, member=member)

    with translation.override("en"), send():
        services.join_request_decide(
            join_request=join_request, by=lead, approve=approve, response="Welcome."
        )

    email = assert_written_in(mailoutbox, rendered, member.email, "fr")
    assert f"{BASE}{path_in('fr', 'discussions:club', request_club.slug)}" in email.body


def test_the_french_leads_approval_page_tells_an_english_member_in_english(
    request_club, client, mailoutbox, rendered, send
):
    lead = lead_in(request_club, "fr")
    member = UserFactory(language="en")
    join_request = services.join_request_create(club=request_club, member=member)
    client.force_login(lead)

    with send():
        response = client.post(
            path_in("fr", "clubs:request-decide", request_club.slug, join_request.pk),
            {"decision": "approve", "response": "Bienvenue."},
        )

    assert response.status_code == 302
    assert Membership.objects.filter(club=request_club, member=member).exists()
    email = assert_written_in(mailoutbox, rendered, member.email, "en")
    assert f"{BASE}{path_in('en', 'discussions:club', request_club.slug)}" in email.body
