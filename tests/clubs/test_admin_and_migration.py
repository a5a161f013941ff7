"""A lead in the admin sees their own clubs only; discussions from before clubs get one."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from clubs.models import Club
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture
def lead_in_admin(db):
    """A club's lead given admin access and the discussions' permissions, not the clubs'."""
    club = ClubFactory(name="Our own club", visibility="private", joining="invitation")
    lead = UserFactory(is_staff=True)
    MembershipFactory(club=club, member=lead, role="lead")
    lead.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="discussions",
            codename__in=["view_discussion", "change_discussion", "view_comment"],
        )
    )
    return club, lead


def test_a_leads_admin_lists_their_clubs_discussions_and_comments_only(client, lead_in_admin):
    club, lead = lead_in_admin
    own = DiscussionFactory(club=club, slug="our-own")
    other_club = ClubFactory(name="Someone else's", visibility="private", joining="invitation")
    theirs = DiscussionFactory(club=other_club, slug="not-ours")
    CommentFactory(question=own.questions.first(), body="Our own words")
    CommentFactory(question=theirs.questions.first(), body="Their private words")
    client.force_login(lead)

    listing = client.get(reverse("admin:discussions_discussion_changelist")).content.decode()
    assert own.article.title in listing
    assert theirs.article.title not in listing
    assert "Someone else" not in listing  # not even in the club filter

    comments = client.get(reverse("admin:discussions_comment_changelist")).content.decode()
    assert "Our own words" in comments
    assert "Their private words" not in comments
    assert theirs.article.title not in comments  # the discussion filter

    other = client.get(reverse("admin:discussions_discussion_change", args=[theirs.pk]))
    assert other.status_code == 302  # "does not exist", as for any unknown id
    form = client.get(reverse("admin:discussions_discussion_change", args=[own.pk]))
    assert "Someone else" not in form.content.decode()  # the club field's choices


def test_staff_who_curate_clubs_see_every_club(client, db):
    staff = UserFactory(is_staff=True, roles=["Staff"])
    DiscussionFactory(club=ClubFactory(visibility="private", joining="invitation"), slug="a")
    DiscussionFactory(slug="b")
    client.force_login(staff)
    listing = client.get(reverse("admin:discussions_discussion_changelist")).content.decode()
    assert "2 discussions" in listing


def applied_state():
    """The models as the migrations applied to the database now make them."""
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def test_a_club_made_private_in_the_admin_leaves_every_cached_page_at_once(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    club = ClubFactory(name="Turning private")
    discussion = DiscussionFactory(club=club)
    url = discussion.get_absolute_url()
    assert client.get(url).status_code == 200  # and now cached for visitors
    assert client.get(url).status_code == 200

    admin = Client()
    admin.force_login(staff)
    change = reverse("admin:clubs_club_change", args=[club.pk])
    fields = {"name": club.name, "slug": club.slug, "language": "en", "premoderation": "on"}
    choices = {"visibility": "private", "joining": "request"}
    empty_inlines = {
        f"{prefix}-{key}": value
        for prefix in ("question_templates", "memberships")
        for key, value in [("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MIN_NUM_FORMS", 0)]
    }
    response = admin.post(change, fields | choices | empty_inlines)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert client.get(url).status_code == 404
    assert client.get(club.get_absolute_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_earlier_discussions_in_a_public_club_and_is_reversible():
    before, after = (
        [("discussions", "0006_follow")],
        [("discussions", "0009_discussion_club_required")],
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = applied_state()
        host = old.get_model("accounts", "User").objects.create(
            username="host", email="h@x.org", time_zone="UTC"
        )
        journal = old.get_model("articles", "Journal").objects.create(title="J", slug="j")
        article = old.get_model("articles", "Article").objects.create(
            title="A paper", slug="a-paper", journal=journal, published_on="2020-05-01"
        )
        old.get_model("discussions", "Discussion").objects.create(
            article=article, host=host, slug="from-before", status="open"
        )

        MigrationExecutor(connection).migrate(after)

        club = Club.objects.get()
        assert (club.slug, club.visibility, club.joining) == ("journal-club", "public", "open")
        new = applied_state()
        discussion = new.get_model("discussions", "Discussion").objects.get(slug="from-before")
        assert discussion.club_id == club.pk
        membership = new.get_model("clubs", "Membership").objects.get()
        assert (membership.member_id, membership.role) == (host.pk, "host")

        MigrationExecutor(connection).migrate(before)  # and back: the default club goes
        assert not Club.objects.exists()
        assert old.get_model("discussions", "Discussion").objects.filter(slug="from-before")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_admin_access_alone_opens_no_other_private_club_on_the_site(client, lead_in_admin):
    """Staff status lets a lead into the admin, not into the clubs they do not belong to."""
    _club, lead = lead_in_admin
    other = ClubFactory(visibility="private", joining="invitation", slug="someone-elses")
    theirs = DiscussionFactory(club=other, slug="not-ours", status="draft")
    CommentFactory(question=theirs.questions.first(), body="Their private words")
    client.force_login(lead)

    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert "Their private words" not in client.get("/search/?q=private+words").content.decode()

    curator = UserFactory(is_staff=True, roles=["Staff"])  # who curates clubs sees them
    client.force_login(curator)
    assert client.get(theirs.get_absolute_url()).status_code == 200
