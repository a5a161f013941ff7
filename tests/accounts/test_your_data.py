"""A member's own data: the JSON export and deleting the account."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import models
from django.urls import reverse

from accounts.models import User
from discovery import index
from discussions import services as discussion_services
from discussions.models import Comment, CommentRevision
from moderation import services as moderation
from tests.factories import CommentFactory, UserFactory

PASSWORD = "correct horse"


@pytest.fixture
def writer(discussion):
    member = UserFactory(
        username="priya_v", email="priya.v@example.org", display_name="Priya V.",
        affiliation="Eastvale", bio="Broker.",
    )  # fmt: skip
    question = discussion.questions.first()
    answer = CommentFactory(question=question, author=member, body="My answer")
    CommentFactory(parent=answer, body="A reply by someone else")
    return member


def test_export_holds_profile_comments_and_versions(client, writer):
    client.force_login(writer)
    response = client.get(reverse("accounts:data-export"))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Priya V."
    assert data["email_addresses"][0]["email"] == "priya.v@example.org"
    assert [c["text"] for c in data["comments"]] == ["My answer"]


def test_export_holds_each_comments_earlier_versions_with_when_they_were_replaced(client, writer):
    answer = Comment.objects.get(author=writer)
    posted = answer.created_at
    edited = posted + datetime.timedelta(hours=1)
    CommentRevision.objects.create(
        comment=answer, body="My first answer", written_at=posted, replaced_at=edited
    )
    CommentRevision.objects.create(
        comment=answer,
        body="My second answer",
        written_at=edited,
        replaced_at=edited + datetime.timedelta(hours=1),
    )
    client.force_login(writer)

    data = json.loads(client.get(reverse("accounts:data-export")).content)

    assert data["comments"][0]["earlier_versions"] == [
        {
            "text": "My second answer",
            "written": edited.isoformat(),
            "replaced": (edited + datetime.timedelta(hours=1)).isoformat(),
        },
        {"text": "My first answer", "written": posted.isoformat(), "replaced": edited.isoformat()},
    ]


def test_export_holds_what_every_app_keeps_about_the_member(client, writer, discussion):
    answer = Comment.objects.get(author=writer)
    someone_elses = CommentFactory(question=answer.question)
    discussion_services.comment_mark_helpful(comment=someone_elses, member=writer)
    discussion_services.follow_toggle(member=writer, discussion=discussion, follow=True)
    moderation.flag_create(comment=someone_elses, flagger=writer, reason="off_topic", note="Hm")
    client.force_login(writer)

    data = json.loads(client.get(reverse("accounts:data-export")).content)

    assert data["marked_helpful"] == [someone_elses.pk]
    assert data["follows"] == [
        {
            "kind": "discussion",
            "url": discussion.get_absolute_url(),
            "since": data["follows"][0]["since"],
        }
    ]
    assert data["flags"] == [{"comment": someone_elses.pk, "reason": "off_topic", "details": "Hm"}]
    assert data["notification_settings"]["reply"] == "immediate"


def test_export_needs_sign_in(client, db):
    assert client.get(reverse("accounts:data-export")).status_code == 302


def holders_of(value: str, *, exclude_pk: int | None = None) -> list[str]:
    """Every table.column whose text contains ``value`` (case-insensitive)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and field.concrete:
                rows = model._default_manager.filter(**{f"{field.name}__icontains": value})
                if rows.exists():
                    found.append(f"{model._meta.db_table}.{field.column}")
    return found


@pytest.mark.parametrize("remove_text", [False, True])
def test_deleting_the_account_leaves_no_trace_of_email_or_username(client, writer, remove_text):
    moderator = UserFactory(roles=["Moderators"])
    answer = Comment.objects.get(author=writer)
    moderation.comment_hide(comment=answer, moderator=moderator, reason="test")
    moderation.comment_restore(comment=answer, moderator=moderator)
    index.index_comment(answer)
    client.force_login(writer)

    response = client.post(
        reverse("accounts:delete"),
        {"password": PASSWORD, "remove_text": "1" if remove_text else ""},
    )

    assert response.status_code == 302
    assert holders_of("priya.v@example.org") == []
    assert holders_of("priya_v") == []
    assert holders_of("Eastvale") == []
    member = User.objects.get(pk=writer.pk)
    assert not member.is_active
    assert not member.has_usable_password()
    assert not EmailAddress.objects.filter(user=member).exists()
    answer.refresh_from_db()
    assert Comment.objects.filter(body="A reply by someone else", parent=answer).exists()
    if remove_text:
        assert answer.is_deleted
        assert answer.body == ""
        assert holders_of("My answer") == []  # the search index let go of it too
    else:
        assert answer.body == "My answer"
    page = client.get(answer.question.discussion.get_absolute_url()).content.decode()
    assert "A reply by someone else" in page
    if not remove_text:
        assert "Deleted member" in page


def test_deleting_needs_the_password_and_keeps_everything_otherwise(client, writer):
    client.force_login(writer)
    response = client.post(reverse("accounts:delete"), {"password": "wrong", "remove_text": "1"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    writer.refresh_from_db()
    assert writer.is_active
    assert Comment.objects.get(author=writer).body == "My answer"


def test_a_deleted_member_cannot_sign_in(client, writer):
    client.force_login(writer)
    client.post(reverse("accounts:delete"), {"password": PASSWORD})
    response = client.post(
        reverse("account_login"), {"login": "priya.v@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
