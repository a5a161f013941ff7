from django.urls import path

from . import tool_views, views

app_name = "clubs"

# Joining, members, invitations and a club's settings (views.py).
urlpatterns = [
    path("new/", views.club_create, name="create"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/request/", views.join_request, name="request"),
    path("<slug:slug>/request/withdraw/", views.join_request_withdraw, name="request-withdraw"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("<slug:slug>/members/<int:pk>/ban/", views.member_ban, name="member-ban"),
    path("<slug:slug>/members/<int:pk>/unban/", views.member_unban, name="member-unban"),
    path("<slug:slug>/requests/", views.join_requests, name="requests"),
    path("<slug:slug>/requests/<int:pk>/", views.join_request_decide, name="request-decide"),
    path("<slug:slug>/invitations/", views.invitations, name="invitations"),
    path("<slug:slug>/invitations/link/", views.invite_link, name="invite-link"),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("<slug:slug>/settings/", views.club_settings, name="settings"),
    path("<slug:slug>/conduct/", views.conduct, name="conduct"),
]

# Question templates and nominations (tool_views.py).
urlpatterns += [
    path("<slug:slug>/questions/", tool_views.question_templates, name="question-templates"),
    path("<slug:slug>/nominations/", tool_views.nominations, name="nominations"),
    path(
        "<slug:slug>/nominations/<int:pk>/vote/",
        tool_views.nomination_vote,
        name="nomination-vote",
    ),
    path(
        "<slug:slug>/nominations/<int:pk>/withdraw/",
        tool_views.nomination_withdraw,
        name="nomination-withdraw",
    ),
]
