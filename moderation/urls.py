from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("log/", views.log, name="log"),
    path("comments/<int:pk>/", views.comment, name="comment"),
    path("comments/<int:pk>/flag/", views.flag, name="flag"),
    path("questions/<int:pk>/lock/", views.question_lock, name="question-lock"),
    path("discussions/<int:pk>/lock/", views.discussion_lock, name="discussion-lock"),
    path("members/<str:username>/suspend/", views.suspend, name="suspend"),
    path("suspensions/<int:pk>/lift/", views.lift, name="lift"),
]
