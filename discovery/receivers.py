"""
What discovery does when the apps below it announce a change: the search index and the
author pages follow papers, commentaries and comments, in the same transaction.
"""

from articles.models import Article
from articles.signals import papers_changed
from discussions import signals

from . import index


def on_papers_changed(sender, *, articles, **kwargs) -> None:
    papers = Article.objects.filter(pk__in=list(articles)).prefetch_related(
        "authors", "subjects", "abstract_sections"
    )
    for article in papers:
        index.index_article(article)


def on_comment_written(sender, *, comment, **kwargs) -> None:
    index.index_comment(comment)  # whatever its status: visibility is checked when searching


def on_comment_language_changed(sender, *, comment, **kwargs) -> None:
    index.index_comment(comment)  # stemmed in its corrected language


def on_comment_deleted(sender, *, comment, **kwargs) -> None:
    index.remove_comment(comment)


def on_discussion_changed(sender, *, discussion, **kwargs) -> None:
    index.index_discussion(discussion)  # its commentary and the commentary's translations


def connect() -> None:
    papers_changed.connect(on_papers_changed, dispatch_uid="discovery-papers-changed")
    signals.comment_posted.connect(on_comment_written, dispatch_uid="discovery-comment-posted")
    signals.comment_edited.connect(on_comment_written, dispatch_uid="discovery-comment-edited")
    signals.comment_language_changed.connect(
        on_comment_language_changed, dispatch_uid="discovery-comment-language-changed"
    )
    signals.comment_deleted.connect(on_comment_deleted, dispatch_uid="discovery-comment-deleted")
    signals.discussion_changed.connect(
        on_discussion_changed, dispatch_uid="discovery-discussion-changed"
    )
