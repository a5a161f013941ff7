from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from moderation import checks  # noqa: F401 - registers the deployment checks
        from moderation.roles import create_roles_after_migrate

        # After Django's own post_migrate receivers (permissions), once per migrate/flush.
        post_migrate.connect(create_roles_after_migrate, sender=self)

    def member_export(self, member) -> dict:
        from .services import member_export

        return member_export(member=member)

    def member_forget(self, member, *, remove_text: bool) -> None:
        from .services import member_forget

        member_forget(member=member, remove_text=remove_text)
