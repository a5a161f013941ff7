"""
Joining a club, its members, its invitations and its settings.

Who may see what: whatever a private club holds is a 404 for anyone outside it (anonymous
visitors included), as if it did not exist, and so is a club slug or a member, request or
invitation id that does not belong together. A public club's pages send anonymous
visitors to sign in, and tell a signed-in member without the right why they are refused
(403). Views check, validate a form and call a service; the rules live in ``services``.
"""

import copy
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.markdown import render_markdown
from core.ratelimits import RateLimited

from . import access, services
from .forms import (
    BanForm,
    ClubCreateForm,
    ClubSettingsForm,
    DecisionForm,
    InvitationForm,
    JoinRequestForm,
    RoleForm,
)
from .models import Club, Invitation, JoinRequest, Membership, Role
from .services import INVITATION_CLUB_SESSION_KEY, INVITATION_SESSION_KEY, NotAllowed

MEMBERS_PER_PAGE = 100
DECIDED_SHOWN = 20
ROLE_ORDER = {role: position for position, role in enumerate(Role.values)}


def _require_manager(request, club: Club) -> None:
    if not access.can_manage(request.user, club):
        raise NotAllowed(_("Only the club's leads can do that."))


def _manager_page(request, slug):
    """The club and None, or None and the answer: 404, sign in first, or 403."""
    club = access.club_or_404(request.user, slug)
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    _require_manager(request, club)
    return club, None


def _back(request, club: Club, name: str):
    return redirect(reverse(f"clubs:{name}", kwargs={"slug": club.slug}))


def _say_refused(request, error: ValidationError | RateLimited) -> None:
    if isinstance(error, RateLimited):
        messages.error(request, error.message)
    else:
        for message in error.messages:
            messages.error(request, message)


