"""Content that knows its language: discussions, their translations, and comments."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from discussions import hosting, services
from discussions.models import Comment, DiscussionTranslation, QuestionTranslation
from discussions.services import NotAllowed
from tests.factories import (
    ArticleFactory,
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def french_club():
    return ClubFactory(name="Cercle", slug="cercle", language="fr")


@pytest.fixture
def discussion(french_club):
    discussion = DiscussionFactory(
        club=french_club,
        language="fr",
        commentary="Un article **utile** pour les courtiers.",
    )
    question = discussion.questions.get(number=1)
    question.text = "Que retenez-vous de l'étude ?"
    question.synthesis = "Les réponses convergent."
    question.save()
    return discussion


def translate(discussion, **overrides):
    question = discussion.questions.get(number=1)
    arguments = {
        "discussion": discussion,
        "editor": discussion.host,
        "language": "en",
        "commentary": "A *useful* paper for brokers.",
        "questions": {question.pk: ("What do you take from the study?", "Answers agree.")},
    } | overrides
    return hosting.discussion_translation_save(**arguments)


# --- Discussions and their translations --------------------------------------------------


def test_a_new_draft_is_in_its_clubs_language(french_club):
    lead = MembershipFactory(club=french_club, role="lead").member
    draft = hosting.discussion_draft_create(
        club=french_club, article=ArticleFactory(), host=lead, questions=["Pourquoi ?"]
    )
    assert draft.language == "fr"
    other = hosting.discussion_draft_create(
        club=french_club, article=ArticleFactory(), host=lead, questions=["Why?"], language="en"
    )
    assert other.language == "en"


def test_a_host_saves_a_translation_and_readers_of_that_language_see_it(client, discussion):
    version = discussion.version
    assert translate(discussion) is True
    discussion.refresh_from_db()
    assert discussion.version > version  # the cached pages follow
    html = client.get(discussion.get_absolute_url()).content.decode()
    # An English reader: the translation, marked English, with the French original beside.
    assert '<div class="prose" lang="en"><p>A <em>useful</em> paper for brokers.</p>' in html
    assert '<span class="question__text" lang="en">What do you take from the study?</span>' in html
    assert "The original, in French" in html
    assert '<div class="prose" lang="fr"><p>Un article <strong>utile</strong>' in html
    assert '<p lang="fr">Que retenez-vous de l&#x27;étude ?</p>' in html
    assert "Answers agree." in html
    # A French reader: the original, and the English translation beside it.
    french = client.get(f"/fr{discussion.get_absolute_url()}").content.decode()
    assert '<div class="prose" lang="fr"><p>Un article <strong>utile</strong>' in french
    assert '<span class="question__text" lang="fr">Que retenez-vous' in french
    assert 'lang="en"><p>A <em>useful</em> paper' in french


def test_without_a_translation_everyone_reads_the_original_marked_as_such(client, discussion):
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert '<div class="prose" lang="fr"><p>Un article' in html
    assert "other-language" not in html


def test_an_empty_translation_is_removed(discussion):
    translate(discussion)
    question = discussion.questions.get(number=1)
    assert translate(discussion, commentary="", questions={question.pk: ("", "")}) is False
    assert not DiscussionTranslation.objects.exists()
    assert not QuestionTranslation.objects.exists()


def test_only_hosts_translate(discussion):
    with pytest.raises(NotAllowed):
        translate(discussion, editor=UserFactory())


@pytest.mark.parametrize("language", ["fr", "de", ""])
def test_a_translation_is_into_another_offered_language(discussion, language):
    with pytest.raises(ValidationError):
        translate(discussion, language=language)


def test_a_question_of_another_discussion_is_not_translated_here(discussion):
    stranger = DiscussionFactory().questions.first()
    translate(discussion, questions={stranger.pk: ("Hijacked", "")})
    assert not QuestionTranslation.objects.filter(question=stranger).exists()


def test_the_translation_page_keeps_what_was_typed_and_saves(client, discussion):
    client.force_login(discussion.host)
    url = reverse("discussions:discussion-translate", args=[discussion.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Que retenez-vous" in page.content.decode()
    question = discussion.questions.get(number=1)
    response = client.post(
        url, {"commentary": "In English.", f"question_{question.pk}": "x" * 1001}
    )
    assert response.status_code == 200  # too long: said, and kept
    assert "In English." in response.content.decode()
    response = client.post(
        url, {"commentary": "In English.", f"question_{question.pk}": "In English?"}
    )
    assert response.status_code == 302
    assert QuestionTranslation.objects.get(question=question).text == "In English?"


def test_the_translation_page_is_for_hosts_only(client, discussion):
    url = reverse("discussions:discussion-translate", args=[discussion.slug])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.get(url + "?language=fr").status_code == 403
    client.force_login(discussion.host)
    assert client.get(url + "?language=fr").status_code == 404  # its own language
    assert client.get(url + "?language=xx").status_code == 404


# --- Comments ------------------------------------------------------------------------------


def test_a_comment_is_in_the_discussions_language_unless_its_writer_says_otherwise(discussion):
    question = discussion.questions.first()
    member = MembershipFactory(club=discussion.club).member
    default = services.comment_post(question=question, author=member, body="Bonjour à tous.")
    assert default.language == "fr"
    english = services.comment_post(
        question=question, author=member, body="Hello all.", language="en"
    )
    assert english.language == "en"


def test_the_answer_form_starts_in_the_discussions_language(client, discussion):
    member = MembershipFactory(club=discussion.club).member
    client.force_login(member)
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert '<option value="fr" selected>' in html


def test_posting_with_a_language_marks_the_comment_on_the_page(client, discussion):
    member = MembershipFactory(club=discussion.club).member
    client.force_login(member)
    url = reverse("discussions:comment-create", args=[discussion.slug, 1])
    client.post(url, {"body": "Written in English.", "language": "en"})
    comment = Comment.objects.get(body="Written in English.")
    assert comment.language == "en"
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert '<div class="comment__body prose" lang="en"><p>Written in English.</p>' in html


def test_a_language_not_offered_is_refused_with_the_text_kept(client, discussion):
    member = MembershipFactory(club=discussion.club).member
    client.force_login(member)
    url = reverse("discussions:comment-create", args=[discussion.slug, 1])
    response = client.post(url, {"body": "Mein Kommentar.", "language": "de"})
    assert response.status_code == 400 or response.status_code == 200
    assert "Mein Kommentar." in response.content.decode()
    assert not Comment.objects.filter(body="Mein Kommentar.").exists()


def test_the_author_corrects_the_language_by_editing(client, discussion):
    comment = CommentFactory(question=discussion.questions.first(), language="fr")
    client.force_login(comment.author)
    client.post(
        reverse("discussions:comment-edit", args=[comment.pk]),
        {"body": comment.body, "language": "en"},
    )
    comment.refresh_from_db()
    assert comment.language == "en"


def test_author_and_moderators_correct_the_language_and_no_one_else(discussion):
    comment = CommentFactory(question=discussion.questions.first(), language="fr")
    version = comment.version
    services.comment_language_set(comment=comment, actor=comment.author, language="en")
    comment.refresh_from_db()
    assert (comment.language, comment.version > version) == ("en", True)
    moderator = MembershipFactory(club=discussion.club, role="moderator").member
    services.comment_language_set(comment=comment, actor=moderator, language="fr")
    comment.refresh_from_db()
    assert comment.language == "fr"
    with pytest.raises(NotAllowed):
        services.comment_language_set(comment=comment, actor=UserFactory(), language="en")
    with pytest.raises(ValidationError):
        services.comment_language_set(comment=comment, actor=moderator, language="de")


def test_a_moderator_corrects_the_language_from_the_comments_moderation_page(client, discussion):
    comment = CommentFactory(question=discussion.questions.first(), language="fr")
    moderator = MembershipFactory(club=discussion.club, role="moderator").member
    client.force_login(moderator)
    url = reverse("moderation:comment", args=[comment.pk])
    assert 'name="language"' in client.get(url).content.decode()
    response = client.post(url, {"language": "en"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.language == "en"
    client.force_login(UserFactory())
    assert client.post(url, {"language": "fr"}).status_code in {403, 404}
    comment.refresh_from_db()
    assert comment.language == "en"


def test_french_dates_and_numbers_on_french_pages(client, discussion):
    with translation.override("fr"):
        url = discussion.get_absolute_url()
    html = client.get(url).content.decode()
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    assert any(month in html for month in months)
