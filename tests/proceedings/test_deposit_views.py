"""
The page that publishes a discussion's proceedings with a DOI, its announcement's retry,
the DOI on the discussion's page and in its citation, and the deposits' admin.
"""

import datetime

import httpx
import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from discussions.models import Discussion
from proceedings import coar
from proceedings.models import Deposit
from tests.factories import ClubFactory, CommentFactory, MembershipFactory, UserFactory
from tests.proceedings import test_deposits
from tests.proceedings.test_deposits import DOI, closed_discussion, recorded

fake_zenodo = test_deposits.fake_zenodo  # the fixture: Zenodo as recorded
discussion = test_deposits.discussion  # the fixture: a closed discussion of every comment


def page(discussion) -> str:
    return reverse("proceedings:deposit", args=[discussion.slug])


def announce(discussion) -> str:
    return reverse("proceedings:deposit-announce", args=[discussion.slug])


# --- Before publishing ----------------------------------------------------------------------


def test_the_page_shows_exactly_what_will_be_deposited(client, discussion, fake_zenodo):
    client.force_login(discussion.host)

    response = client.get(page(discussion))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Journal club discussion: Implementation support practitioners" in text
    # The authors in order, with the ORCID iDs ORCID vouched for.
    assert text.index("Maren Host") < text.index("Ben Typed") < text.index("Ada Named")
    assert "Cy Unnamed" not in text
    assert "Dee Hidden" not in text
    assert "Heron" not in text
    if test_deposits.HAS_VERIFIED_ORCID:
        assert "https://orcid.org/0000-0001-5109-3700" in text
    assert "0000-0002-9079-593X" not in text  # typed, not vouched for
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in text
    assert "https://doi.org/10.1186/s12913-020-05145-1" in text
    assert f"https://club.example.org/discussions/{discussion.slug}/" in text
    assert "English (eng)" in text
    assert "Implementation science, Knowledge brokering, journal club" in text
    assert "6 comments are included" in text
    assert "1 comment is left out" in text
    assert f"{discussion.slug}.pdf" in text
    assert "Publish on Zenodo" in text
    assert fake_zenodo.calls == []  # looking asks Zenodo nothing


def test_without_a_token_the_page_says_publishing_is_not_set_up(client, discussion, settings):
    settings.ZENODO_TOKEN = ""
    client.force_login(discussion.host)

    response = client.get(page(discussion))

    assert "Publishing with a DOI is not set up on this site." in response.content.decode()
    assert "Publish on Zenodo" not in response.content.decode()
    assert client.post(page(discussion)).status_code == 403
    assert not Deposit.objects.exists()


def test_an_open_discussion_is_published_once_closed(client, db, fake_zenodo):
    discussion = closed_discussion(status=Discussion.Status.OPEN, closes_at=None)
    client.force_login(discussion.host)

    response = client.get(page(discussion))

    assert response.status_code == 200
    assert "once the discussion is closed" in response.content.decode()
    assert "Publish on Zenodo" not in response.content.decode()
    assert client.post(page(discussion)).status_code == 403
    assert not Deposit.objects.exists()


@pytest.mark.parametrize("comments", [2, 20])
def test_the_page_reads_a_fixed_number_of_queries(
    client, db, fake_zenodo, comments, django_assert_num_queries, clubs_counted
):
    discussion = closed_discussion()
    question = discussion.questions.first()
    for _ in range(comments):
        author = UserFactory(named_in_proceedings=True)
        CommentFactory(question=question, author=author, licence="CC-BY-4.0")
    client.force_login(discussion.host)
    client.get(page(discussion))

    # Session, member, discussion, their roles and permissions, the deposit; what would be
    # deposited: the comments counted, the questions, the subjects, the authors' first
    # comments and the authors; the header's bell. The same with 2 authors or 20.
    with django_assert_num_queries(12):
        response = client.get(page(discussion))

    assert response.content.decode().count("<li>Member ") == comments


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_from_the_page_then_the_doi_everywhere(
    client, discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    client.force_login(discussion.host)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(discussion))

    assert response.status_code == 302
    assert response.url == page(discussion)
    deposit = Deposit.objects.get()
    assert deposit.state == Deposit.State.PUBLISHED
    assert fake_zenodo.calls == test_deposits.ORDER

    text = client.get(page(discussion)).content.decode()
    assert f'href="https://doi.org/{DOI}"' in text
    assert "https://sandbox.zenodo.org/records/1234567" in text
    assert "What was deposited" in text
    assert "Announcing new DOIs to a review inbox (COAR Notify) is not set up" in text
    assert "Publish on Zenodo" not in text

    # The discussion page, for a visitor (its cached page was let go of), and its citation.
    client.logout()
    text = client.get(discussion.get_absolute_url()).content.decode()
    # In its header, and in its citation.
    assert text.count(f'DOI: <a href="https://doi.org/{DOI}">https://doi.org/{DOI}</a>') == 2
    bibtex = client.get(reverse("discussions:cite", args=[discussion.slug, "bib"]))
    assert f"https://doi.org/{DOI}" in bibtex.content.decode()


