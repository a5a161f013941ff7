from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Public API")

    def member_export(self, member) -> dict:
        from .services import member_export

        return member_export(member=member)

    def member_forget(self, member, *, remove_text: bool) -> None:
        from .services import member_forget

        member_forget(member=member)
