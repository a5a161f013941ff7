"""
Atom feeds: new discussions, a club's new discussions and syntheses, new comments in a
discussion, a member's comments.

Only what anyone may read goes out: published discussions of public clubs, comments
neither deleted nor hidden. A feed of a draft or unknown discussion, of a private or
unknown club, or of an unknown member, is a 404: feed readers sign in as nobody, and a
private club has no feed at all.
"""

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from clubs.models import Club
from core.markdown import render_markdown
from discussions.models import Comment, Discussion, Question

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


class ClubFeed(Feed):
    """A public club's new discussions and its hosts' syntheses, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Club.objects.public(), slug=slug)

    def title(self, club):
        return _("%(club)s: discussions and syntheses") % {"club": club.name}

    def subtitle(self, club):
        return club.tagline or _("New discussions of %(club)s.") % {"club": club.name}

    def link(self, club):
        return club.get_absolute_url()

    def feed_url(self, club):
        return reverse("discovery:feed-club", kwargs={"slug": club.slug})

    def items(self, club):
        """The newest discussions and syntheses together: two queries, merged by date."""
        discussions = Discussion.objects.published().in_club(club)
        syntheses = (
            Question.objects.filter(discussion__in=discussions)
            .exclude(synthesis="")
            .select_related("discussion__article", "synthesis_by")
            .order_by("-synthesis_updated_at", "-pk")[:ITEMS]
        )
        newest = discussions.select_related("article", "host").newest_first()[:ITEMS]
        return sorted([*newest, *syntheses], key=self.item_pubdate, reverse=True)[:ITEMS]

    def item_title(self, item):
        if isinstance(item, Question):
            return _("Synthesis of question %(number)s on “%(title)s”") % {
                "number": item.number,
                "title": item.discussion.article.title,
            }
        return item.article.title

    def item_description(self, item):
        if isinstance(item, Question):
            return render_markdown(item.synthesis)
        return render_markdown(item.commentary or "")

    def item_author_name(self, item):
        if isinstance(item, Question):
            return item.synthesis_by.name if item.synthesis_by else None
        return item.host.name

    def item_pubdate(self, item):
        if isinstance(item, Question):
            return item.synthesis_updated_at or item.discussion.updated_at
        return item.opens_at or item.created_at

    def item_updateddate(self, item):
        if isinstance(item, Question):
            return self.item_pubdate(item)
        return item.updated_at


class _CommentsFeed(Feed):
    feed_type = Atom1Feed

    def item_description(self, comment):
        return comment.body_html  # rendered and sanitised when the comment was saved

    def item_author_name(self, comment):
        return comment.shown_author_name

    def item_author_link(self, comment):
        author = comment.shown_author
        return author.get_absolute_url() if author else None

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at

    def comments(self):
        return (
            Comment.objects.public()
            .select_related("author", "pseudonym", "question__discussion__article")
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
            "author": comment.shown_author_name,
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
        return self.comments().filter(author=member).under_own_name()[:ITEMS]

    def item_title(self, comment):
        return _("On “%(title)s”, question %(number)s") % {
            "title": comment.question.discussion.article.title,
            "number": comment.question.number,
        }
