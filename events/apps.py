from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Live sessions")

    def ready(self):
        from .models import Meeting

        # A discussion's page lists its sessions: a change shows on the next view.
        for signal in (post_delete, post_save):
            signal.connect(_meeting_saved, sender=Meeting, dispatch_uid="page-meeting")


def _meeting_saved(sender, instance, **kwargs):
    from discussions.caching import changed

    changed(instance.discussion_id)
