"""A club's settings (leads only), its logo (an image, small), and its code of conduct."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clubs import services, signals
from clubs.models import LOGO_MAX_BYTES, Club, Role
from tests.factories import ClubFactory, MembershipFactory


@pytest.fixture
def club(db):
    return ClubFactory(name="Implementation readers", slug="readers")


@pytest.fixture
def lead(club):
    return MembershipFactory(club=club, role=Role.LEAD).member


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def settings_data(club, **changes):
    data = {
        "name": club.name,
        "tagline": club.tagline,
        "description": club.description,
        "language": club.language,
        "visibility": club.visibility,
        "joining": club.joining,
        "email_domains": club.email_domains,
        "code_of_conduct": club.code_of_conduct,
    }
    if club.premoderation:
        data["premoderation"] = "on"
    data.update(changes)
    return data


def png(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_lead_changes_the_settings_and_every_page_of_the_club_follows(club, lead, client):
    heard = []

    def receiver(sender, *, club, **kwargs):
        heard.append(club.pk)

    signals.club_changed.connect(receiver)
    client.force_login(lead)
    try:
        response = client.post(
            reverse("clubs:settings", args=[club.slug]),
            settings_data(
                club,
                name="Readers of implementation",
                visibility="private",
                joining="request",
                email_domains="@Uni.example, health.example",
                code_of_conduct="Keep patients' details out.",
            ),
        )
    finally:
        signals.club_changed.disconnect(receiver)

    assert response.status_code == 302
    club.refresh_from_db()
    assert club.name == "Readers of implementation"
    assert club.is_private
    assert club.joining == Club.Joining.REQUEST
    assert club.domains == ["uni.example", "health.example"]
    assert heard == [club.pk]


def test_a_private_club_open_to_all_is_refused_and_the_form_keeps_what_was_typed(
    club, lead, client
):
    client.force_login(lead)

    response = client.post(
        reverse("clubs:settings", args=[club.slug]),
        settings_data(club, name="Typed name", visibility="private", joining="open"),
    )

    assert response.status_code == 200
    assert 'value="Typed name"' in response.content.decode()
    club.refresh_from_db()
    assert club.name == "Implementation readers"
    assert not club.is_private


def test_a_domain_that_is_not_one_is_refused(club, lead, client):
    client.force_login(lead)

    response = client.post(
        reverse("clubs:settings", args=[club.slug]),
        settings_data(club, email_domains="uni.example not_a_domain"),
    )

    assert response.status_code == 200
    assert "not an email domain" in response.content.decode()


def test_members_and_hosts_may_not_change_the_settings(club, client):
    for role in [Role.MEMBER, Role.HOST, Role.MODERATOR]:
        client.force_login(MembershipFactory(club=club, role=role).member)
        assert client.get(reverse("clubs:settings", args=[club.slug])).status_code == 403
        response = client.post(
            reverse("clubs:settings", args=[club.slug]), settings_data(club, name="Taken over")
        )
        assert response.status_code == 403
    club.refresh_from_db()
    assert club.name == "Implementation readers"


def test_the_service_refuses_anyone_but_a_lead(club, db):
    member = MembershipFactory(club=club).member

    with pytest.raises(services.NotAllowed):
        services.club_update(club=club, by=member, name="Mine now")


# --- The logo ----------------------------------------------------------------------------


def test_a_logo_is_stored_through_the_storage_api(club, lead, client, media):
    client.force_login(lead)

    response = client.post(
        reverse("clubs:settings", args=[club.slug]),
        {**settings_data(club), "logo": SimpleUploadedFile("logo.png", png(), "image/png")},
    )

    assert response.status_code == 302
    club.refresh_from_db()
    assert club.logo.name.startswith("clubs/logos/")
    assert club.logo.storage.exists(club.logo.name)


def test_a_logo_that_is_not_an_image_is_refused(club, lead, client, media):
    client.force_login(lead)

    for upload in [
        SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", "image/png"),
        SimpleUploadedFile(
            "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
        ),
    ]:
        response = client.post(
            reverse("clubs:settings", args=[club.slug]), {**settings_data(club), "logo": upload}
        )
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    club.refresh_from_db()
    assert not club.logo
    assert not list(media.rglob("*"))


def test_a_logo_over_the_size_limit_is_refused(club, lead, client, media):
    client.force_login(lead)
    big = png() + b"\0" * LOGO_MAX_BYTES  # still a PNG to Pillow, but too large

    response = client.post(
        reverse("clubs:settings", args=[club.slug]),
        {**settings_data(club), "logo": SimpleUploadedFile("logo.png", big, "image/png")},
    )

    assert response.status_code == 200
    assert "too large" in response.content.decode()
    club.refresh_from_db()
    assert not club.logo


def test_a_logo_can_be_taken_away(club, lead, client, media):
    club.logo = SimpleUploadedFile("logo.png", png(), "image/png")
    club.save()
    client.force_login(lead)

    client.post(
        reverse("clubs:settings", args=[club.slug]), {**settings_data(club), "logo-clear": "on"}
    )

    club.refresh_from_db()
    assert not club.logo


# --- The code of conduct -----------------------------------------------------------------


def test_the_clubs_code_of_conduct_adds_its_rules_to_the_sites(club, client):
    club.code_of_conduct = "## Our rules\n\nNo *patient* data. <script>alert(1)</script>"
    club.save()

    response = client.get(reverse("clubs:conduct", args=[club.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("code-of-conduct") in html
    assert "<em>patient</em>" in html
    assert "<script>alert(1)</script>" not in html


def test_a_private_clubs_code_of_conduct_is_for_its_members(db, client):
    private = ClubFactory(
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.INVITATION,
        code_of_conduct="Marker rules",
    )
    url = reverse("clubs:conduct", args=[private.slug])

    assert client.get(url).status_code == 404
    client.force_login(MembershipFactory(club=private).member)
    assert "Marker rules" in client.get(url).content.decode()
