"""
The search page's filter menus: the subjects papers have, and their years of publication.

Both change only when papers do, yet reading them took longer than some searches, so
they are cached. The cache entry carries the version it was read under, and the version
changes when a paper's search entry is written (``discovery.index``, through the
services, ``rebuild_search_index --stale`` and the rebuild), once the write has
committed: a menu read before the commit can never be taken for the new one. What the
index does not see (a subject renamed in the admin) shows after ``MENUS_TIMEOUT``.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

from articles.models import Article

from .models import subjects_in_use

MENUS_KEY = "discovery:search-menus"
VERSION_KEY = "discovery:search-menus:version"
MENUS_TIMEOUT = 300


def filter_menus() -> tuple[list[tuple[str, str]], list[int]]:
    """(slug, name) of each subject in use, by name; the years papers were published in."""
    cached = cache.get_many([MENUS_KEY, VERSION_KEY])
    version = cached.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    elif cached.get(MENUS_KEY, (None,))[0] == version:
        return cached[MENUS_KEY][1]
    menus = (
        list(subjects_in_use().values_list("slug", "name")),
        [day.year for day in Article.objects.dates("published_on", "year", order="DESC")],
    )
    cache.set(MENUS_KEY, (version, menus), MENUS_TIMEOUT)
    return menus


def papers_changed() -> None:
    """Make the cached menus stale once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))
