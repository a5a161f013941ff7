"""The discussion page is rendered once per change for readers who are not signed in."""

import pytest
from allauth.account.models import EmailConfirmationHMAC
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions import caching, services
from discussions.caching import discussions_changed
from discussions.models import Comment, Discussion
from moderation import services as moderation
from tests.admin_forms import admin_change
from tests.factories import CommentFactory, DiscussionFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussion():
    discussion = DiscussionFactory()
    CommentFactory.create_batch(3, question=discussion.questions.first())
    return discussion


def page(client, discussion, **params) -> str:
    response = client.get(discussion.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def queries(client, discussion) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, discussion)
    return len(captured)


def test_a_second_view_is_served_from_the_cache_without_the_database(client, discussion):
    first = queries(client, discussion)
    assert queries(client, discussion) == 0 < first  # the version is kept in the cache too
    assert page(client, discussion) == page(client, discussion)


def test_a_kept_version_is_read_again_once_it_is_older_than_its_timeout(client, discussion):
    from django.core.cache import cache

    from discussions.caching import page_version_key

    page(client, discussion)
    cache.delete(page_version_key(discussion.slug))  # as its timeout does
    assert queries(client, discussion) == 1  # the discussion's id, version and status


def change_cases():
    """Each thing the page shows, changed the way the site changes it: services, forms, admin."""

    def post(discussion, question, comment, member):
        services.comment_post(question=question, author=member, body="A brand new answer.")
        return "A brand new answer."

    def edit(discussion, question, comment, member):
        services.comment_edit(comment=comment, editor=comment.author, body="Edited words.")
        return "Edited words."

    def delete(discussion, question, comment, member):
        services.comment_delete(comment=comment, actor=comment.author)
        return "deleted by its author"

    def helpful(discussion, question, comment, member):
        services.comment_mark_helpful(comment=comment, member=member)
        return "1 found this helpful"

    def hide(discussion, question, comment, member):
        moderator = UserFactory(roles=["Moderators"])
        moderation.comment_hide(comment=comment, moderator=moderator, reason="Off topic here.")
        return "Off topic here."

    def lock(discussion, question, comment, member):
        moderator = UserFactory(roles=["Moderators"])
        moderation.question_lock(question=question, moderator=moderator, note="Cooling down.")
        return "Cooling down."

    def synthesis(discussion, question, comment, member):
        services.question_synthesis_save(
            question=question,
            editor=discussion.host,
            synthesis="What we agreed on.",
            is_answered=True,
        )
        return "What we agreed on."

    def rename(discussion, question, comment, member):
        author = Client()
        author.force_login(comment.author)
        response = author.post(
            reverse("accounts:profile-edit"),
            {"display_name": "Renamed Person", "affiliation": "", "orcid": "", "bio": ""},
        )
        assert response.status_code == 302
        return "Renamed Person"

    def question_text(discussion, question, comment, member):
        admin_change(staff(), admin_url(discussion), **{"questions-0-text": "A reworded question?"})
        return "A reworded question?"

    def paper(discussion, question, comment, member):
        admin_change(staff(), admin_url(discussion.article), title="A corrected title")
        return "A corrected title"

    def author(discussion, question, comment, member):
        admin_change(staff(), admin_url(discussion.article), **{"authors-0-family_name": "Zyx"})
        return "Zyx"

    def subject(discussion, question, comment, member):
        topic = SubjectFactory(name="Old topic name")
        discussion.article.subjects.add(topic)
        discussions_changed([discussion.pk])  # as the admin's save of the paper would say
        before = page(Client(), discussion)
        assert "Old topic name" in before
        admin_change(staff(), admin_url(topic), name="Knowledge mobilisation")
        return "Knowledge mobilisation"

    def journal(discussion, question, comment, member):
        admin_change(staff(), admin_url(discussion.article.journal), title="Renamed Journal")
        return "Renamed Journal"

    def session(discussion, question, comment, member):
        admin_change(
            staff(),
            reverse("admin:events_meeting_add"),
            discussion=str(discussion.pk),
            starts_at_0="2026-12-24",
            starts_at_1="10:00:00",
            duration="60",
            place="Room 4.21, the library",
        )
        return "Room 4.21, the library"

    return [
        post,
        edit,
        delete,
        helpful,
        hide,
        lock,
        synthesis,
        rename,
        question_text,
        paper,
        author,
        subject,
        journal,
        session,
    ]


def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize("change", change_cases(), ids=lambda change: change.__name__)
def test_every_change_shows_on_the_next_view(client, discussion, change):
    question = discussion.questions.first()
    comment = Comment.objects.filter(question=question).first()
    member = UserFactory()
    before = page(client, discussion)
    expected = change(discussion, question, comment, member)
    assert expected not in before.replace("Old topic name", "")
    assert expected in page(client, discussion)


def test_signed_in_members_get_their_own_page(client, discussion):
    comment = Comment.objects.filter(question__discussion=discussion).first()
    page(client, discussion)  # cached for readers who are not signed in
    client.force_login(comment.author)
    mine = page(client, discussion)
    assert f'href="/comments/{comment.pk}/edit/"' in mine
    client.logout()
    assert f'href="/comments/{comment.pk}/edit/"' not in page(client, discussion)


