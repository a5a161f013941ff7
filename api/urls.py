"""
The API's addresses, under /api/ and outside the site's language prefixes (config/urls.py):
version 1 under /api/v1/, and every other address under /api/ a 404 in problem details.
"""

from django.urls import include, path, re_path

from . import views

app_name = "api"

v1 = [
    path("", views.root, name="root"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("clubs/", views.club_list, name="club-list"),
    path("clubs/<slug:slug>/", views.club_detail, name="club-detail"),
    path("papers/", views.paper_list, name="paper-list"),
    path("papers/<slug:slug>/", views.paper_detail, name="paper-detail"),
    path("discussions/", views.discussion_list, name="discussion-list"),
    path("discussions/<slug:slug>/", views.discussion_detail, name="discussion-detail"),
    path("discussions/<slug:slug>/comments/", views.comment_list, name="comment-list"),
    path("comments/<int:pk>/", views.comment_detail, name="comment-detail"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("members/<str:username>/", views.member_detail, name="member-detail"),
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
