from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # Two segments, so it can never collide with a member called "settings".
    path("settings/profile/", views.profile_edit, name="profile-edit"),
    path("settings/data/", views.data, name="data"),
    path("settings/data/export.json", views.data_export, name="data-export"),
    path("settings/delete/", views.delete_account, name="delete"),
    path("lookup/mentions/", views.mention_suggestions, name="mentions"),
    path("<str:username>/", views.profile, name="profile"),
]
