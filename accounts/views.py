from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.languages import language_url, offered
from core.markdown import render_markdown

from . import services
from .forms import DeleteAccountForm, ProfileForm

COMMENTS_PER_PAGE = 20


@require_safe
def profile(request, username):
    """A member's public profile and their comments, newest first."""
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    comments = (
        # The comments app's rules: what anyone may read, and under the member's own name.
        member.comments.public()
        .under_own_name()
        .select_related("question__discussion__article")
        .order_by("-created_at", "-id")
    )
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    # Rendered on each view: profile pages are not hot, and a bio is short.
    bio_html = render_markdown(member.bio) if member.bio else ""
    return render(
        request, "accounts/profile.html", {"member": member, "bio_html": bio_html, "page": page}
    )


MENTION_SUGGESTIONS = 8


@login_required
@require_safe
def mention_suggestions(request):
    """
    Members whose display name or handle starts with what follows an @ being typed: the
    options of the comment form's mention autocomplete (a fragment of ``<li>``s).
    """
    typed = request.GET.get("q", "").strip().lstrip("@")[:40]
    members = []
    if typed:
        members = list(
            get_user_model()
            .objects.filter(is_active=True)
            .filter(
                Q(username__istartswith=typed)
                | Q(display_name__istartswith=typed)
                | Q(display_name__icontains=f" {typed}")
            )
            .order_by("display_name", "username")
            .only("username", "display_name", "affiliation")[:MENTION_SUGGESTIONS]
        )
    return render(request, "accounts/_mention_suggestions.html", {"members": members})


@require_safe
def language_choose(request, code):
    """
    The language switcher's links: remember the choice (a cookie; a member's setting too)
    and show the page the reader came from in that language. A language the site does not
    offer changes nothing.
    """
    language = offered(code)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/"):
        target = "/"
    if language is None:
        return redirect(target)
    response = redirect(language_url(target, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )
    if request.user.is_authenticated:
        services.member_language_set(member=request.user, language=language)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    """The signed-in member edits their display name, affiliation, ORCID iD and bio."""
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(form=form)
        messages.success(request, _("Your profile was saved."))
        return redirect(request.user)
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_safe
def data(request):
    """The member's own data: download it, or delete the account."""
    return render(request, "accounts/data.html", {"form": DeleteAccountForm(user=request.user)})


@login_required
@require_safe
def data_export(request):
    """Everything the member wrote and set, as a JSON download."""
    response = JsonResponse(
        services.member_export(member=request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="journal-club-my-data.json"'
    return response


@login_required
@require_POST
def delete_account(request):
    """Delete the account after the password is confirmed; sign the member out."""
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "accounts/data.html", {"form": form}, status=400)
    services.member_delete(member=request.user, remove_text=form.cleaned_data["remove_text"])
    logout(request)
    messages.success(request, _("Your account was deleted. Thank you for taking part."))
    return redirect("discussions:home")
