"""Whether signing in with ORCID is on, for templates: ``{% orcid_configured as orcid_on %}``."""

from django import template
from django.conf import settings

from accounts.orcid import is_configured

register = template.Library()


@register.simple_tag
def orcid_configured() -> bool:
    """True when an ORCID client is configured (``ORCID_CLIENT_ID``): no database query."""
    return is_configured()


@register.simple_tag
def orcid_record_url(orcid: str) -> str:
    """The ORCID record of an iD at the registry the site signs in with (the sandbox's too)."""
    return f"https://{settings.JOURNAL_CLUB_ORCID_DOMAIN}/{orcid}"
