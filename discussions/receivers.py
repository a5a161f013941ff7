"""
What discussions does when the apps below it announce a change: the pages that show the
changed paper or member are out of date (their discussions' versions are raised).
"""

from django.db.models import Q

from accounts.signals import member_changed
from articles.signals import papers_changed
from clubs.signals import club_changed, membership_changed

from . import caching
from .models import Discussion


def on_papers_changed(sender, *, articles, **kwargs) -> None:
    caching.discussions_changed(Discussion.objects.filter(article__in=list(articles)))


def on_member_changed(sender, *, member, **kwargs) -> None:
    caching.reader_changed(member.pk)  # their rights or roles may have changed
    involved = Discussion.objects.filter(
        Q(host=member) | Q(questions__comments__author=member)
    ).values("pk")
    caching.discussions_changed(Discussion.objects.filter(pk__in=involved))


def on_membership_changed(sender, *, club, member, **kwargs) -> None:
    caching.reader_changed(member.pk)  # what they may do, and see, in the club changed
    # Their badges ("moderator") show on the club's pages they wrote in.
    involved = Discussion.objects.filter(
        Q(host=member) | Q(questions__comments__author=member), club=club
    ).values("pk")
    caching.discussions_changed(Discussion.objects.filter(pk__in=involved))


def on_club_changed(sender, *, club, **kwargs) -> None:
    caching.discussions_changed(Discussion.objects.filter(club=club))
    # Its members' pages name it in their navigation, wherever they are.
    for member_id in club.memberships.values_list("member_id", flat=True):
        caching.reader_changed(member_id)


def connect() -> None:
    membership_changed.connect(on_membership_changed, dispatch_uid="discussions-membership")
    club_changed.connect(on_club_changed, dispatch_uid="discussions-club-changed")
    papers_changed.connect(on_papers_changed, dispatch_uid="discussions-papers-changed")
    member_changed.connect(on_member_changed, dispatch_uid="discussions-member-changed")
