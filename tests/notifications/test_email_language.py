"""
Notification emails and digests are written in their recipient's language (their own
setting, else the site's), whatever the language of the writer or of the request that
caused them: words, links (``/fr/...``) and the HTML's ``lang`` all follow the recipient.

The French catalogue is still being written, so these tests do not look for French words:
they check the language every template was rendered in, and what only that language
changes (the ``lang`` attribute, the links).
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from discussions import services as discussion_services
from discussions.models import Comment
from moderation import services as moderation_services
from notifications import emails, services
from notifications.models import Delivery, Notification, NotificationSettings
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.notifications.factories import NotificationFactory

Kind = Notification.Kind
BASE = "https://club.example.org"
LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.JOURNAL_CLUB_BASE_URL = BASE


@pytest.fixture
def rendered(monkeypatch):
    """The language active as each email template was rendered: (recipient, template, language)."""
    seen = []
    render = emails.render_to_string

    def recording(template_name, context=None, *args, **kwargs):
        seen.append((context["member"].email, template_name, translation.get_language()))
        return render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(emails, "render_to_string", recording)
    return seen


def path_in(language: str, name: str, *args) -> str:
    """A page's address in ``language`` (tests may run after a request left French active)."""
    with translation.override(language):
        return reverse(name, args=args)


def languages_for(rendered, member) -> set[str]:
    return {language for email, _template, language in rendered if email == member.email}


def html_of(email) -> str:
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    return html


def assert_written_in(email, language: str) -> None:
    """Its HTML says the language, and every link in it leads to that language's pages."""
    html = html_of(email)
    assert f'<html lang="{language}">' in html
    links = LINK.findall(email.body) + LINK.findall(html)
    links.append(email.extra_headers["List-Unsubscribe"].strip("<>"))
    assert links
    for link in links:
        assert link.startswith(BASE), link
        path = link[len(BASE) :]
        if language == "en":
            assert not path.startswith("/fr/"), link
        else:
            assert path.startswith(f"/{language}/"), link


def email_to(mailoutbox, member):
    (email,) = [email for email in mailoutbox if email.to == [member.email]]
    return email


def held_comment(**kwargs) -> Comment:
    return CommentFactory(status=Comment.Status.PENDING, **kwargs)


# --- One email per notification ------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [Kind.REPLY, Kind.MENTION, Kind.FOLLOWED_COMMENT, Kind.HELPFUL, Kind.HELD],
)
def test_a_french_member_gets_each_kind_of_email_in_french(db, mailoutbox, rendered, kind):
    member = UserFactory(language="fr")
    comment = held_comment() if kind == Kind.HELD else CommentFactory()
    NotificationFactory(recipient=member, kind=kind, comment=comment)

    assert services.send_pending_immediate().sent == 1

    (email,) = mailoutbox
    assert_written_in(email, "fr")
    assert f"{BASE}/fr/" in email.body
    assert languages_for(rendered, member) == {"fr"}
    assert {template for _email, template, _language in rendered} == {
        "notifications/email/notification_subject.txt",
        "notifications/email/notification_body.txt",
        "notifications/email/notification_body.html",
    }


def test_a_new_discussion_is_announced_to_a_french_member_in_french(db, mailoutbox, rendered):
    member = UserFactory(language="fr")
    discussion = DiscussionFactory()
    NotificationFactory(
        recipient=member,
        kind=Kind.DISCUSSION_OPENED,
        comment=None,
        discussion=discussion,
        actor=discussion.host,
        key=f"opened:{discussion.pk}",
    )

    services.send_pending_immediate()

    (email,) = mailoutbox
    assert_written_in(email, "fr")
    assert f"{BASE}{path_in('fr', 'discussions:detail', discussion.slug)}" in email.body
    assert languages_for(rendered, member) == {"fr"}


def test_an_english_member_gets_english_whatever_the_writer_and_the_request(
    db, mailoutbox, rendered
):
    """A French writer, and the sending run under French (a French member's request)."""
    member = UserFactory(language="en")
    writer = UserFactory(language="fr")
    NotificationFactory(recipient=member, comment__author=writer, actor=writer)

    with translation.override("fr"):
        services.send_pending_immediate()
        assert translation.get_language() == "fr"  # and left as it was

    (email,) = mailoutbox
    assert_written_in(email, "en")
    assert languages_for(rendered, member) == {"en"}