def test_the_host_finds_the_page_from_a_closed_discussion(client, discussion):
    client.force_login(discussion.host)
    assert page(discussion) in client.get(discussion.get_absolute_url()).content.decode()

    client.force_login(discussion.people["ada"])
    assert page(discussion) not in client.get(discussion.get_absolute_url()).content.decode()


def test_the_discussion_page_shows_no_doi_before_publishing(client, discussion):
    text = client.get(discussion.get_absolute_url()).content.decode()

    assert "DOI:" not in text
    bibtex = client.get(reverse("discussions:cite", args=[discussion.slug, "bib"]))
    assert f"discussions/{discussion.slug}/" in bibtex.content.decode()


def test_while_publishing_the_page_follows_it(client, discussion, fake_zenodo):
    Deposit.objects.create(discussion=discussion, state=Deposit.State.PUBLISHING)
    client.force_login(discussion.host)

    text = client.get(page(discussion)).content.decode()

    assert "Publishing…" in text
    assert 'hx-trigger="every 5s"' in text
    assert "Publish on Zenodo" not in text
    assert "Try again" not in text


def test_a_stalled_attempt_may_be_tried_again(client, discussion, fake_zenodo):
    Deposit.objects.create(
        discussion=discussion,
        state=Deposit.State.PUBLISHING,
        leased_until=timezone.now() - datetime.timedelta(minutes=1),
    )
    client.force_login(discussion.host)

    text = client.get(page(discussion)).content.decode()

    assert "stopped without finishing" in text
    assert "Try again" in text
    assert "every 5s" not in text


def test_a_refusal_shows_zenodos_reason_and_a_retry(
    client, discussion, fake_zenodo, django_capture_on_commit_callbacks
):
    fake_zenodo.fail("metadata", (400, recorded("zenodo-400-metadata.json")))
    client.force_login(discussion.host)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(discussion))

    text = client.get(page(discussion)).content.decode()

    assert "Publishing failed." in text
    assert "metadata.creators.0.name: Name is required." in text
    assert "Nothing is lost" in text
    assert "Try again" in text

    fake_zenodo.heal()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(discussion))
    assert Deposit.objects.get().state == Deposit.State.PUBLISHED
    assert fake_zenodo.depositions == 1


# --- Announcing again ------------------------------------------------------------------------


@pytest.fixture
def failed_announcement(discussion, fake_zenodo, settings):
    settings.JOURNAL_CLUB_COAR_INBOX = "https://inbox.example.net/inbox"
    settings.JOURNAL_CLUB_COAR_TARGET_ID = "https://inbox.example.net/"
    received = []

    def inbox(request):
        received.append(request)
        return httpx.Response(202)

    coar.set_default_transport(httpx.MockTransport(inbox))
    deposit = Deposit.objects.create(
        discussion=discussion,
        state=Deposit.State.PUBLISHED,
        doi=DOI,
        announcement=Deposit.Announcement.FAILED,
        announcement_error="The inbox could not be reached.",
        announcement_id="urn:uuid:2f1c0b6e-5b1e-4c47-9d7e-3f0e1d9a8b7c",
    )
    deposit.received = received
    return deposit


def test_a_failed_announcement_shows_why_and_is_tried_again_alone(
    client, failed_announcement, fake_zenodo, django_capture_on_commit_callbacks
):
    discussion = failed_announcement.discussion
    client.force_login(discussion.host)

    text = client.get(page(discussion)).content.decode()
    assert "The announcement to the review inbox failed: The inbox could not be reached." in text
    assert "Try the announcement again" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(announce(discussion))

    assert response.status_code == 302
    failed_announcement.refresh_from_db()
    assert failed_announcement.announcement == Deposit.Announcement.SENT
    assert len(failed_announcement.received) == 1
    assert fake_zenodo.calls == []
    text = client.get(page(discussion)).content.decode()
    assert "The review is announced to the review inbox" in text


