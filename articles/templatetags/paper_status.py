"""
What the paper's status partial (``articles/_paper_status.html``) reads.

Notices are read only for a paper Crossref was asked about: one never asked has none, so
the pages of most papers (and every discussion page of one) cost no query for them.
"""

from django import template

from ..models import Article, PaperNotice

register = template.Library()


@register.simple_tag
def paper_notices(article: Article) -> list[PaperNotice]:
    """The paper's notices, most serious first, then newest first."""
    if article.updates_checked_at is None:
        return []
    return sorted(article.notices.all(), key=lambda notice: notice.sort_key)