def test_a_member_without_a_preference_gets_the_sites_language(db, mailoutbox, rendered):
    member = UserFactory(language="")
    with translation.override("fr"):
        NotificationFactory(recipient=member)
        services.send_pending_immediate()

    assert_written_in(mailoutbox[0], "en")
    assert languages_for(rendered, member) == {"en"}


def test_one_run_writes_to_each_member_in_their_own_language(db, mailoutbox, rendered):
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    comment = CommentFactory()
    NotificationFactory(recipient=french, comment=comment)
    NotificationFactory(recipient=english, comment=comment)

    assert services.send_pending_immediate().sent == 2

    assert_written_in(email_to(mailoutbox, french), "fr")
    assert_written_in(email_to(mailoutbox, english), "en")
    assert languages_for(rendered, french) == {"fr"}
    assert languages_for(rendered, english) == {"en"}


def test_the_french_one_click_unsubscribe_link_works(db, mailoutbox, client):
    member = UserFactory(language="fr")
    NotificationFactory(recipient=member)
    services.send_pending_immediate()
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{BASE}/fr/notifications/unsubscribe/")

    response = client.post(link[len(BASE) :], {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert NotificationSettings.for_member(member).delivery_for(Kind.REPLY) == Delivery.NEVER


# --- Digests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [Delivery.DAILY, Delivery.WEEKLY])
def test_each_member_gets_their_digest_in_their_own_language(db, mailoutbox, rendered, period):
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    for member in (french, english):
        NotificationFactory.create_batch(2, recipient=member, email_delivery=period)

    with translation.override("fr"):
        assert services.send_digest(period=period).sent == 2

    assert_written_in(email_to(mailoutbox, french), "fr")
    assert_written_in(email_to(mailoutbox, english), "en")
    assert languages_for(rendered, french) == {"fr"}
    assert languages_for(rendered, english) == {"en"}
    assert {template for _email, template, _language in rendered} == {
        "notifications/email/digest_subject.txt",
        "notifications/email/digest_body.txt",
        "notifications/email/digest_body.html",
    }


# --- From the event to the email ------------------------------------------------------------


def test_a_french_members_reply_notifies_an_english_member_in_english(
    db, mailoutbox, rendered, worker
):
    english = UserFactory(language="en")
    french = UserFactory(language="fr")
    answer = CommentFactory(author=english)

    with translation.override("fr"), worker():
        discussion_services.comment_post(
            question=answer.question, author=french, body="Une réponse.", parent=answer
        )

    email = email_to(mailoutbox, english)
    assert_written_in(email, "en")
    assert languages_for(rendered, english) == {"en"}


def test_a_comment_held_after_flags_reaches_each_moderator_in_their_language(
    db, settings, mailoutbox, rendered, worker
):
    """The flags and the flagger are French; the club's two moderators each get their own."""
    settings.JOURNAL_CLUB_FLAGS_TO_HIDE = 1
    club = ClubFactory()
    french = MembershipFactory(club=club, role="moderator", member__language="fr").member
    english = MembershipFactory(club=club, role="lead", member__language="en").member
    flagger = MembershipFactory(club=club, member__language="fr").member
    comment = CommentFactory(question=DiscussionFactory(club=club).questions.first())

    with translation.override("fr"), worker():
        moderation_services.flag_create(comment=comment, flagger=flagger, reason="disrespectful")

    french_email, english_email = email_to(mailoutbox, french), email_to(mailoutbox, english)
    assert_written_in(french_email, "fr")
    assert f"{BASE}{path_in('fr', 'moderation:comment', comment.pk)}" in french_email.body
    assert_written_in(english_email, "en")
    assert f"{BASE}{path_in('en', 'moderation:comment', comment.pk)}" in english_email.body
    assert languages_for(rendered, french) == {"fr"}
    assert languages_for(rendered, english) == {"en"}
