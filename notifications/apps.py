from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core import pages

        from . import bell, receivers

        receivers.connect()
        # The bell is in every page's header: pages cached whole for a member key on it.
        pages.add_reader_part(bell.unread_count)

    def member_export(self, member) -> dict:
        from .services import member_export

        return member_export(member=member)

    def member_forget(self, member, *, remove_text: bool) -> None:
        from .services import member_forget

        member_forget(member=member, remove_text=remove_text)
