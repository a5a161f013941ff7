"""The club's contact address, for templates: ``{% contact_email as address %}``."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def contact_email() -> str:
    """Where members write to the people who run the club (``JOURNAL_CLUB_CONTACT_EMAIL``)."""
    return settings.JOURNAL_CLUB_CONTACT_EMAIL
