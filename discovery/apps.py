from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = _("Search, browse and feeds")

    def ready(self):
        from . import receivers

        receivers.connect()

    def member_forget(self, member, *, remove_text: bool) -> None:
        """Text the member asked to remove leaves the search index too."""
        if remove_text:
            from .index import remove_comments_of

            remove_comments_of(member)
