"""
Who is speaking: each comment shows its author's avatar, name, affiliation and badges (the
discussion's host, an author of the paper, a moderator), on the page, on a question's own
page and in an htmx answer, and a change to any of them shows on the next view.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.forms import ProfileForm
from accounts.services import profile_update
from accounts.signals import member_changed
from articles.signals import papers_changed
from discussions.selectors import member_roles
from tests.factories import AuthorFactory, CommentFactory, DiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db


def badges(html: str, comment) -> list[str]:
    """The badges beside the name on this comment."""
    article = re.search(
        rf'<article class="comment[^"]*" id="comment-{comment.pk}">.*?</header>', html, re.S
    )
    return re.findall(r'<span class="role role--(\w+)">', article.group(0))


@pytest.fixture
def speakers():
    discussion = DiscussionFactory()
    question = discussion.questions.first()
    writer = UserFactory(display_name="Ada Writer", affiliation="Analytical Engines Ltd")
    AuthorFactory(article=discussion.article, member=writer)
    moderator = UserFactory(roles=["Moderators"])
    plain = UserFactory(affiliation="")
    comments = {
        "host": CommentFactory(question=question, author=discussion.host),
        "author": CommentFactory(question=question, author=writer),
        "moderator": CommentFactory(question=question, author=moderator),
        "plain": CommentFactory(question=question, author=plain),
    }
    return discussion, comments


def test_each_comment_shows_who_is_speaking(client, speakers):
    discussion, comments = speakers
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert badges(html, comments["host"]) == ["host"]
    assert badges(html, comments["author"]) == ["author"]
    assert badges(html, comments["moderator"]) == ["moderator"]
    assert badges(html, comments["plain"]) == []
    assert ">Host</span>" in html
    assert ">Author of the paper</span>" in html
    assert '<span class="comment__affiliation" dir="auto">Analytical Engines Ltd</span>' in html
    assert '<span class="avatar avatar--c' in html
    assert 'aria-hidden="true">AW</span>' in html
    # The question's own page shows the same.
    page = client.get(reverse("discussions:question", args=[discussion.slug, 1])).content.decode()
    assert badges(page, comments["author"]) == ["author"]


def test_an_htmx_answer_carries_the_badges(client, speakers):
    discussion, comments = speakers
    host = discussion.host
    client.force_login(host)
    response = client.post(
        reverse("discussions:comment-reply", args=[comments["plain"].pk]),
        {"body": "Thank you."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    reply = discussion.host.comments.latest("created_at")
    assert badges(response.content.decode(), reply) == ["host"]


def test_a_typed_orcid_id_alone_makes_no_author(client, speakers):
    """Only staff make a member an author of a paper (Author.member), never a claim."""
    discussion, _comments = speakers
    author = discussion.article.authors.first()
    impostor = UserFactory(orcid=author.orcid) if author.orcid else UserFactory()
    comment = CommentFactory(question=discussion.questions.first(), author=impostor)
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert badges(html, comment) == []


def test_changes_to_a_speaker_show_on_the_next_view(client, speakers):
    discussion, comments = speakers
    url = discussion.get_absolute_url()
    client.get(url)  # cached

    plain = comments["plain"].author
    form = ProfileForm(
        data={"display_name": "Now Named", "affiliation": "New Place", "time_zone": "UTC"},
        instance=plain,
    )
    assert form.is_valid(), form.errors
    profile_update(form=form)
    html = client.get(url).content.decode()
    assert "New Place" in html
    assert "Now Named" in html

    plain.groups.add(Group.objects.get(name="Moderators"))  # as the admin's save announces it
    member_changed.send(sender=type(plain), member=plain)
    assert badges(client.get(url).content.decode(), comments["plain"]) == ["moderator"]

    writer_author = discussion.article.authors.get(member__isnull=False)
    writer_author.member = None
    writer_author.save()
    papers_changed.send(sender=type(discussion.article), articles=[discussion.article.pk])
    assert badges(client.get(url).content.decode(), comments["author"]) == []


def test_member_roles_is_one_query(speakers, django_assert_num_queries):
    discussion, comments = speakers
    ids = {comment.author_id for comment in comments.values()}
    with django_assert_num_queries(1):
        roles = member_roles(discussion, ids)
    assert sorted(roles.values()) == [("author",), ("host",), ("moderator",)]
