"""
Free copies of papers, found at Unpaywall.

Looked up in the background when a paper is added or imported (``tasks.open_access_check``,
enqueued by the services that write records and by the admin), and again by the scheduled
``manage.py check_open_access``, which takes the papers never looked up or not for a while.

A lookup asks the network outside any transaction, then writes what it learnt in one: the
copy's link, host, version and licence, and when Unpaywall was asked. A lookup that fails
(Unpaywall down, slow, a 404, 429 or 5xx, an answer that cannot be read) writes nothing:
the paper keeps what it had and stays due, so the next run asks again.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, OpenCopy
from .signals import papers_changed
from .sources import http, unpaywall


@dataclass
class OpenAccessOutcome:
    """What one lookup found: a copy (or none), whether that changed the page, or an error."""

    article: Article
    copy: OpenCopy | None = None
    changed: bool = False
    error: str = ""
    throttled: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error)


def article_open_access_check(
    *, article: Article, transport: httpx.BaseTransport | None = None
) -> OpenAccessOutcome:
    """
    Ask Unpaywall where ``article`` can be read free and record the answer. Never raises
    for what Unpaywall does: a failure is the outcome's ``error``, and nothing is written.
    """
    if not article.doi:
        return OpenAccessOutcome(article=article, error=_("This paper has no DOI to look up."))
    try:
        copy = unpaywall.parse(unpaywall.fetch(article.doi, transport=transport), doi=article.doi)
    except http.SourceError as error:
        return OpenAccessOutcome(
            article=article, error=str(error), throttled=isinstance(error, http.Throttled)
        )
    try:
        changed = article_open_access_save(article=article, copy=copy)
    except Article.DoesNotExist:
        return OpenAccessOutcome(article=article, error=_("The paper was deleted meanwhile."))
    return OpenAccessOutcome(article=article, copy=copy, changed=changed)


@transaction.atomic
def article_open_access_save(*, article: Article, copy: OpenCopy | None) -> bool:
    """
    Record Unpaywall's answer on the paper: ``copy``, or no copy (Unpaywall knows of none
    now, so a link it gave before is gone rather than left dead). Returns whether what
    readers see changed; then the pages that show the paper are told (``papers_changed``).
    ``article`` is brought up to date with what was written.
    """
    locked = Article.objects.select_for_update().get(pk=article.pk)
    values = {
        "open_access_url": copy.url if copy else "",
        "open_access_host": copy.host if copy else "",
        "open_access_version": copy.version if copy else "",
        "open_access_licence": copy.licence if copy else "",
    }
    changed = any(getattr(locked, name) != value for name, value in values.items())
    for name, value in {**values, "open_access_checked_at": timezone.now()}.items():
        setattr(locked, name, value)
        setattr(article, name, value)
    fields = [*values, "open_access_checked_at"]
    if changed:
        fields.append("updated_at")
    locked.save(update_fields=fields)
    if changed:
        papers_changed.send(sender=Article, articles=[locked.pk])
    return changed


def open_access_check_many(
    articles: Iterable[Article], *, transport: httpx.BaseTransport | None = None
) -> Iterator[OpenAccessOutcome]:
    """
    Look each paper up in turn, one outcome each, going on past failures. After a 429 the
    rest are not asked this run (Unpaywall asked us to wait): each is reported as failed,
    and stays due for the next run.
    """
    throttled = ""
    for article in articles:
        if throttled:
            yield OpenAccessOutcome(article=article, error=throttled, throttled=True)
            continue
        outcome = article_open_access_check(article=article, transport=transport)
        if outcome.throttled:
            throttled = _("Not asked: %(reason)s") % {"reason": outcome.error}
        yield outcome