def test_each_sort_and_page_is_cached_apart(client, discussion):
    assert page(client, discussion, sort="newest") != page(client, discussion)
    assert 'href="?sort=newest#questions-heading" aria-current="true"' in page(
        client, discussion, sort="newest"
    )


def test_a_draft_is_never_served_from_the_cache(client, discussion):
    page(client, discussion)
    Discussion.objects.filter(pk=discussion.pk).update(status=Discussion.Status.DRAFT)
    discussions_changed([discussion.pk])  # as the admin's save does
    assert client.get(discussion.get_absolute_url()).status_code == 404


def test_a_group_change_does_not_touch_pages(client, discussion):
    page(client, discussion)
    version = Discussion.objects.get(pk=discussion.pk).version
    UserFactory().groups.add(Group.objects.get(name="Hosts"))
    assert Discussion.objects.get(pk=discussion.pk).version == version


@pytest.mark.usefixtures("clubs_counted")
def test_the_cache_can_be_turned_off(client, discussion, settings):
    settings.DISCUSSION_PAGE_CACHE = False
    first = queries(client, discussion)
    assert queries(client, discussion) == first > 1


def test_the_cached_page_holds_nothing_of_one_visitor(client, discussion):
    """No CSRF token, session or sign-in state may be stored and shown to the next reader."""
    content = page(client, discussion)
    assert "csrfmiddlewaretoken" not in content
    assert "X-CSRFToken" not in content
    assert "Sign in" in content


# --- A member's page, cached whole for them ---------------------------------------------------


def member_cases():
    """What changes a member's own page without changing the discussion, each as it happens."""

    def follow_a_thread(client, discussion, member, moderator):
        thread = Comment.objects.filter(question__discussion=discussion, parent=None).first()
        client.post(reverse("discussions:comment-follow", args=[thread.pk]), {"follow": "1"})
        return "Unfollow thread"

    def follow_the_discussion(client, discussion, member, moderator):
        services.follow_toggle(member=member, discussion=discussion, follow=True)
        return "Unfollow this discussion"

    def suspended(client, discussion, member, moderator):
        moderation.member_suspend(member=member, moderator=moderator, reason="Cooling off.")
        return "Cooling off."

    def renamed(client, discussion, member, moderator):
        client.post(
            reverse("accounts:profile-edit"),
            {"display_name": "Renamed Reader", "affiliation": "", "orcid": "", "bio": ""},
        )
        return "Renamed Reader"

    def notified(client, discussion, member, moderator):
        from notifications.models import Notification

        Notification.objects.create(
            recipient=member, kind=Notification.Kind.DISCUSSION_OPENED, discussion=discussion,
            key=f"opened:{discussion.pk}",
        )  # fmt: skip
        return "Notifications, 1 unread"

    return [follow_a_thread, follow_the_discussion, suspended, renamed, notified]


@pytest.mark.parametrize("change", member_cases(), ids=lambda change: change.__name__)
def test_every_change_of_a_members_own_shows_on_their_next_view(client, discussion, change):
    member = UserFactory()
    moderator = UserFactory(roles=["Moderators"])
    client.force_login(member)
    page(client, discussion)
    before = page(client, discussion)  # from the cache now
    expected = change(client, discussion, member, moderator)
    assert expected not in before
    assert expected in page(client, discussion)


def test_confirming_an_address_makes_the_forms_appear_at_once(client, discussion):
    from allauth.account.models import EmailAddress

    member = UserFactory(verified=False)
    client.force_login(member)
    page(client, discussion)
    assert "Post your answer" not in page(client, discussion)
    address = EmailAddress.objects.get(user=member)
    confirmation = EmailConfirmationHMAC(address)
    client.post(reverse("account_confirm_email", args=[confirmation.key]))
    client.force_login(member)
    assert "Post your answer" in page(client, discussion)


def test_a_members_reload_is_served_whole(client, discussion):
    client.force_login(UserFactory())
    page(client, discussion)
    first = page(client, discussion)
    with CaptureQueriesContext(connection) as captured:
        again = page(client, discussion)
    assert again == first
    statements = [query["sql"] for query in captured]
    # The session, the account, the discussion and the bell's count: nothing of the page.
    assert len(statements) == 4, statements


def test_keys_carry_the_release_of_templates_and_code(settings, tmp_path):
    """A template edited between deploys makes every key new: nothing stale is read."""
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>before</p>")
    settings.BASE_DIR = tmp_path
    before = caching._release()
    assert caching._release() == before  # the same files, the same release
    template.write_text("<p>after</p>")
    assert caching._release() != before
    assert caching.RELEASE in caching.page_key(discussion_id=1, version=1, sort="oldest")
    assert caching.RELEASE in caching.page_data_key(discussion_id=1, version=1, sort="oldest")
    assert caching.RELEASE in caching.rendering_context()  # and so in every comment's key
