"""Opening a discussion in a club: the form that makes a draft, for its leads and hosts."""

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
from .hosting_forms import DiscussionDraftForm, QuestionFormSet
from .models import Discussion
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
    form = DiscussionDraftForm(posted, nomination=nomination)
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
    form = DiscussionDraftForm(posted, paper=False, initial={"commentary": discussion.commentary})
    initial = None if posted else [{"text": q.text} for q in discussion.questions.all()]
    questions = QuestionFormSet(posted, initial=initial, prefix="questions")
    if posted is not None and form.is_valid() and questions.is_valid():
        try:
            hosting.discussion_draft_update(
                discussion=discussion,
                editor=request.user,
                commentary=form.cleaned_data["commentary"],
                questions=[question.cleaned_data.get("text", "") for question in questions],
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
