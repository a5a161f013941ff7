"""
The French interface is complete: every page of the site, and every email to a French
member, shows no English word of the catalogue outside content marked as another language.

Every URL of the access matrix that some role may read is fetched at its French address
(/fr/...) by that role, in a world whose content is French. The page's text (and the
attributes people read: titles, labels, placeholders, alternative text) is taken apart
into words, leaving out what carries a ``lang`` other than French (a comment written in
English, a paper's English title). A word that occurs in the English of the catalogue and
nowhere in its French is a string left untranslated, or one that never went through the
translation functions. Names and codes that are the same in every language (time zones,
machine-readable citations) are marked ``translate="no"``, as HTML provides.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from clubs import services as club_services
from clubs.models import Role
from discovery.index import rebuild
from discussions.models import Comment
from moderation.models import ModerationAction
from notifications import services as notifications
from notifications.models import Delivery, Notification
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.notifications.factories import NotificationFactory
from tests.test_access_matrix import MATRIX, World

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
JS_CATALOGUE = CATALOGUE.with_name("djangojs.po")
# Read in attributes as well as in text.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "template"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Words of the catalogue's English that are names, or French too, whatever the catalogue
# happens to say.
NOT_ENGLISH = {
    "journal", "club", "clubs", "orcid", "doi", "dois", "markdown", "bibtex", "ris", "json",
    "atom", "crossref", "pubmed", "doaj", "datacite", "europe", "pmc", "html", "ctrl",
    "email", "url", "isbn", "issn", "csv", "ical", "ics", "utc", "api", "pdf", "latex",
    "open", "access", "canada", "brokers",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Pages that are in English only, and say so (<html lang="en">): the API's docs, which
# Swagger UI writes in English whatever the site's language.
ENGLISH_ONLY = {"api:docs"}
# Pages some role reads: the role that sees most of each is asked first.
READERS = ["staff", "moderator", "host", "member", "anonymous"]


def english_words() -> set[str]:
    """Words of the catalogues' English that their French never uses."""
    english, french = set(), set()
    for path in (CATALOGUE, JS_CATALOGUE):
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            for text in (entry.msgid, entry.msgid_plural):
                english |= _words(_without_placeholders(text))
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                french |= _words(_without_placeholders(text))
    return {word for word in english - french - NOT_ENGLISH if len(word) > 2}


def _without_placeholders(text: str) -> str:
    text = re.sub(r"%\(\w+\)[sd]|\{\{?[^}]*\}?\}|<[^>]+>|&\w+;", " ", text or "")
    # Names of commands, options and settings read the same in every language: their
    # words do not make English words French.
    text = re.sub(r"--[\w-]+|\b\w+_\w+\b", " ", text)
    return re.sub(r"https?://\S+", " ", text)


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


