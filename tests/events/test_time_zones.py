import pytest

from accounts.forms import ProfileForm
from accounts.models import time_zone_choices
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_data(**changes) -> dict:
    return {"display_name": "Priya", "affiliation": "", "orcid": "", "bio": "", **changes}


def test_members_choose_their_time_zone_in_their_profile(member_client, member):
    response = member_client.post(
        "/members/settings/profile/", profile_data(time_zone="America/Toronto")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.time_zone == "America/Toronto"


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus_Mons", "america/toronto", "../etc/passwd", "x" * 64]
)
def test_only_real_zones_are_accepted(zone):
    form = ProfileForm(profile_data(time_zone=zone), instance=UserFactory())
    assert not form.is_valid()
    assert "time_zone" in form.errors


def test_no_zone_means_the_sites():
    form = ProfileForm(profile_data(time_zone=""), instance=UserFactory())
    assert form.is_valid()


def test_the_choices_are_grouped_by_region():
    choices = dict(time_zone_choices())
    assert choices[""] == "The site's time zone"
    assert ("America/Toronto", "Toronto") in choices["America"]
    assert ("America/Argentina/Buenos_Aires", "Argentina/Buenos Aires") in choices["America"]


def test_the_profile_form_offers_the_zones(member_client):
    html = member_client.get("/members/settings/profile/").content.decode()
    assert '<optgroup label="Europe">' in html
    assert '<option value="Europe/Paris">Paris</option>' in html
