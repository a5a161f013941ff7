import datetime

import pytest

from events.models import Meeting
from tests.events.factories import MeetingFactory
from tests.factories import DiscussionFactory

pytestmark = pytest.mark.django_db


def test_staff_list_and_edit_sessions(staff_client):
    meeting = MeetingFactory(title="Live session 1")
    assert "Live session 1" in staff_client.get("/admin/events/meeting/").content.decode()
    assert staff_client.get(f"/admin/events/meeting/{meeting.pk}/change/").status_code == 200


def test_staff_add_a_session_in_their_own_time_zone(staff_client, staff):
    staff.time_zone = "Europe/Paris"
    staff.save()
    discussion = DiscussionFactory()
    response = staff_client.post(
        "/admin/events/meeting/add/",
        {
            "discussion": discussion.pk,
            "title": "",
            "starts_at_0": "2026-12-01",
            "starts_at_1": "18:00:00",
            "duration": "1:30:00",
            "place": "",
            "video_url": "https://video.example.org/jc",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
    assert meeting.duration == datetime.timedelta(hours=1, minutes=30)


@pytest.mark.parametrize(
    ("field", "value"),
    [("video_url", "javascript:alert(1)"), ("duration", "-1:00:00"), ("duration", "0")],
)
def test_bad_sessions_are_refused(staff_client, field, value):
    data = {
        "discussion": DiscussionFactory().pk,
        "starts_at_0": "2026-12-01",
        "starts_at_1": "18:00:00",
        "duration": "1:00:00",
        field: value,
    }
    response = staff_client.post("/admin/events/meeting/add/", data)
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_the_discussion_is_chosen_by_autocomplete(staff_client):
    html = staff_client.get("/admin/events/meeting/add/").content.decode()
    assert "admin-autocomplete" in html
