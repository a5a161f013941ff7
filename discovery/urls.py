from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import export_views, feeds, views
from .sitemaps import SITEMAPS

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("browse/", views.browse_index, name="browse"),
    path("browse/subjects/", views.subject_list, name="subjects"),
    path("browse/subjects/<slug:slug>/", views.subject_detail, name="subject"),
    path("browse/authors/", views.author_list, name="authors"),
    path("browse/authors/<str:key>/", views.author_detail, name="author"),
    path("browse/journals/", views.journal_list, name="journals"),
    path("browse/journals/<slug:slug>/", views.journal_detail, name="journal"),
    path("browse/years/", views.year_list, name="years"),
    path("browse/years/<int:year>/", views.year_detail, name="year"),
    path("feeds/discussions/", feeds.DiscussionsFeed(), name="feed-discussions"),
    path("clubs/<slug:slug>/feed/", feeds.ClubFeed(), name="feed-club"),
    path(
        "feeds/discussions/<slug:slug>/comments/",
        feeds.DiscussionCommentsFeed(),
        name="feed-discussion-comments",
    ),
    path(
        "feeds/members/<str:username>/comments/",
        feeds.MemberCommentsFeed(),
        name="feed-member-comments",
    ),
    # A discussion's comments as W3C Web Annotations (export_views.py; oEmbed: config/urls.py).
    path(
        "discussions/<slug:slug>/annotations.jsonld",
        export_views.discussion_annotations,
        name="annotations",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
