from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = _("Search, browse and feeds")

    def ready(self):
        from . import receivers

        receivers.connect()
