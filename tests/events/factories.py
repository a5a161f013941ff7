import datetime

import factory

from discussions import caching
from events.models import Meeting
from tests.factories import DiscussionFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    """A one-hour session on 1 December 2026 at 17:00 UTC, in a room."""

    class Meta:
        model = Meeting

    discussion = factory.SubFactory(DiscussionFactory)
    starts_at = datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
    duration = datetime.timedelta(hours=1)
    place = "Room 2.14, Science Library"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the admin would leave it: its discussion's pages out of date."""
        meeting = super()._create(model_class, *args, **kwargs)
        caching.discussions_changed([meeting.discussion_id])
        return meeting
