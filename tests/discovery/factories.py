"""Papers, discussions and comments about given words, indexed for search."""

import datetime

from django.utils import timezone

from articles.models import AbstractSection, Author, Subject
from core.markdown import render_markdown
from discovery import index
from discussions.models import Discussion, DiscussionTranslation
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DiscussionFactory,
    JournalFactory,
    UserFactory,
)


def paper(
    title: str = "Implementation fidelity in community health programmes",
    *,
    abstract: str = "We studied fidelity to the protocol in twelve clinics.",
    authors: tuple[tuple[str, str, str], ...] = (("Bianca", "Albers", ""),),
    subjects: tuple[str, ...] = (),
    journal: str = "Implementation Science",
    published_on: datetime.date = datetime.date(2020, 5, 1),
    language: str = "en",
    indexed: bool = True,
):
    """A paper with the given record, in the search index (unless indexed=False)."""
    article = ArticleFactory(
        title=title,
        journal=JournalFactory(title=journal),
        published_on=published_on,
        language=language,
        with_record=False,
    )
    for position, (given, family, orcid) in enumerate(authors, start=1):
        Author.objects.create(
            article=article, position=position, given_name=given, family_name=family, orcid=orcid
        )
    AbstractSection.objects.create(article=article, position=1, heading="", body=abstract)
    for name in subjects:
        subject, _ = Subject.objects.get_or_create(
            name=name, defaults={"slug": name.lower().replace(" ", "-")}
        )
        article.subjects.add(subject)
    if indexed:
        index.index_article(article)
    return article


def discussion(
    article=None,
    *,
    commentary: str = "A short commentary.",
    status=Discussion.Status.OPEN,
    indexed: bool = True,
    **kwargs,
):
    made = DiscussionFactory(
        article=article or paper(), commentary=commentary, status=status, **kwargs
    )
    if indexed:
        index.index_discussion(made)
    return made


def translation(discussion_, commentary: str, *, language: str = "fr", indexed: bool = True):
    """The discussion's commentary in another language, in the index with it."""
    made = DiscussionTranslation.objects.create(
        discussion=discussion_, language=language, commentary=commentary
    )
    if indexed:
        index.index_discussion(discussion_)
    return made


def comment(discussion_, body: str, *, indexed: bool = True, **kwargs):
    """A published comment on the discussion's first question, in the index."""
    made = CommentFactory(
        question=discussion_.questions.first(),
        body=body,
        body_html=render_markdown(body),
        author=kwargs.pop("author", None) or UserFactory(),
        **kwargs,
    )
    if indexed:
        index.index_comment(made)
    return made


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
