"""
Retractions, corrections and newer versions of papers, found at Crossref.

``manage.py check_paper_updates`` (scheduled, daily) asks Crossref about every paper a
discussion is about (``--all``: every paper with a DOI) and keeps each notice it has not
seen yet as a ``PaperNotice``: once per paper, kind and DOI, so a second run adds nothing.
The pages showing a paper with a new notice are told (``papers_changed``), so that cached
discussion pages show it at once.

Crossref is asked outside any transaction; what it said is written in one. A check that
fails (Crossref down, slow, a 404, 429 or 5xx, an answer that cannot be read) writes
nothing, and the next run asks again.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import httpx
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, PaperNotice
from .signals import papers_changed
from .sources import crossref_updates, http
from .sources.crossref_updates import NoticeRecord


@dataclass
class UpdatesOutcome:
    """What one check found: the notices new to us, or why it failed."""

    article: Article
    added: list[PaperNotice] = field(default_factory=list)
    error: str = ""
    throttled: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error)


def article_updates_check(
    *, article: Article, transport: httpx.BaseTransport | None = None
) -> UpdatesOutcome:
    """
    Ask Crossref what was published about ``article`` since and keep what is new. Never
    raises for what Crossref does: a failure is the outcome's ``error``, nothing written.
    """
    if not article.doi:
        return UpdatesOutcome(article=article, error=_("This paper has no DOI to look up."))
    try:
        notices = crossref_updates.fetch_notices(article.doi, transport=transport)
    except http.SourceError as error:
        return UpdatesOutcome(
            article=article, error=str(error), throttled=isinstance(error, http.Throttled)
        )
    try:
        added = paper_notices_save(article=article, notices=notices)
    except Article.DoesNotExist:
        return UpdatesOutcome(article=article, error=_("The paper was deleted meanwhile."))
    except ValidationError as error:
        return UpdatesOutcome(
            article=article,
            error=_("Crossref gave a notice that cannot be kept: %(reason)s")
            % {"reason": " ".join(error.messages)},
        )
    return UpdatesOutcome(article=article, added=added)


@transaction.atomic
def paper_notices_save(*, article: Article, notices: list[NoticeRecord]) -> list[PaperNotice]:
    """
    Keep the notices not on file yet (one per paper, kind and DOI) and complete the date
    and label of those that lacked them; a notice Crossref no longer lists is kept. Marks
    the paper checked. Returns the new notices; when anything readers see changed, the
    pages that show the paper are told (``papers_changed``).
    """
    locked = Article.objects.select_for_update().get(pk=article.pk)
    on_file = {(notice.kind, notice.doi): notice for notice in locked.notices.all()}
    added, completed = [], []
    for record in notices:
        known = on_file.get((record.kind, record.doi))
        if known is None:
            notice = PaperNotice(
                article=locked,
                kind=record.kind,
                doi=record.doi,
                date=record.date,
                label=record.label,
            )
            notice.full_clean()
            added.append(notice)
            on_file[(record.kind, record.doi)] = notice
        elif (not known.date and record.date) or (not known.label and record.label):
            known.date = known.date or record.date
            known.label = known.label or record.label
            completed.append(known)
    PaperNotice.objects.bulk_create(added)
    if completed:
        PaperNotice.objects.bulk_update(completed, ["date", "label"])
    locked.updates_checked_at = article.updates_checked_at = timezone.now()
    locked.save(update_fields=["updates_checked_at"])
    if added or completed:
        papers_changed.send(sender=Article, articles=[locked.pk])
    return added


def updates_check_many(
    articles: Iterable[Article], *, transport: httpx.BaseTransport | None = None
) -> Iterator[UpdatesOutcome]:
    """
    Check each paper in turn, one outcome each, going on past failures. After a 429 the
    rest are not asked this run (Crossref asked us to wait): each is reported as failed.
    """
    throttled = ""
    for article in articles:
        if throttled:
            yield UpdatesOutcome(article=article, error=throttled, throttled=True)
            continue
        outcome = article_updates_check(article=article, transport=transport)
        if outcome.throttled:
            throttled = _("Not asked: %(reason)s") % {"reason": outcome.error}
        yield outcome
