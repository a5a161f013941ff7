from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read_all, name="read-all"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("settings/", views.notification_settings, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