# --- Creating a club ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def club_create(request):
    """A confirmed member founds a club, and becomes its lead."""
    if not services.can_create_club(request.user):
        raise NotAllowed(_("Only confirmed members who are not suspended can create a club."))
    form = ClubCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            club = services.club_create(founder=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        else:
            messages.success(
                request,
                _("%(club)s is ready. Invite its first members, or change its settings.")
                % {"club": club.name},
            )
            return redirect(club)
    return render(request, "clubs/club_create.html", {"form": form}, status=status)


# --- Joining and leaving -----------------------------------------------------------------


@require_POST
def join(request, slug):
    """Join a club at once: an open public club, or one that takes the member's email domain."""
    club = get_object_or_404(Club, slug=slug)
    user = request.user
    if not access.can_read(user, club) and not (
        user.is_authenticated and services.joins_by_domain(user, club)
    ):
        raise Http404
    if not user.is_authenticated:
        return redirect_to_login(club.get_absolute_url())  # where the Join button is
    services.club_join(club=club, member=user)
    messages.success(request, _("Welcome to %(club)s.") % {"club": club.name})
    return redirect(club)


@require_http_methods(["GET", "HEAD", "POST"])
def join_request(request, slug):
    """Ask a club's leads to join it, with a message; or see the request still waiting."""
    club = access.club_or_404(request.user, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if access.is_member(request.user, club):
        messages.info(request, _("You are already a member of this club."))
        return redirect(club)
    waiting = club.join_requests.filter(
        member=request.user, status=JoinRequest.Status.PENDING
    ).first()
    form = JoinRequestForm(request.POST if request.method == "POST" else None)
    asking = request.method in ("GET", "HEAD")
    if waiting is None and asking and club.joining != Club.Joining.REQUEST:
        if services.can_join_at_once(request.user, club):
            messages.info(request, _("You can join this club at once: there is nothing to ask."))
            return redirect(club)
        raise NotAllowed(_("This club is joined by invitation only."))
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                club=club, member=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your request is sent. The club's leads will answer by email.")
            )
            return _back(request, club, "request")
    return render(
        request, "clubs/join_request.html", {"club": club, "form": form, "waiting": waiting}
    )


@require_POST
def join_request_withdraw(request, slug):
    """The member takes back the request still waiting for a lead."""
    # Not access.club_or_404: someone who asked to join a private club (from an invitation) is not
    # yet one of its readers. Without a request of their own, the club is a 404 all the same.
    club = get_object_or_404(Club, slug=slug)
    if not request.user.is_authenticated:
        if not access.can_read(request.user, club):
            raise Http404
        return redirect_to_login(request.get_full_path())
    waiting = get_object_or_404(
        club.join_requests, member=request.user, status=JoinRequest.Status.PENDING
    )
    services.join_request_withdraw(join_request=waiting, member=request.user)
    messages.success(request, _("Your request is withdrawn."))
    return redirect(club if access.can_read(request.user, club) else reverse("discussions:clubs"))


@require_http_methods(["GET", "HEAD", "POST"])
def leave(request, slug):
    """Leave a club, once confirmed (a POST with ``confirm``): what the member wrote stays."""
    club = access.club_or_404(request.user, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.is_member(request.user, club):
        raise NotAllowed(_("You are not a member of this club."))
    error = None
    # A plain "Leave" button posts here without "confirm": it gets the question first.
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            services.membership_leave(club=club, member=request.user)
        except ValidationError as refusal:
            error = refusal
        else:
            messages.success(request, _("You left %(club)s.") % {"club": club.name})
            # A private club is out of sight once left: back to the list of clubs.
            return redirect(reverse("discussions:clubs") if club.is_private else club)
    return render(request, "clubs/leave.html", {"club": club, "error": error})


# --- Members -----------------------------------------------------------------------------


@require_safe
def members(request, slug):
    """The club's members, for its members; leads also change roles, remove and ban."""
    club = access.club_or_404(request.user, slug)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    can_manage = access.can_manage(user, club)
    if not (access.is_member(user, club) or can_manage):
        raise NotAllowed(_("Only the club's members can see who belongs to it."))
    active = sorted(
        club.memberships.active().select_related("member"),
        key=lambda m: (ROLE_ORDER.get(m.role, 99), m.member.name.casefold()),
    )
    page = Paginator(active, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    banned = (
        list(club.memberships.banned().select_related("member").order_by("-banned_at"))
        if can_manage
        else []
    )
    return render(
        request,
        "clubs/members.html",
        {
            "club": club,
            "page": page,
            "banned": banned,
            "can_manage": can_manage,
            "roles": Role.choices,
            "member_count": len(active),
        },
    )


def _membership_for(club: Club, pk: int) -> Membership:
    return get_object_or_404(club.memberships.select_related("member"), pk=pk)


@require_POST
def member_role(request, slug, pk):
    """A lead gives a member another role."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    membership = _membership_for(club, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return _back(request, club, "members")
    try:
        services.membership_set_role(
            club=club, member=membership.member, role=form.cleaned_data["role"], by=request.user
        )
    except ValidationError as error:
        _say_refused(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": membership.member.name, "role": Role(form.cleaned_data["role"]).label},
        )
    return _back(request, club, "members")


@require_POST
def member_remove(request, slug, pk):
    """
    A lead removes a member from the club (they may join again), once confirmed: the
    members page's button posts here without ``confirm`` and gets the question first.
    """
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    membership = _membership_for(club, pk)
    if not request.POST.get("confirm"):
        return render(request, "clubs/member_remove.html", {"club": club, "membership": membership})
    try:
        services.membership_remove(club=club, member=membership.member, by=request.user)
    except ValidationError as error:
        _say_refused(request, error)
    else:
        messages.success(
            request, _("%(name)s is no longer a member.") % {"name": membership.member.name}
        )
    return _back(request, club, "members")


@require_http_methods(["GET", "HEAD", "POST"])
def member_ban(request, slug, pk):
    """A lead bans a member, with a reason: they cannot join again until the ban is lifted."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    membership = _membership_for(club, pk)
    form = BanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_ban(
                club=club,
                member=membership.member,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s is banned from the club.") % {"name": membership.member.name}
            )
            return _back(request, club, "members")
    return render(
        request, "clubs/member_ban.html", {"club": club, "membership": membership, "form": form}
    )


@require_POST
def member_unban(request, slug, pk):
    """A lead lifts a ban; the person may join again."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    membership = get_object_or_404(club.memberships.banned().select_related("member"), pk=pk)
    services.membership_unban(club=club, member=membership.member, by=request.user)
    messages.success(
        request, _("The ban on %(name)s is lifted.") % {"name": membership.member.name}
    )
    return _back(request, club, "members")


# --- Requests to join --------------------------------------------------------------------


@require_safe
def join_requests(request, slug):
    """The requests waiting for the club's leads, to approve or decline with a message."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    requests = club.join_requests.select_related("member", "decided_by")
    waiting = list(requests.filter(status=JoinRequest.Status.PENDING).order_by("created_at"))
    decided = list(
        requests.exclude(status=JoinRequest.Status.PENDING).order_by("-decided_at")[:DECIDED_SHOWN]
    )
    return render(
        request,
        "clubs/join_requests.html",
        {"club": club, "waiting": waiting, "decided": decided, "form": DecisionForm()},
    )


@require_POST
def join_request_decide(request, slug, pk):
    """A lead approves or declines one request; the member is emailed the message."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    join_request = get_object_or_404(club.join_requests.select_related("member"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or decline the request."))
        return _back(request, club, "requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.join_request_decide(
            join_request=join_request,
            by=request.user,
            approve=approve,
            response=form.cleaned_data["response"],
        )
    except ValidationError as error:
        _say_refused(request, error)
    else:
        name = join_request.member.name
        messages.success(
            request,
            _("%(name)s is now a member.") % {"name": name}
            if approve
            else _("The request of %(name)s is declined.") % {"name": name},
        )
    return _back(request, club, "requests")


# --- Invitations -------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def invitations(request, slug):
    """Invite by email, make or revoke the invite link, and see invitations not yet used."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    form = InvitationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(club=club, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return _back(request, club, "invitations")
    return _invitations_page(request, club, form=form, status=status)


def _invitations_page(request, club, *, form, new_link: str = "", status: int = 200):
    usable = club.invitations.usable().select_related("invited_by")
    return render(
        request,
        "clubs/invitations.html",
        {
            "club": club,
            "form": form,
            "pending": [invitation for invitation in usable if not invitation.is_link],
            "link": next((invitation for invitation in usable if invitation.is_link), None),
            "new_link": new_link,
            "invitation_days": settings.JOURNAL_CLUB_INVITATION_DAYS,
        },
        status=status,
    )


@require_POST
def invite_link(request, slug):
    """A new invite link, shown once (only its digest is kept); the previous one stops."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    _invitation, token = services.invite_link_create(club=club, by=request.user)
    return _invitations_page(
        request, club, form=InvitationForm(), new_link=services.invitation_url(token)
    )


@require_POST
def invitation_revoke(request, slug, pk):
    """A lead withdraws an invitation or the invite link."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    invitation = get_object_or_404(club.invitations, pk=pk)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(
        request,
        _("The invite link no longer works.")
        if invitation.is_link
        else _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email},
    )
    return _back(request, club, "invitations")


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token):
    """
    An invitation's page, reached from its email or an invite link. Signed in: the club
    and an Accept button. Not signed in: sign up (the invited address needs no separate
    confirmation) or sign in, and the invitation is accepted or waits for them. One no longer
    valid says why and offers to ask to join; a token nobody issued is a plain 404.
    """
    found = services.invitation_for_token(token)
    if found is None:
        return render(request, "clubs/invitation_invalid.html", status=404)
    club, user = found.club, request.user
    if user.is_authenticated and access.is_member(user, club):
        request.session.pop(INVITATION_SESSION_KEY, None)
        request.session.pop(INVITATION_CLUB_SESSION_KEY, None)
        messages.info(request, _("You are a member of %(club)s.") % {"club": club.name})
        return redirect(club)
    problem = services.invitation_problem(found)
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.POST.get("action") == "request":
            return _request_from_invitation(request, found)
        try:
            services.invitation_accept(token=token, member=user)
        except ValidationError as error:
            problem = error
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            request.session.pop(INVITATION_CLUB_SESSION_KEY, None)
            messages.success(request, _("Welcome to %(club)s.") % {"club": club.name})
            return redirect(club)
    elif problem is None and not services.member_is_confirmed(user):
        # Kept for after signing up, or confirming the address (receivers.py); the sign-up
        # page names the club it leads to.
        request.session[INVITATION_SESSION_KEY] = token
        request.session[INVITATION_CLUB_SESSION_KEY] = club.name
    here = request.get_full_path()
    return render(
        request,
        "clubs/invitation.html",
        {
            "club": club,
            "invitation": found,
            "problem": problem,
            "problem_code": getattr(problem, "code", None),
            "confirmed": services.member_is_confirmed(user),
            "banned": access.is_banned(user, club),
            "offers_request": club.joining == Club.Joining.REQUEST,
            "waiting": user.is_authenticated
            and club.join_requests.filter(member=user, status=JoinRequest.Status.PENDING).exists(),
            "request_form": JoinRequestForm(),
            # An invitation by email fills in its address (allauth reads ``email``).
            "signup_url": f"{reverse('account_signup')}?"
            + urlencode({"next": here, **({"email": found.email} if found.email else {})}),
            "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
        },
    )


