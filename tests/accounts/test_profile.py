import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from discussions.models import Comment, Discussion
from tests.factories import CommentFactory, DiscussionFactory, UserFactory


def test_profile_shows_the_member_and_their_comments_newest_first(client, db):
    member = UserFactory(
        display_name="Priya V.",
        affiliation="Knowledge broker, Eastvale",
        orcid="0000-0002-1825-0097",
        bio="I connect research and practice.",
    )
    discussion = DiscussionFactory()
    older = CommentFactory(question=discussion.questions.first(), author=member, body="Older one")
    newer = CommentFactory(question=discussion.questions.last(), author=member, body="Newer one")

    response = client.get(member.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Priya V.</h1>" in content
    assert "Knowledge broker, Eastvale" in content
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in content
    assert "I connect research and practice." in content
    assert content.index("Newer one") < content.index("Older one")
    assert f'href="{discussion.get_absolute_url()}#comment-{newer.pk}"' in content
    assert f'href="{discussion.get_absolute_url()}#comment-{older.pk}"' in content


def test_profile_shows_the_handle_members_mention_them_by(client, db):
    member = UserFactory(username="priya-v", display_name="Priya V.")

    content = client.get(member.get_absolute_url()).content.decode()

    handle = '<p class="profile__handle">@priya-v</p>'
    assert handle in content
    assert content.index("<h1>Priya V.</h1>") < content.index(handle)  # under the name


def test_profile_bio_is_rendered_as_sanitised_markdown(client, db):
    member = UserFactory(
        bio="I connect **research** and [practice](https://example.org).\n\n"
        "# Interests\n\n<script>alert(1)</script>"
    )

    content = client.get(member.get_absolute_url()).content.decode()

    assert "<strong>research</strong>" in content
    assert '<a href="https://example.org" rel="nofollow ugc noopener">practice</a>' in content
    assert "<h3>Interests</h3>" in content  # as in comments: never as high as the page's own
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_profile_form_says_the_bio_may_use_markdown(member_client):
    response = member_client.get(reverse("accounts:profile-edit"))

    assert "Markdown works" in response.context["form"]["bio"].help_text


def test_profile_hides_deleted_comments_and_drafts(client, db):
    member = UserFactory()
    CommentFactory(
        question=DiscussionFactory(status=Discussion.Status.DRAFT).questions.first(),
        author=member,
        body="In a draft",
    )
    gone = CommentFactory(
        question=DiscussionFactory().questions.first(), author=member, body="Gone"
    )
    Comment.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    content = client.get(member.get_absolute_url()).content.decode()
    assert "In a draft" not in content
    assert "Gone" not in content
    assert "No comments yet." in content


@pytest.mark.usefixtures("clubs_counted")
def test_profile_query_count_is_constant(client, db, django_assert_num_queries):
    member = UserFactory()
    discussion = DiscussionFactory()
    CommentFactory(question=discussion.questions.first(), author=member)
    with django_assert_num_queries(3) as few:  # member, count, page of comments
        client.get(member.get_absolute_url())
    for question in discussion.questions.all():
        CommentFactory.create_batch(5, question=question, author=member)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(member.get_absolute_url())


def test_unknown_or_inactive_member_is_404(client, db):
    assert client.get(reverse("accounts:profile", args=["nobody"])).status_code == 404
    inactive = UserFactory(is_active=False)
    assert client.get(inactive.get_absolute_url()).status_code == 404


def test_member_edits_their_profile(member_client, member):
    response = member_client.post(
        reverse("accounts:profile-edit"),
        {
            "display_name": " New Name ",
            "affiliation": "Org",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "bio": "Hi",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "New Name"
    assert member.orcid == "0000-0002-1825-0097"


def test_invalid_profile_edit_keeps_what_was_typed(member_client, member):
    response = member_client.post(
        reverse("accounts:profile-edit"),
        {"display_name": "Kept", "affiliation": "Kept org", "orcid": "1234", "bio": "Kept bio"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "not a valid ORCID iD" in content
    assert 'value="Kept org"' in content
    assert User.objects.get(pk=member.pk).affiliation == ""


def test_a_display_name_over_the_limit_is_refused_and_kept(member_client, member):
    """A name of 150 characters: the limit (80) said next to it, what was typed kept."""
    name = "Maximiliana " * 12 + "Oppenheimer"
    response = member_client.post(
        reverse("accounts:profile-edit"), {"display_name": name, "affiliation": "Kept org"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 80 characters (it has 155)." in content
    assert f'value="{name}"' in content
    assert User.objects.get(pk=member.pk).display_name != name


def test_an_invalid_orcid_is_reported_once_on_the_profile_form(member_client):
    response = member_client.post(
        reverse("accounts:profile-edit"), {"display_name": "Kept", "orcid": "1234"}
    )

    assert response.context["form"].errors["orcid"] == [
        "“1234” is not a valid ORCID iD (e.g. 0000-0002-1825-0097)."
    ]
    assert response.content.decode().count("is not a valid ORCID iD") == 1


def test_profile_edit_needs_sign_in(client, db):
    response = client.get(reverse("accounts:profile-edit"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_own_profile_links_to_the_edit_page(member_client, member):
    content = member_client.get(member.get_absolute_url()).content.decode()
    assert reverse("accounts:profile-edit") in content


# --- Mention suggestions ------------------------------------------------------------------


def test_mention_suggestions_match_display_names_and_handles(member_client, db):
    priya = UserFactory(username="priya-v", display_name="Priya Venkatesan")
    UserFactory(username="tomas", display_name="Tomás Okafor", affiliation="City health unit")
    UserFactory(username="gone", display_name="Priya Gone", is_active=False)
    url = reverse("accounts:mentions")

    by_name = member_client.get(url, {"q": "pri"}).content.decode()
    assert f'data-handle="{priya.username}"' in by_name
    assert "Priya Venkatesan" in by_name
    assert "Priya Gone" not in by_name  # inactive members cannot be mentioned
    by_surname = member_client.get(url, {"q": "Okaf"}).content.decode()
    assert 'data-handle="tomas"' in by_surname
    assert "City health unit" in by_surname
    assert "No member by that name" in member_client.get(url, {"q": "zzz"}).content.decode()
    assert 'role="option"' not in member_client.get(url, {"q": ""}).content.decode()


def test_mention_suggestions_are_for_members_and_bounded(member_client, db):
    from django.test import Client

    from accounts.views import MENTION_SUGGESTIONS

    UserFactory.create_batch(MENTION_SUGGESTIONS + 3, display_name="Sam Same")
    url = reverse("accounts:mentions")
    assert Client().get(url, {"q": "sam"}).status_code == 302  # sign in first
    page = member_client.get(url, {"q": "sam" + "x" * 1000}).content.decode()
    assert 'role="option"' not in page
    assert member_client.get(url, {"q": "sam"}).content.decode().count('role="option"') == (
        MENTION_SUGGESTIONS
    )


def test_comment_headers_show_the_handle_to_mention_by_hand(client, discussion):
    comment = CommentFactory(question=discussion.questions.first())
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert f'<span class="comment__handle">@{comment.author.username}</span>' in page


def test_a_member_agrees_to_be_named_in_published_proceedings_and_takes_it_back(
    member_client, member
):
    url = reverse("accounts:profile-edit")
    assert "Name me in published proceedings" in member_client.get(url).content.decode()
    data = {"display_name": member.display_name, "named_in_proceedings": "on"}
    assert member_client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.named_in_proceedings
    member_client.post(url, {"display_name": member.display_name})
    member.refresh_from_db()
    assert not member.named_in_proceedings
