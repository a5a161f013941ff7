from django.urls import path

from . import cite_views, club_views, hosting_views, views

app_name = "discussions"

urlpatterns = [
    path("", views.home, name="home"),
    path("archive/", views.archive, name="archive"),
    path("discussions/<slug:slug>/", views.discussion_detail, name="detail"),
    path("discussions/<slug:slug>/cite.<str:fmt>", cite_views.discussion_cite, name="cite"),
    path("discussions/<slug:slug>/status/", views.discussion_status, name="status"),
    path("discussions/<slug:slug>/questions/<int:number>/", views.question_detail, name="question"),
    path(
        "discussions/<slug:slug>/questions/<int:number>/comments/",
        views.comment_create,
        name="comment-create",
    ),
    path(
        "discussions/<slug:slug>/questions/<int:number>/synthesis/",
        views.question_synthesis,
        name="question-synthesis",
    ),
    path("comments/preview/", views.comment_preview, name="comment-preview"),
    path("comments/<int:pk>/", views.comment_permalink, name="comment"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/helpful/", views.comment_helpful, name="comment-helpful"),
    path("comments/<int:pk>/revisions/", views.comment_revisions, name="comment-revisions"),
    path(
        "comments/<int:pk>/follow/", views.follow_toggle, {"kind": "thread"}, name="comment-follow"
    ),
    path("follow/<str:kind>/<int:pk>/", views.follow_toggle, name="follow"),
]

# A club's home and the directory of clubs (club_views.py).
urlpatterns += [
    path("clubs/", club_views.club_list, name="clubs"),
    path("clubs/<slug:slug>/", club_views.club_detail, name="club"),
]

# Opening a discussion in a club: drafts from the catalogue or a nomination (hosting_views.py).
urlpatterns += [
    path(
        "clubs/<slug:club>/discussions/new/",
        hosting_views.discussion_new,
        name="discussion-new",
    ),
    path("discussions/<slug:slug>/edit/", hosting_views.discussion_edit, name="discussion-edit"),
    path(
        "discussions/<slug:slug>/translate/",
        hosting_views.discussion_translate,
        name="discussion-translate",
    ),
]
