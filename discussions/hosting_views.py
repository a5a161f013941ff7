"""Opening a discussion in a club: the form that makes a draft, for its leads and hosts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clubs import access
from clubs import tools as club_tools
from clubs.models import Nomination

from . import hosting
from .hosting_forms import DiscussionDraftForm, QuestionFormSet, TranslationForm
from .models import Discussion, QuestionTranslation
from .services import NotAllowed, can_host


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def discussion_new(request, club):
    """
    A new draft discussion in the club, of a paper of the catalogue (or one looked up by
    its DOI) or, with ``?nomination=<id>``, of a nominated paper; its questions start as
    the club's standard ones.
    """
    club = access.club_or_404(request.user, club)
    if not club_tools.can_open_discussion(request.user, club):
        raise NotAllowed(_("Only the club's leads and hosts may open a discussion in it."))
    nomination = _nomination(club, request.GET.get("nomination"))
    posted = request.POST if request.method == "POST" else None
    form = DiscussionDraftForm(posted, nomination=nomination, initial={"language": club.language})
    # The club's questions prefill a new form only: compared with what was sent, a question
    # kept as it was would count as unchanged, and be dropped.
    initial = None if posted else [{"text": t.text} for t in club.question_templates.all()]
    questions = QuestionFormSet(posted, initial=initial, prefix="questions")
    if posted is not None and form.is_valid() and questions.is_valid():
        discussion = _create(request, club, nomination, form, questions)
        if discussion is not None:
            messages.success(
                request,
                _("The draft is saved. Only the club's leads and hosts see it until it is opened."),
            )
            return redirect(discussion)
    return render(
        request,
        "discussions/discussion_new.html",
        {"club": club, "nomination": nomination, "form": form, "questions": questions},
    )


def _nomination(club, value) -> Nomination | None:
    """The club's open nomination of this id; anything else is a 404."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(
        club.nominations.waiting().select_related("article__journal", "nominated_by"),
        pk=int(value),
    )


def _create(request, club, nomination, form, questions):
    """The new draft, or None when the form now says what is wrong."""
    if nomination is not None:
        article = nomination.article
    else:
        try:
            article = club_tools.paper_resolve(
                value=form.cleaned_data["paper"], member=request.user
            )
        except ValidationError as error:
            form.add_error("paper", error.messages)
            return None
    try:
        return hosting.discussion_draft_create(
            club=club,
            article=article,
            host=request.user,
            commentary=form.cleaned_data["commentary"],
            questions=[question.cleaned_data.get("text", "") for question in questions],
            nomination=nomination,
            language=form.cleaned_data["language"],
        )
    except ValidationError as error:
        if error.code == "no_question":
            questions.non_form_errors().extend(error.messages)  # said beside the boxes
        else:
            form.add_error(None, error.messages)
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def discussion_edit(request, slug):
    """A draft's commentary and questions, rewritten by its hosts before it opens."""
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related("club", "article"), slug=slug
    )
    if discussion.status != Discussion.Status.DRAFT or not can_host(request.user, discussion):
        raise NotAllowed(_("Only the hosts of a draft may edit it."))
    posted = request.POST if request.method == "POST" else None
    form = DiscussionDraftForm(
        posted,
        paper=False,
        initial={"commentary": discussion.commentary, "language": discussion.language},
    )
    initial = None if posted else [{"text": q.text} for q in discussion.questions.all()]
    questions = QuestionFormSet(posted, initial=initial, prefix="questions")
    if posted is not None and form.is_valid() and questions.is_valid():
        try:
            hosting.discussion_draft_update(
                discussion=discussion,
                editor=request.user,
                commentary=form.cleaned_data["commentary"],
                questions=[question.cleaned_data.get("text", "") for question in questions],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            questions.non_form_errors().extend(error.messages)  # said beside the boxes
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(discussion)
    return render(
        request,
        "discussions/discussion_new.html",
        {
            "club": discussion.club,
            "discussion": discussion,
            "form": form,
            "questions": questions,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def discussion_translate(request, slug):
    """
    The discussion's commentary, questions and syntheses in another language, written by
    its hosts beside the original; readers of that language see them, with the original.
    """
    discussion = get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related("club", "article"), slug=slug
    )
    if not can_host(request.user, discussion):
        raise NotAllowed(_("Only the discussion's hosts may translate it."))
    others = [code for code, _name in settings.LANGUAGES if code != discussion.language]
    language = request.GET.get("language") or others[0]
    if language not in others:
        raise Http404
    questions = list(discussion.questions.all())
    translation = discussion.translations.filter(language=language).first()
    initial = {"commentary": translation.commentary if translation else ""}
    for question_translation in QuestionTranslation.objects.filter(
        question__discussion=discussion, language=language
    ):
        initial[f"question_{question_translation.question_id}"] = question_translation.text
        initial[f"synthesis_{question_translation.question_id}"] = question_translation.synthesis
    posted = request.POST if request.method == "POST" else None
    form = TranslationForm(posted, questions=questions, initial=initial)
    if posted is not None and form.is_valid():
        kept = hosting.discussion_translation_save(
            discussion=discussion,
            editor=request.user,
            language=language,
            commentary=form.cleaned_data["commentary"],
            questions=form.translated_questions(),
        )
        messages.success(
            request, _("The translation is saved.") if kept else _("The translation is removed.")
        )
        return redirect(discussion)
    return render(
        request,
        "discussions/discussion_translate.html",
        {
            "discussion": discussion,
            "club": discussion.club,
            "form": form,
            "language": language,
            "others": others,
        },
    )
