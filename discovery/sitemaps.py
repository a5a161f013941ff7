"""sitemap.xml: the pages worth finding from outside, never account or moderation pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article
from clubs.models import Club
from discussions.models import Discussion

from . import browse


class BilingualSitemap(Sitemap):
    """Each page at its address in every language, each naming the others (hreflang)."""

    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(BilingualSitemap):
    """The home page, the archive and the browse indexes."""

    changefreq = "daily"

    def items(self):
        return [
            "discussions:home",
            "discussions:archive",
            "discovery:browse",
            "discovery:subjects",
            "discovery:authors",
            "discovery:journals",
            "discovery:years",
        ]

    def location(self, name):
        return reverse(name)


class ClubSitemap(BilingualSitemap):
    """The public clubs' home pages; a private club is in no sitemap."""

    changefreq = "daily"

    def items(self):
        return Club.objects.public().order_by("pk")

    def lastmod(self, club):
        return club.updated_at


class DiscussionSitemap(BilingualSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Discussion.objects.published().order_by("pk")

    def lastmod(self, discussion):
        return discussion.updated_at


class PaperSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class SubjectSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self):
        return list(browse.subjects_with_counts().values_list("slug", flat=True))

    def location(self, slug):
        return reverse("discovery:subject", kwargs={"slug": slug})


class AuthorSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self):
        return [row["key"] for row in browse.authors_with_counts()]

    def location(self, key):
        return reverse("discovery:author", kwargs={"key": key})


class JournalSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self):
        return list(browse.journals_with_counts().values_list("slug", flat=True))

    def location(self, slug):
        return reverse("discovery:journal", kwargs={"slug": slug})


class YearSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self):
        return [row["year"] for row in browse.years_with_counts()]

    def location(self, year):
        return reverse("discovery:year", kwargs={"year": year})


SITEMAPS = {
    "pages": PagesSitemap,
    "clubs": ClubSitemap,
    "discussions": DiscussionSitemap,
    "papers": PaperSitemap,
    "subjects": SubjectSitemap,
    "authors": AuthorSitemap,
    "journals": JournalSitemap,
    "years": YearSitemap,
}
