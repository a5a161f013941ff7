"""The API tokens page, among the account settings (under /members/settings/, each language)."""

from django.urls import path

from . import token_views

app_name = "api-tokens"

urlpatterns = [
    path("", token_views.token_list, name="list"),
    path("<int:pk>/revoke/", token_views.token_revoke, name="revoke"),
]
