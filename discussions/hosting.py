"""
Opening a discussion in a club: a draft, from a paper of the catalogue or from one of the
club's nominations, with its questions (the club's standard ones, as the host edits them).

The draft is seen by the club's leads and hosts (``Discussion.objects.visible_to``), who
open it for everyone when it is ready (``services.discussion_open``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.models import Article
from clubs import tools as club_tools
from clubs.models import Club, Nomination
from core import slugs

from . import caching, signals
from .models import Discussion, DiscussionTranslation, Question, QuestionTranslation
from .services import NotAllowed, can_host

SLUG_LENGTH: int = Discussion._meta.get_field("slug").max_length  # type: ignore[assignment]


def free_slug(base: str, *, discussion: Discussion | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``… if another discussion has it."""
    others = Discussion.objects.all()
    if discussion is not None and discussion.pk is not None:
        others = others.exclude(pk=discussion.pk)
    return slugs.free_slug(others, base, max_length=SLUG_LENGTH)


def discussion_draft_create(
    *,
    club: Club,
    article: Article,
    host,
    commentary: str = "",
    questions: list[str],
    nomination: Nomination | None = None,
    language: str = "",
) -> Discussion:
    """
    Create a draft discussion of ``article`` in ``club``, hosted by ``host``, with its
    questions numbered 1..n in the order given (empty ones dropped; at least one is
    needed), written in ``language`` (by default the club's). From a ``nomination`` (of
    this club, for this paper, still open), that nomination is marked chosen in the same
    transaction, so a form sent twice makes one draft.

    Raises NotAllowed unless the host may open discussions in the club, ValidationError
    for a nomination of another club or paper, or no longer open, or no question.
    """
    if not club_tools.can_open_discussion(host, club):
        raise NotAllowed(_("Only the club's leads and hosts may open a discussion in it."))
    if nomination is not None and (
        nomination.club_id != club.pk or nomination.article_id != article.pk
    ):
        raise ValidationError(
            _("This nomination is not for this paper in this club."), code="wrong_nomination"
        )
    texts = _question_texts(questions)
    with transaction.atomic():
        if nomination is not None:
            club_tools.nomination_choose(nomination=nomination)
        discussion = Discussion(
            club=club,
            article=article,
            host=host,
            commentary=commentary.strip(),
            language=language or club.language,
            status=Discussion.Status.DRAFT,
        )
        discussion.slug = free_slug(article.slug, discussion=discussion)
        discussion.full_clean()
        discussion.save()
        _set_questions(discussion, texts)
    return discussion


def discussion_draft_update(
    *, discussion: Discussion, editor, commentary: str, questions: list[str], language: str = ""
) -> Discussion:
    """
    Rewrite a draft's commentary and questions (numbered 1..n in the order given, empty
    ones dropped, at least one). Only drafts: once open, members answer the questions,
    and the commentary is edited in the admin.

    Raises NotAllowed unless the editor hosts the discussion (``services.can_host``) and it
    is still a draft; ValidationError for no question.
    """
    if not can_host(editor, discussion) or discussion.status != Discussion.Status.DRAFT:
        raise NotAllowed(_("Only the hosts of a draft may edit it."))
    texts = _question_texts(questions)
    with transaction.atomic():
        discussion.commentary = commentary.strip()
        discussion.language = language or discussion.language
        discussion.full_clean(exclude=["slug"])
        Discussion.objects.filter(pk=discussion.pk).update(
            commentary=discussion.commentary, language=discussion.language
        )
        discussion.questions.all().delete()  # a draft's questions have no answers yet
        _set_questions(discussion, texts)
    return discussion


def discussion_translation_save(
    *,
    discussion: Discussion,
    editor,
    language: str,
    commentary: str,
    questions: dict[int, tuple[str, str]],
) -> bool:
    """
    Keep the discussion's commentary, and each question's text and synthesis (by question
    id: ``(text, synthesis)``), in ``language``, another than the discussion's own. A
    question left empty has no translation; a translation left wholly empty is removed.
    True if a translation is kept.

    Raises NotAllowed unless the editor hosts the discussion; ValidationError for a
    language that is not offered or is the discussion's own.
    """
    if not can_host(editor, discussion):
        raise NotAllowed(_("Only the discussion's hosts may translate it."))
    if language not in dict(settings.LANGUAGES) or language == discussion.language:
        raise ValidationError(
            _("Choose a language the site offers, other than the discussion's own."),
            code="language",
        )
    commentary = commentary.strip()
    kept = {
        pk: (text.strip(), synthesis.strip())
        for pk, (text, synthesis) in questions.items()
        if text.strip()
    }
    with transaction.atomic():
        own = set(discussion.questions.filter(pk__in=kept).values_list("pk", flat=True))
        QuestionTranslation.objects.filter(
            question__discussion=discussion, language=language
        ).exclude(question__in=own).delete()
        for pk in own:
            text, synthesis = kept[pk]
            QuestionTranslation.objects.update_or_create(
                question_id=pk, language=language, defaults={"text": text, "synthesis": synthesis}
            )
        if commentary or own:
            DiscussionTranslation.objects.update_or_create(
                discussion=discussion, language=language, defaults={"commentary": commentary}
            )
        else:
            DiscussionTranslation.objects.filter(discussion=discussion, language=language).delete()
        caching.discussions_changed([discussion.pk])
        signals.discussion_changed.send(sender=Discussion, discussion=discussion)
    return bool(commentary or own)


def discussion_doi_set(*, discussion: Discussion, doi: str) -> bool:
    """
    Record the DOI of the discussion's published proceedings, raising its version so that
    its pages (and their citation) show it. False if it already had this DOI.
    """
    doi = doi.strip()
    if not doi:
        raise ValidationError(_("A DOI is needed."), code="no_doi")
    with transaction.atomic():
        changed = Discussion.objects.filter(pk=discussion.pk).exclude(doi=doi).update(doi=doi)
        if changed:  # what its pages show; nothing indexed for search changes
            caching.discussions_changed([discussion.pk])
    discussion.doi = doi
    return bool(changed)


def _question_texts(questions: list[str]) -> list[str]:
    """The questions as written, empty ones dropped; at least one, or ValidationError."""
    texts = [text.strip() for text in questions if text.strip()]
    if not texts:
        raise ValidationError(_("Give the discussion at least one question."), code="no_question")
    return texts


def _set_questions(discussion: Discussion, texts: list[str]) -> None:
    """The draft's questions, numbered 1..n, and its pages and index entry out of date."""
    created = [
        Question(discussion=discussion, number=number, text=text)
        for number, text in enumerate(texts, start=1)
    ]
    for question in created:
        question.full_clean()
    Question.objects.bulk_create(created)
    caching.discussions_changed([discussion.pk])
    signals.discussion_changed.send(sender=Discussion, discussion=discussion)
