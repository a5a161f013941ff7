"""
A club's tools: its standard questions (for leads and hosts), and nominations and votes
(for its members).

Whatever a private club holds is a 404 for anyone outside it, as if it did not exist; a
public club's pages tell a member without the role why they are refused (403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import htmx_refusal

from . import access, tools
from .models import Nomination
from .tool_forms import CatalogueSearchForm, NominationForm, QuestionTemplateFormSet


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_templates(request, slug):
    """The club's standard questions: add, edit, reorder and remove them in one form."""
    club = access.club_or_404(request.user, slug)
    if not tools.can_edit_questions(request.user, club):
        raise tools.NotAllowed(_("Only the club's leads and hosts may change its questions."))
    if request.method == "POST":
        # Not compared with what is saved: a question sent as it was must still count.
        formset = QuestionTemplateFormSet(request.POST, prefix="questions")
    else:
        initial = [{"text": template.text} for template in club.question_templates.all()]
        formset = QuestionTemplateFormSet(initial=initial, prefix="questions")
    if request.method == "POST" and formset.is_valid():
        texts = [form.cleaned_data["text"] for form in formset.ordered_forms]
        saved = tools.question_templates_replace(club=club, editor=request.user, texts=texts)
        messages.success(
            request,
            _("The club's standard questions are saved (%(count)d).") % {"count": len(saved)},
        )
        return redirect("clubs:question-templates", slug=club.slug)
    return render(
        request,
        "clubs/question_templates.html",
        {"club": club, "formset": formset},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def nominations(request, slug):
    """
    The papers the club's members nominate for a future session, most votes first, and
    (for members) the form to nominate one, by DOI or from the catalogue.
    """
    club = access.club_or_404(request.user, slug)
    may_nominate = tools.can_nominate(request.user, club)
    form, existing = None, None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        tools.check_can_nominate(request.user, club)
        form = NominationForm(request.POST)
        if form.is_valid():
            nomination, existing = _nominate(request, club, form)
            if nomination is not None:
                messages.success(request, _("Thank you: the paper is nominated."))
                return redirect(_nomination_url(nomination))
    elif may_nominate:
        form = NominationForm(initial={"paper": request.GET.get("paper", "")})
    search = CatalogueSearchForm(request.GET if "q" in request.GET else None)
    found = None
    if may_nominate and search.is_valid() and search.cleaned_data["q"]:
        found = tools.papers_matching(search.cleaned_data["q"])
    return render(
        request,
        "clubs/nominations.html",
        {
            "club": club,
            "nominations": list(tools.nominations_for(club, request.user)),
            "may_nominate": may_nominate,
            "is_member": access.is_member(request.user, club),
            "is_banned": access.is_banned(request.user, club),
            "may_manage": access.can_manage(request.user, club),
            "may_choose": tools.can_open_discussion(request.user, club),
            "form": form,
            "existing": existing,
            "search": search,
            "found": found,
        },
    )


def _nominate(request, club, form) -> tuple[Nomination | None, Nomination | None]:
    """The new nomination, or None and the open one for the same paper (the form says why)."""
    try:
        article = tools.paper_resolve(value=form.cleaned_data["paper"], member=request.user)
    except ValidationError as error:
        form.add_error("paper", error.messages)
        return None, None
    try:
        nomination = tools.nomination_create(
            club=club, member=request.user, article=article, reason=form.cleaned_data["reason"]
        )
    except tools.AlreadyNominated as error:
        form.add_error("paper", error.messages)
        return None, tools.nomination_for(club, request.user, error.nomination.pk)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None, None
    return nomination, None


@login_required
@require_POST
def nomination_vote(request, slug, pk):
    """Vote for a nomination (``vote=1``), or take the vote back (``vote=0``)."""
    club = access.club_or_404(request.user, slug)
    nomination = get_object_or_404(club.nominations, pk=pk)
    try:
        tools.vote_cast(
            nomination=nomination, member=request.user, vote=request.POST.get("vote") != "0"
        )
    except ValidationError as error:
        if request.htmx:
            return htmx_refusal(409, " ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect("clubs:nominations", slug=club.slug)
    updated = tools.nomination_for(club, request.user, nomination.pk) if request.htmx else None
    if updated is not None:
        return render(
            request,
            "clubs/_nomination.html",
            {
                "club": club,
                "nomination": updated,
                "may_nominate": True,
                "may_manage": access.can_manage(request.user, club),
                "may_choose": tools.can_open_discussion(request.user, club),
            },
        )
    return redirect(_nomination_url(nomination))


@login_required
@require_POST
def nomination_withdraw(request, slug, pk):
    """The nominator withdraws their nomination (a lead may too)."""
    club = access.club_or_404(request.user, slug)
    nomination = get_object_or_404(club.nominations, pk=pk)
    if tools.nomination_withdraw(nomination=nomination, member=request.user):
        messages.success(request, _("The nomination is withdrawn."))
    return redirect("clubs:nominations", slug=club.slug)


def _nomination_url(nomination: Nomination) -> str:
    url = reverse("clubs:nominations", kwargs={"slug": nomination.club.slug})
    return f"{url}#nomination-{nomination.pk}"
