"""
Background tasks of the papers' app (Django's tasks API; ``manage.py run_worker`` runs them).

Arguments are ids, never objects: the worker reads the paper as it is when it runs. A task
that cannot reach Unpaywall logs why and leaves the paper due for the scheduled
``manage.py check_open_access``, which asks again.
"""

import logging

from django.db import transaction
from django_tasks import task

from .models import Article
from .openaccess import article_open_access_check

logger = logging.getLogger(__name__)


@task()
def open_access_check(article_id: int) -> str:
    """Look for a free copy of a paper just added or imported (Unpaywall)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return "deleted"
    outcome = article_open_access_check(article=article)
    if outcome.failed:
        logger.warning("Open copy of paper %s not looked up: %s", article_id, outcome.error)
        return "failed"
    return "open" if outcome.copy else "closed"


def open_access_check_on_commit(article_id: int) -> None:
    """
    Enqueue the lookup once the paper is saved: never for a write that rolls back, and a
    queue that refuses is logged (robust), so the paper is saved whatever happens to it.
    """
    transaction.on_commit(lambda: open_access_check.enqueue(article_id=article_id), robust=True)