def test_announcing_needs_a_deposit(client, discussion, fake_zenodo, settings):
    settings.JOURNAL_CLUB_COAR_INBOX = "https://inbox.example.net/inbox"
    client.force_login(discussion.host)

    assert client.post(announce(discussion)).status_code == 404


# --- Who may ----------------------------------------------------------------------------------


def test_only_the_host_the_leads_and_staff_see_the_page(client, discussion, fake_zenodo):
    lead = MembershipFactory(club=discussion.club, role="lead").member
    staff = UserFactory(is_staff=True, is_superuser=True)
    for person, status in [
        (discussion.host, 200),
        (lead, 200),
        (staff, 200),
        (UserFactory(), 403),
        (discussion.people["ada"], 403),
        (MembershipFactory(club=discussion.club, role="moderator").member, 403),
    ]:
        client.force_login(person)
        assert client.get(page(discussion)).status_code == status, person
        if status == 403:
            assert client.post(page(discussion)).status_code == 403, person
            assert client.post(announce(discussion)).status_code == 403, person
    assert not Deposit.objects.exists()


def test_visitors_are_sent_to_sign_in(client, discussion):
    response = client.get(page(discussion))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(announce(discussion)).status_code == 302


def test_a_private_clubs_discussion_is_a_404_to_outsiders(client, db, fake_zenodo):
    club = ClubFactory(visibility="private", joining="invitation")
    discussion = closed_discussion(club=club)
    MembershipFactory(club=club, member=discussion.host, role="host")

    client.force_login(UserFactory())
    assert client.get(page(discussion)).status_code == 404
    assert client.post(page(discussion)).status_code == 404
    assert client.post(announce(discussion)).status_code == 404

    client.force_login(discussion.host)
    response = client.get(page(discussion))
    assert response.status_code == 200
    assert "publishing makes its proceedings public" in response.content.decode()


def test_the_get_only_methods(client, discussion):
    client.force_login(discussion.host)

    assert client.put(page(discussion)).status_code == 405
    assert client.get(announce(discussion)).status_code == 405


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def failed(discussion, fake_zenodo, django_capture_on_commit_callbacks):
    fake_zenodo.fail("metadata", (400, recorded("zenodo-400-metadata.json")))
    test_deposits.publish(discussion, django_capture_on_commit_callbacks)
    fake_zenodo.heal()
    return Deposit.objects.get()


def test_the_admin_lists_deposits_in_a_fixed_number_of_queries(
    client, staff, failed, django_assert_max_num_queries
):
    client.force_login(staff)
    url = reverse("admin:proceedings_deposit_changelist")

    with django_assert_max_num_queries(12):
        response = client.get(url)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Implementation support practitioners" in text
    assert "Failed" in text


def test_the_admin_shows_a_deposit_read_only_with_its_calls_and_reason(client, staff, failed):
    client.force_login(staff)

    response = client.get(reverse("admin:proceedings_deposit_change", args=[failed.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Zenodo refused the deposit: metadata.creators.0.name: Name is required." in text
    assert f"{test_deposits.BASE}/deposit/depositions" in text
    assert 'name="state"' not in text  # read only
    assert site._registry[Deposit].has_delete_permission(None) is False


def test_the_admin_retries_publishing_through_the_service(
    client, staff, failed, fake_zenodo, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:proceedings_deposit_changelist"),
            {"action": "retry_publishing", "_selected_action": [failed.pk]},
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == Deposit.State.PUBLISHED
    assert fake_zenodo.depositions == 1


def test_the_admin_retries_an_announcement(
    client, staff, failed_announcement, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:proceedings_deposit_changelist"),
            {"action": "retry_announcement", "_selected_action": [failed_announcement.pk]},
        )

    failed_announcement.refresh_from_db()
    assert failed_announcement.announcement == Deposit.Announcement.SENT


def test_the_admin_says_why_a_retry_is_refused(client, staff, failed, settings):
    settings.ZENODO_TOKEN = ""
    client.force_login(staff)

    response = client.post(
        reverse("admin:proceedings_deposit_changelist"),
        {"action": "retry_publishing", "_selected_action": [failed.pk]},
        follow=True,
    )

    assert "Publishing with a DOI is not set up on this site." in response.content.decode()
