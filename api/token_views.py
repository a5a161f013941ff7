"""
A member's API tokens, on their account settings: make one (shown once), revoke one.

The pages are the site's (in each language, behind sign-in and CSRF); the tokens they make
are for the API (``authentication``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import TokenForm
from .links import api_url
from .models import ApiToken


@login_required
@never_cache  # the answer to a POST shows a token: no cache may keep it
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request):
    """The member's tokens, and the form that makes one; a new token is shown once, here."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                member=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            created = {"token": token, "secret": secret}
            form = TokenForm()
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.of_member(request.user),
            "api_root": api_url("root"),
            "api_docs": api_url("docs"),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    """
    Revoke one of the member's tokens, once confirmed: the list's button posts here
    without ``confirm`` and gets the question first. Anyone else's token is a 404.
    """
    token = get_object_or_404(ApiToken.objects.active(), pk=pk, member=request.user)
    if not request.POST.get("confirm"):
        return render(request, "api/token_revoke.html", {"token": token})
    services.token_revoke(member=request.user, token=token)
    messages.success(
        request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("api-tokens:list")
