from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import receivers

        receivers.connect()

    def member_export(self, member) -> dict:
        from .services import member_export

        return member_export(member=member)

    def member_forget(self, member, *, remove_text: bool) -> None:
        from .services import member_forget

        member_forget(member=member, remove_text=remove_text)
