"""
Atom feeds: new discussions, new comments in a discussion, a member's comments.

Only what anyone may read goes out: published discussions, comments neither deleted nor
hidden. A feed of a draft or unknown discussion, or of an unknown member, is a 404.
"""

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from core.markdown import render_markdown
from discussions.models import Comment, Discussion

ITEMS = 50


class DiscussionsFeed(Feed):
    """New discussions, newest first."""

    feed_type = Atom1Feed

    def title(self):
        return _("Journal Club: discussions")

    def subtitle(self):
        return _("New journal-club discussions of research papers.")

    def link(self):
        return reverse("discussions:home")

    def feed_url(self):
        return reverse("discovery:feed-discussions")

    def items(self):
        return (
            Discussion.objects.published().select_related("article", "host").newest_first()[:ITEMS]
        )

    def item_title(self, discussion):
        return discussion.article.title

    def item_description(self, discussion):
        return render_markdown(discussion.commentary or "")

    def item_author_name(self, discussion):
        return discussion.host.name

    def item_pubdate(self, discussion):
        return discussion.opens_at or discussion.created_at

    def item_updateddate(self, discussion):
        return discussion.updated_at


class _CommentsFeed(Feed):
    feed_type = Atom1Feed

    def item_description(self, comment):
        return comment.body_html  # rendered and sanitised when the comment was saved

    def item_author_name(self, comment):
        return comment.author.name

    def item_author_link(self, comment):
        return comment.author.get_absolute_url()

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at

    def comments(self):
        return (
            Comment.objects.public()
            .select_related("author", "question__discussion__article")
            .order_by("-created_at", "-id")
        )


class DiscussionCommentsFeed(_CommentsFeed):
    """New comments in one discussion."""

    def get_object(self, request, slug):
        return get_object_or_404(
            Discussion.objects.published().select_related("article"), slug=slug
        )

    def title(self, discussion):
        return _("Comments on “%(title)s”") % {"title": discussion.article.title}

    def link(self, discussion):
        return discussion.get_absolute_url()

    def feed_url(self, discussion):
        return reverse("discovery:feed-discussion-comments", kwargs={"slug": discussion.slug})

    def items(self, discussion):
        return self.comments().filter(question__discussion=discussion)[:ITEMS]

    def item_title(self, comment):
        return _("%(author)s on question %(number)s") % {
            "author": comment.author.name,
            "number": comment.question.number,
        }


class MemberCommentsFeed(_CommentsFeed):
    """A member's comments, in every published discussion."""

    def get_object(self, request, username):
        return get_object_or_404(get_user_model(), username=username, is_active=True)

    def title(self, member):
        return _("Comments by %(name)s") % {"name": member.name}

    def link(self, member):
        return member.get_absolute_url()

    def feed_url(self, member):
        return reverse("discovery:feed-member-comments", kwargs={"username": member.username})

    def items(self, member):
        return self.comments().filter(author=member)[:ITEMS]

    def item_title(self, comment):
        return _("On “%(title)s”, question %(number)s") % {
            "title": comment.question.discussion.article.title,
            "number": comment.question.number,
        }
