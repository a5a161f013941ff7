"""Publishing a discussion's proceedings with a DOI (deposit_views.py)."""

from django.urls import path

from . import deposit_views

urlpatterns = [
    path("discussions/<slug:slug>/publish/", deposit_views.deposit_publish, name="deposit"),
    path(
        "discussions/<slug:slug>/publish/announce/",
        deposit_views.deposit_announce,
        name="deposit-announce",
    ),
]
