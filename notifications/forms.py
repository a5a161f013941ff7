from django import forms
from django.utils.translation import gettext_lazy as _

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
        if not member.has_perm("moderation.moderate_comments"):
            del self.fields["held"]  # only moderators are told of comments awaiting review
