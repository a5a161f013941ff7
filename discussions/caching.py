"""
The discussion page, rendered once per change for readers who are not signed in.

Every discussion carries a ``version``, raised in the same transaction as any change to
what its page shows: a comment posted, edited, deleted, hidden or restored, a helpful
mark, a question, lock or synthesis, the paper's record, a session, a member's name. The
page a visitor who is not signed in gets is cached under a key holding that version, so a
change makes the old entry unreachable at once, in every process, with no delete to race
against: a page rendered from newer rows under an older version is never asked for again.

Signed-in members get a page with per-member bits (new since your visit, your own
comments' links, your helpful marks, a CSRF token): ``member_pages`` caches it the same
way, with markers where those bits go.

Most changes are caught by the model signals connected in ``connect``; the few writes
that bypass ``save()`` (queryset updates) call ``changed`` themselves.
"""

import hashlib
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from articles.models import AbstractSection, Article, Author, Journal

from .models import Comment, Discussion, Question, Reaction

# Identifiers from the model, quoted; the slug is a parameter.
_VERSION_SQL = "SELECT {id}, {version}, {status}, {host_id} FROM {table} WHERE {slug} = %s".format(  # noqa: S608
    table=connection.ops.quote_name(Discussion._meta.db_table),
    **{
        name: connection.ops.quote_name(name)
        for name in ("id", "version", "status", "host_id", "slug")
    },
)

# Time-dependent parts (a session moving from "upcoming" to "past") are at most this stale.
PAGE_TIMEOUT = 300


def changed(discussions) -> None:
    """Raise the version of these discussions (a queryset of them, or one id)."""
    if isinstance(discussions, int):
        discussions = Discussion.objects.filter(pk=discussions)
    discussions.update(version=F("version") + 1)


def cacheable(request) -> bool:
    """A plain page view by a reader who is not signed in, with no message waiting."""
    return (
        settings.DISCUSSION_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not request.htmx
        and not len(messages.get_messages(request))
    )


class Current(NamedTuple):
    pk: int
    version: int
    status: str
    host_id: int


def current(slug: str) -> Current | None:
    """A discussion's id, version, status and host, by slug, in one light query."""
    # A cache hit's only query, written out: building it with the ORM cost more than
    # running it.
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [slug])
        found = cursor.fetchone()
    return None if found is None else Current(*found)


def cached_page(request, slug: str) -> HttpResponse | None:
    """The cached page of this discussion at its current version, if there is one."""
    # Drafts are never cached; the full look-up then answers 404.
    found = current(slug)
    if found is None or found.status == Discussion.Status.DRAFT:
        return None
    content = cache.get(page_key(request, found.pk, found.version))
    return None if content is None else HttpResponse(content)


def store_page(request, discussion: Discussion, response: HttpResponse) -> None:
    if response.status_code == 200 and not response.streaming:
        key = page_key(request, discussion.pk, discussion.version)
        cache.set(key, response.content, PAGE_TIMEOUT)


def page_key(request, pk: int, version: int, audience: str = "anonymous") -> str:
    """The cache key of a discussion's page at a version, for one audience of readers."""
    # The full path: links on the page carry it (sign in and come back here, sorting).
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    zone = timezone.get_current_timezone_name()
    return f"discussion-page:{pk}:{version}:{get_language()}:{zone}:{path}:{audience}"


# --- Invalidation by model signals -------------------------------------------------------


def _comment_saved(sender, instance, **kwargs):
    changed(Discussion.objects.filter(questions=instance.question_id))


def _reaction_saved(sender, instance, **kwargs):
    changed(Discussion.objects.filter(questions__comments=instance.comment_id))


def _question_saved(sender, instance, **kwargs):
    changed(instance.discussion_id)


def _discussion_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        changed(instance.pk)


def _article_part_saved(sender, instance, **kwargs):
    changed(Discussion.objects.filter(article=instance.article_id))


def _article_saved(sender, instance, **kwargs):
    changed(Discussion.objects.filter(article=instance.pk))


def _journal_saved(sender, instance, **kwargs):
    changed(Discussion.objects.filter(article__journal=instance.pk))


def _subjects_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # from a subject's side: the papers in pk_set
        changed(Discussion.objects.filter(article__in=pk_set or ()))
    else:
        changed(Discussion.objects.filter(article=instance.pk))


def _member_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """A member's name or handle shows beside their comments and on discussions they host."""
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    involved = Discussion.objects.filter(
        Q(host=instance.pk) | Q(questions__comments__author=instance.pk)
    ).values("pk")
    changed(Discussion.objects.filter(pk__in=involved))


def connect() -> None:
    from django.contrib.auth import get_user_model

    for signal in (post_save, post_delete):
        signal.connect(_comment_saved, sender=Comment, dispatch_uid="page-comment")
        signal.connect(_reaction_saved, sender=Reaction, dispatch_uid="page-reaction")
        signal.connect(_question_saved, sender=Question, dispatch_uid="page-question")
        signal.connect(_article_saved, sender=Article, dispatch_uid="page-article")
        signal.connect(_journal_saved, sender=Journal, dispatch_uid="page-journal")
        for model in (Author, AbstractSection):
            signal.connect(_article_part_saved, sender=model, dispatch_uid=f"page-{model.__name__}")
    post_save.connect(_discussion_saved, sender=Discussion, dispatch_uid="page-discussion")
    post_save.connect(_member_saved, sender=get_user_model(), dispatch_uid="page-member")
    m2m_changed.connect(
        _subjects_changed, sender=Article.subjects.through, dispatch_uid="page-subjects"
    )