class ReadableText(HTMLParser):
    """The text a French reader reads on a page, leaving out parts in other languages."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, left out)
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        language = attributes.get("lang")
        skipped = (
            tag in SKIPPED_ELEMENTS
            or attributes.get("translate") == "no"  # names, codes: the same in every language
            or (language is not None and not language.lower().startswith("fr"))
        )
        if tag == "html":
            skipped = False  # the page's own language is checked below
        if not (skipped or self.skipping):
            self.parts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = ReadableText()
    parser.feed(html)
    return " ".join(parser.parts)


def frenchify(world: World) -> None:
    """The world's content, written in French, as a French club's would be."""
    discussion = world.discussion
    club = discussion.club
    club.name, club.tagline, club.language = "Cercle de lecture", "Lire ensemble", "fr"
    club.description = "Nous lisons des articles de recherche."
    club.save()
    article = discussion.article
    article.title = "Le courtage de connaissances en santé publique"
    article.language = "fr"
    article.save()
    article.subjects.update(name="Courtage de connaissances")
    for section in article.abstract_sections.all():
        section.title, section.body = "Contexte", "Une étude qualitative menée au Québec."
        section.save()
    journal = article.journal
    if journal is not None:
        journal.title = "Santé publique"
        journal.save()
    discussion.commentary = "Un article utile pour notre pratique."
    discussion.language = "fr"
    discussion.save()
    discussion.questions.update(text="Que retenez-vous de cette étude ?")
    Comment.objects.filter(question__discussion=discussion).update(
        body="Une réponse réfléchie.",
        body_html="<p>Une réponse réfléchie.</p>",
        language="fr",
    )
    for user in get_user_model().objects.all():
        user.username = f"camille{user.pk}"
        user.email = f"camille{user.pk}@example.org"
        user.display_name = "Camille Tremblay"
        user.affiliation = "Réseau de santé"
        user.bio = "Courtière de connaissances."
        user.save()
        EmailAddress.objects.filter(user=user).update(email=user.email)
    for user in world.users.values():
        user.refresh_from_db()
    world.nomination.reason = "À lire ensemble."
    world.nomination.save()
    world.invitation.email = "dominique@example.org"
    world.invitation.save()
    world.suspension.reason = "Propos déplacés."
    world.suspension.save()
    ModerationAction.objects.update(target="Camille Tremblay", reason="Propos déplacés.")
    rebuild()  # the search index, as the content now reads


def test_the_catalogue_has_english_to_look_for():
    words = english_words()
    assert {"the", "your", "with"} <= words  # what a page left in English would show


@pytest.mark.django_db
def test_no_english_on_any_page_in_french():
    world = World()
    frenchify(world)
    vocabulary = english_words()
    failures = []
    for name, (build, table) in sorted(MATRIX.items()):
        role = next((role for role in READERS if table[role][0] == 200), None)
        if role is None or name in ENGLISH_ONLY:
            continue
        with translation.override("fr"):
            url = build(world)
        response = world.client(role).get(url, HTTP_ACCEPT_LANGUAGE="fr")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if "<html" in html[:300] and 'lang="fr"' not in html[:300]:
            failures.append(f"{name} ({url}): not served in French")
            continue
        found = sorted(_words(readable_text(html)) & vocabulary)
        if found:
            failures.append(f"{name} ({url}) as {role}: {', '.join(found)}")
        world.reset()
    assert failures == [], "English words on French pages:\n" + "\n".join(failures)


def _french_people_and_paper():
    """A French member, a French writer and a French paper's discussion, as email needs."""
    writer = UserFactory(username="dominique", display_name="Dominique Roy", language="fr")
    reader = UserFactory(username="camille", display_name="Camille Tremblay", language="fr")
    discussion = DiscussionFactory(
        language="fr",
        article__title="Le courtage de connaissances en santé publique",
        article__language="fr",
    )
    discussion.questions.update(text="Que retenez-vous de cette étude ?")
    comment = CommentFactory(
        question=discussion.questions.first(),
        author=writer,
        body="Une réponse réfléchie.",
        body_html="<p>Une réponse réfléchie.</p>",
        language="fr",
    )
    return writer, reader, discussion, comment


def _english_in(message, vocabulary) -> list[str]:
    texts = [message.subject, message.body]
    texts += [readable_text(html) for html, _type in getattr(message, "alternatives", [])]
    # Addresses are not words: "/fr/notifications/settings/" is the French page.
    texts = [re.sub(r"https?://\S+", " ", text) for text in texts]
    return sorted(set().union(*(_words(text) & vocabulary for text in texts)))


@pytest.mark.django_db
def test_no_english_in_the_emails_to_a_french_member(
    mailoutbox, django_capture_on_commit_callbacks
):
    """Every kind of notification email, the digests and the clubs' emails, in French."""
    vocabulary = english_words()
    writer, reader, discussion, comment = _french_people_and_paper()
    kinds = [kind for kind in Notification.Kind.values if kind != Notification.Kind.HELD]
    for kind in kinds:  # (a held comment's email: tests/notifications/test_email_language.py)
        with_comment = kind != Notification.Kind.DISCUSSION_OPENED
        NotificationFactory(
            recipient=reader,
            kind=kind,
            comment=comment if with_comment else None,
            discussion=discussion,
            actor=writer,
            key=f"{kind}:{comment.pk}",
        )
    notifications.send_pending_immediate()
    NotificationFactory(
        recipient=reader,
        comment=comment,
        actor=writer,
        key="digest",
        email_delivery=Delivery.DAILY,
    )
    notifications.send_digest(period=Delivery.DAILY)
    club = ClubFactory(
        name="Cercle de lecture", tagline="Lire ensemble.", joining="request", language="fr"
    )
    MembershipFactory(club=club, role=Role.LEAD, member=reader)
    with django_capture_on_commit_callbacks(execute=True):
        request = club_services.join_request_create(club=club, member=writer, message="Bonjour")
    with django_capture_on_commit_callbacks(execute=True):
        club_services.join_request_decide(
            join_request=request, by=reader, approve=True, response="Bienvenue."
        )
    with django_capture_on_commit_callbacks(execute=True):
        club_services.invitation_create(club=club, by=reader, email="sacha@example.org")

    assert len(mailoutbox) == len(kinds) + 4
    failures = [
        f"{message.subject}: {', '.join(found)}"
        for message in mailoutbox
        if (found := _english_in(message, vocabulary))
    ]
    assert failures == [], "English words in French emails:\n" + "\n".join(failures)
