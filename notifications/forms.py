from django import forms
from django.utils.translation import gettext_lazy as _

from clubs import access

from .models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    """Per kind of event, how to be emailed; new-discussion announcements; a pause switch."""

    class Meta:
        model = NotificationSettings
        fields = [
            "reply",
            "mention",
            "followed_comment",
            "helpful",
            "held",
            "announcements",
            "discussion_opened",
            "paused",
        ]
        labels = {"discussion_opened": _("Email about new discussions")}
        help_texts = {"discussion_opened": _("Only if you ticked the box above.")}

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        if access.moderated_clubs(member) == frozenset():
            # Only moderators (of the site, or of a club) are told of comments awaiting review.
            del self.fields["held"]
