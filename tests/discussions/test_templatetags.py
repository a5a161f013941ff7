"""The discussion page's own template filters give what Django's date filter gives."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

MOMENT = datetime.datetime(2026, 11, 4, 23, 33, 5, 341301, tzinfo=datetime.UTC)


def render(source: str, **context) -> str:
    return Template("{% load discussions %}" + source).render(Context(context))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Toronto", "Asia/Kolkata"])
def test_the_filters_match_the_date_filter_in_the_readers_time_zone(zone):
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override("en"):
        assert render("{{ t|iso_datetime }}", t=MOMENT) == render("{{ t|date:'c' }}", t=MOMENT)
        assert render("{{ t|day_and_time }}", t=MOMENT) == render(
            '{{ t|date:"j M Y, H:i" }}', t=MOMENT
        )


def test_an_empty_moment_renders_nothing():
    assert render("{{ t|iso_datetime }}{{ t|day_and_time }}", t=None) == ""