def _request_from_invitation(request, found: Invitation):
    """
    Ask to join from an invitation no longer valid: the token shows that the member was
    invited, so a private club's request needs no page of its own (which outsiders see as 404).
    """
    form = JoinRequestForm(request.POST)
    if form.is_valid():
        try:
            services.join_request_create(
                club=found.club, member=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            _say_refused(request, error)
        else:
            messages.success(
                request, _("Your request is sent. The club's leads will answer by email.")
            )
    return redirect(request.get_full_path())


# --- Settings and code of conduct --------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def club_settings(request, slug):
    """A lead changes the club's name, description, logo, visibility, joining and rules."""
    club, answer = _manager_page(request, slug)
    if answer:
        return answer
    form = ClubSettingsForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=copy.copy(club),  # the page's own club keeps its name if the form fails
    )
    if request.method == "POST" and form.is_valid():
        fields = {}
        for name in form.Meta.fields:
            value = form.cleaned_data[name]
            if name == "logo":
                if value is False:  # "clear" ticked
                    value = ""
                elif value is None or value == club.logo:
                    continue
            fields[name] = value
        try:
            club = services.club_update(club=club, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The club's settings are saved."))
            return _back(request, club, "settings")
    return render(request, "clubs/club_settings.html", {"club": club, "form": form})


@require_safe
def conduct(request, slug):
    """The site's code of conduct, and the club's own rules added to it."""
    club = access.club_or_404(request.user, slug)
    rules_html = (
        mark_safe(render_markdown(club.code_of_conduct, heading_level=2))  # noqa: S308
        if club.code_of_conduct
        else ""
    )
    return render(request, "clubs/conduct.html", {"club": club, "rules_html": rules_html})
