from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("calendar.ics", views.calendar_ics, name="calendar"),
    path("<int:pk>.ics", views.meeting_ics, name="meeting-ics"),
    path("clubs/<slug:slug>.ics", views.club_calendar_ics, name="club-calendar"),
]
