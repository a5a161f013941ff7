"""
Writes with rules for clubs: creating and changing a club, joining (at will, by request, by
invitation, by email domain), leaving, removal, bans and roles.

Each service is a keyword-only function that runs in one transaction and either does the
whole job or raises: ``NotAllowed`` when the person may not do this at all (the view answers
403 with the message), ``ValidationError`` when what they asked cannot be done (the form or
page says why; invitations say *why* through distinct codes: "expired", "used", "revoked").

Every change to who belongs to a club sends ``signals.membership_changed`` inside its
transaction and makes ``access`` read the member's roles again. Nothing a member wrote is
ever deleted here: leaving, removal and bans touch the membership, not their words.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import address_language, member_language, member_suspension
from core.languages import offered
from core.ratelimits import consume
from core.slugs import free_slug

from . import access, signals
from .context_processors import clubs_changed
from .models import (
    SLUG_LENGTH,
    Club,
    Invitation,
    JoinRequest,
    Membership,
    Role,
    new_token,
    token_digest,
)

# Addresses under /clubs/ that are not clubs: no club may take these slugs.
RESERVED_SLUGS = frozenset({"new", "invitations"})
# The session keeps the token of an invitation opened before signing up or in, so that
# signing up (or confirming the address) accepts it (receivers.py).
INVITATION_SESSION_KEY = "clubs_invitation_token"
INVITATION_CLUB_SESSION_KEY = "clubs_invitation_club"  # its club's name, for the sign-up page
# What a lead may change in the settings (``club_update``).
EDITABLE_FIELDS = (
    "name",
    "tagline",
    "description",
    "logo",
    "language",
    "visibility",
    "joining",
    "email_domains",
    "premoderation",
    "pseudonyms",
    "code_of_conduct",
)


class NotAllowed(PermissionDenied):
    """A rule forbids the action; the message tells the member which one, in plain words."""


# --- Who may do what ---------------------------------------------------------------------


def member_is_confirmed(user) -> bool:
    """
    A signed-in, active account with at least one confirmed email address. Not the
    discussions' ``member_is_verified`` (the Members role): allauth announces a confirmed
    address (``receivers.on_email_confirmed``, where invitations are accepted) before the
    account adapter gives that role.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if "_confirmed_address" not in user.__dict__:
        user.__dict__["_confirmed_address"] = EmailAddress.objects.filter(
            user=user, verified=True
        ).exists()
    return user.__dict__["_confirmed_address"]


def forget_confirmation(user) -> None:
    user.__dict__.pop("_confirmed_address", None)


def can_create_club(user) -> bool:
    """Any confirmed member who is not suspended may found a club."""
    return member_is_confirmed(user) and member_suspension(user) is None


def confirmed_domains(user) -> set[str]:
    """The domains of the member's confirmed email addresses, lower-cased."""
    if not user.is_authenticated:
        return set()
    return {
        email.rsplit("@", 1)[-1].lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def joins_by_domain(user, club: Club) -> bool:
    """Does one of the member's confirmed addresses belong to the club's email domains?"""
    domains = club.domains
    return bool(domains) and bool(confirmed_domains(user) & set(domains))


def can_join_at_once(user, club: Club) -> bool:
    """A public club anyone may join, or one whose email domains include the member's."""
    if not club.is_private and club.joining == Club.Joining.OPEN:
        return True
    return joins_by_domain(user, club)


def _require_manager(by, club: Club) -> None:
    if not access.can_manage(by, club):
        raise NotAllowed(_("Only the club's leads can do that."))


def _require_confirmed(member) -> None:
    if not member_is_confirmed(member):
        raise NotAllowed(_("Please confirm your email address first."))


def _require_not_banned(member, club: Club) -> None:
    if Membership.objects.banned().filter(club=club, member=member).exists():
        raise NotAllowed(_("You were banned from this club, so you cannot join it again."))


# --- Clubs -------------------------------------------------------------------------------


def unique_slug(name: str) -> str:
    """A free slug made from the club's name ("club-2" when "club" is taken)."""
    base = slugify(name)[:50].strip("-") or "club"
    if base in RESERVED_SLUGS:
        base = f"{base}-club"
    return free_slug(Club.objects.all(), base, max_length=SLUG_LENGTH)


def club_create(
    *,
    founder: User,
    name: str,
    visibility: str,
    joining: str,
    slug: str | None = None,
    tagline: str = "",
    description: str = "",
    language: str = "en",
) -> Club:
    """Found a club: the founder, a confirmed member, becomes its first lead."""
    if not can_create_club(founder):
        raise NotAllowed(_("Only confirmed members who are not suspended can create a club."))
    slug = (slug or "").strip().lower()
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            {
                "slug": ValidationError(
                    _("That address is reserved; please choose another."), code="reserved"
                )
            }
        )
    with transaction.atomic():
        club = Club(
            name=name.strip(),
            slug=slug or unique_slug(name),
            tagline=tagline.strip(),
            description=description,
            language=language,
            visibility=visibility,
            joining=joining,
        )
        club.full_clean()
        club.save()
        _add_member(club=club, member=founder, role=Role.LEAD)
        consume("club_create", founder.pk)
        transaction.on_commit(clubs_changed)
    return club


def club_update(*, club: Club, by: User, **fields) -> Club:
    """A lead changes the club's settings; every page of its discussions follows."""
    _require_manager(by, club)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"club_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        club = Club.objects.select_for_update().get(pk=club.pk)
        for name, value in fields.items():
            setattr(club, name, value)
        club.full_clean()
        club.save()
        signals.club_changed.send(sender=Club, club=club)
    return club


# --- Joining -----------------------------------------------------------------------------


def _add_member(*, club: Club, member: User, role: str = Role.MEMBER) -> Membership:
    """
    Make ``member`` a member (idempotent: a member stays as they are). A banned member is
    refused. Two requests at once make one membership: the unique constraint decides.
    """
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                club=club, member=member, defaults={"role": role}
            )
    except IntegrityError:  # another request made it between our read and our insert
        membership, created = Membership.objects.get(club=club, member=member), False
    if membership.is_banned:
        raise NotAllowed(_("You were banned from this club, so you cannot join it again."))
    if created:
        _membership_changed(club, member)
    return membership


def _membership_changed(club: Club, member: User) -> None:
    access.forget(member)
    signals.membership_changed.send(sender=Membership, club=club, member=member)


def club_join(*, club: Club, member: User) -> Membership:
    """
    Join a club at once: a public club open to all, or any club whose email domains
    include one of the member's confirmed addresses.
    """
    _require_confirmed(member)
    _require_not_banned(member, club)
    if not can_join_at_once(member, club):
        raise NotAllowed(
            _("This club takes requests to join; ask to join instead.")
            if club.joining == Club.Joining.REQUEST
            else _("This club is joined by invitation only.")
        )
    with transaction.atomic():
        membership = _add_member(club=club, member=member)
        # A request waiting for a lead has been answered by joining.
        JoinRequest.objects.filter(
            club=club, member=member, status=JoinRequest.Status.PENDING
        ).update(status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now())
    return membership


def club_join_by_domain(*, member: User, email: str) -> list[Club]:
    """
    A member confirmed ``email``: they join every club whose email domains include its
    domain (not those that banned them). Returns the clubs joined now.
    """
    domain = email.rsplit("@", 1)[-1].lower()
    if not domain:
        return []
    joined = []
    candidates = Club.objects.filter(email_domains__icontains=domain).exclude(
        memberships__member=member
    )
    for club in candidates:
        if domain in club.domains:
            with transaction.atomic():
                _add_member(club=club, member=member)
            joined.append(club)
    return joined


def join_request_create(*, club: Club, member: User, message: str = "") -> JoinRequest:
    """Ask a club's leads to let the member in; the leads are emailed."""
    _require_confirmed(member)
    _require_not_banned(member, club)
    if access.is_member(member, club):
        raise ValidationError(_("You are already a member of this club."), code="member")
    if club.joining != Club.Joining.REQUEST:
        raise NotAllowed(
            _("This club is joined by invitation only.")
            if club.joining == Club.Joining.INVITATION
            else _("Anyone can join this club: there is nothing to ask.")
        )
    with transaction.atomic():
        waiting = JoinRequest.objects.filter(
            club=club, member=member, status=JoinRequest.Status.PENDING
        ).first()
        if waiting is not None:  # asked twice (a double submit): one request
            return waiting
        join_request = JoinRequest(club=club, member=member, message=message.strip())
        join_request.full_clean()
        try:
            with transaction.atomic():
                join_request.save()
        except IntegrityError:  # the same request, sent twice at once
            return JoinRequest.objects.get(
                club=club, member=member, status=JoinRequest.Status.PENDING
            )
        transaction.on_commit(lambda: _email_leads_of_request(join_request))
    return join_request


def join_request_decide(
    *, join_request: JoinRequest, by: User, approve: bool, response: str = ""
) -> JoinRequest:
    """
    A lead approves or declines a request, with a message the member is emailed. The
    request's row is locked: two leads deciding at once decide once (one membership).
    Deciding again the same way changes nothing; the other way is refused.
    """
    club = join_request.club
    _require_manager(by, club)
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        wanted = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
        if join_request.status == wanted:
            return join_request
        if join_request.status != JoinRequest.Status.PENDING:
            raise ValidationError(
                _("This request was already answered (%(status)s).")
                % {"status": join_request.get_status_display()},
                code="decided",
            )
        if approve:
            if Membership.objects.banned().filter(club=club, member=join_request.member).exists():
                raise ValidationError(
                    _("This member is banned from the club; lift the ban first."), code="banned"
                )
            _add_member(club=club, member=join_request.member)
        join_request.status = wanted
        join_request.response = response.strip()
        join_request.decided_by = by
        join_request.decided_at = timezone.now()
        join_request.full_clean()
        join_request.save()
        transaction.on_commit(lambda: _email_decision(join_request))
    return join_request


def join_request_withdraw(*, join_request: JoinRequest, member: User) -> JoinRequest:
    """The member takes back a request still waiting for a lead."""
    if join_request.member_id != member.pk:
        raise NotAllowed(_("Only the member who asked can withdraw this request."))
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.status == JoinRequest.Status.PENDING:
            join_request.status = JoinRequest.Status.WITHDRAWN
            join_request.decided_at = timezone.now()
            join_request.save(update_fields=["status", "decided_at"])
    return join_request


# --- Invitations -------------------------------------------------------------------------


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.JOURNAL_CLUB_INVITATION_DAYS)


def invitation_url(token: str) -> str:
    """The absolute address of an invitation's page, for emails and the invite link."""
    return settings.JOURNAL_CLUB_BASE_URL + reverse("clubs:invitation", kwargs={"token": token})


def invitation_create(
    *, club: Club, by: User, email: str, role: str = Role.MEMBER
) -> tuple[Invitation, str]:
    """
    Invite one email address (single use, expiring); the email leaves when the transaction
    commits. Returns the invitation and its token: only its digest is kept, so the token
    is never shown again. Inviting the same address again replaces the waiting invitation.
    """
    _require_manager(by, club)
    email = email.strip()
    if role not in Role.values:
        raise ValidationError(
            {"role": ValidationError(_("Choose one of the roles offered."), code="role")}
        )
    members = Membership.objects.filter(
        club=club, member__emailaddress__email__iexact=email
    ).values_list("banned_at", flat=True)
    for banned_at in members:
        if banned_at is None:
            refusal = ValidationError(
                _("This address belongs to a member of the club already."), code="member"
            )
        else:
            refusal = ValidationError(
                _("This address belongs to a member banned from the club."), code="banned"
            )
        raise ValidationError({"email": refusal})
    token = new_token()
    with transaction.atomic():
        now = timezone.now()
        club.invitations.usable().filter(email__iexact=email).update(revoked_at=now)
        invitation = Invitation(
            club=club,
            email=email,
            role=role,
            invited_by=by,
            token_hash=token_digest(token),
            expires_at=_expiry(),
        )
        invitation.full_clean()
        invitation.save()
        consume("invite", by.pk)
        transaction.on_commit(lambda: _email_invitation(invitation, token))
    return invitation, token


def invite_link_create(*, club: Club, by: User) -> tuple[Invitation, str]:
    """
    A new invite link for the club (anyone holding it may join until it expires or is
    revoked). The club's previous links stop working: there is one link at a time.
    """
    _require_manager(by, club)
    token = new_token()
    with transaction.atomic():
        club.invitations.usable().filter(email="").update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            club=club, token_hash=token_digest(token), invited_by=by, expires_at=_expiry()
        )
    return invitation, token


def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """A lead withdraws an invitation or an invite link; its token stops working."""
    _require_manager(by, invitation.club)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a token opens, usable or not; None for a token nobody issued."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("club").filter(token_hash=token_digest(token)).first()


def invitation_problem(invitation: Invitation) -> ValidationError | None:
    """Why this invitation cannot be used any more, precisely, or None if it can."""
    if invitation.revoked_at is not None:
        return ValidationError(
            _("This invitation was withdrawn by the club's leads."), code="revoked"
        )
    if invitation.email and invitation.used_at is not None:
        return ValidationError(_("This invitation has already been used."), code="used")
    if invitation.expires_at <= timezone.now():
        return ValidationError(_("This invitation has expired."), code="expired")
    return None


def invitation_accept(*, token: str, member: User) -> Membership:
    """
    Join the club an invitation (or an invite link) is for, with the invitation's role.
    An invitation to one address is used once; an expired, used or revoked one says which
    (``ValidationError`` codes "expired", "used", "revoked"); an unknown token is "invalid".
    A member already in the club stays as they are, and the invitation stays unused.
    """
    _require_confirmed(member)
    with transaction.atomic():
        found = invitation_for_token(token)
        if found is None:
            raise ValidationError(_("This invitation is not valid."), code="invalid")
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        club = found.club
        problem = invitation_problem(invitation)
        if problem is not None:
            raise problem
        _require_not_banned(member, club)
        if Membership.objects.filter(club=club, member=member).exists():
            return Membership.objects.get(club=club, member=member)
        membership = _add_member(club=club, member=member, role=invitation.role)
        invitation.uses += 1
        if invitation.email:
            invitation.used_at = timezone.now()
            invitation.used_by = member
        invitation.save(update_fields=["uses", "used_at", "used_by"])
    return membership


# --- Membership --------------------------------------------------------------------------


def _lock_leads(club: Club) -> list[Membership]:
    """The club's leads, locked: two leads stepping down at once cannot leave none."""
    return list(Membership.objects.select_for_update().leads().filter(club=club))


def _require_other_lead(club: Club, membership: Membership) -> None:
    if membership.role != Role.LEAD or membership.is_banned:
        return
    leads = _lock_leads(club)
    if all(lead.pk == membership.pk for lead in leads):
        raise ValidationError(
            _("A club needs a lead: make another member a lead first."), code="last_lead"
        )


def _membership(club: Club, member: User) -> Membership:
    """
    The member's row, locked, after the club's leads: every change takes the leads first,
    so two changes at once wait for each other instead of deadlocking.
    """
    _lock_leads(club)
    membership = Membership.objects.select_for_update().filter(club=club, member=member).first()
    if membership is None:
        raise ValidationError(_("This person is not a member of the club."), code="not_member")
    return membership


def membership_leave(*, club: Club, member: User) -> None:
    """The member leaves; what they wrote stays. The last lead cannot leave."""
    with transaction.atomic():
        membership = _membership(club, member)
        if membership.is_banned:  # a ban is kept, not left
            raise ValidationError(_("You are not a member of this club."), code="not_member")
        _require_other_lead(club, membership)
        membership.delete()
        _membership_changed(club, member)


def membership_remove(*, club: Club, member: User, by: User) -> None:
    """A lead removes a member (who may join again); what they wrote stays."""
    _require_manager(by, club)
    with transaction.atomic():
        membership = _membership(club, member)
        _require_other_lead(club, membership)
        membership.delete()
        _membership_changed(club, member)


def membership_ban(*, club: Club, member: User, by: User, reason: str = "") -> Membership:
    """
    A lead bans a member (or someone asking to join): the row is kept, marked, so that
    they cannot join, ask or accept an invitation again. Their requests are declined.
    """
    _require_manager(by, club)
    if member.pk == by.pk:
        raise ValidationError(_("You cannot ban yourself."), code="self")
    with transaction.atomic():
        _lock_leads(club)
        membership = Membership.objects.select_for_update().filter(club=club, member=member).first()
        if membership is None:
            membership = Membership(club=club, member=member)
        else:
            _require_other_lead(club, membership)
        if membership.banned_at is None:
            membership.banned_at = timezone.now()
        membership.ban_reason = reason.strip()[:300]
        membership.save()
        JoinRequest.objects.filter(
            club=club, member=member, status=JoinRequest.Status.PENDING
        ).update(status=JoinRequest.Status.DECLINED, decided_by=by, decided_at=timezone.now())
        _membership_changed(club, member)
    return membership


def membership_unban(*, club: Club, member: User, by: User) -> None:
    """A lead lifts a ban: the person is no longer a member, and may join again."""
    _require_manager(by, club)
    with transaction.atomic():
        deleted, _rows = Membership.objects.banned().filter(club=club, member=member).delete()
        if deleted:
            _membership_changed(club, member)


def membership_set_role(*, club: Club, member: User, role: str, by: User) -> Membership:
    """A lead gives a member a role (lead, host, moderator, member); the last lead stays."""
    _require_manager(by, club)
    if role not in Role.values:
        raise ValidationError(_("Choose one of the roles offered."), code="role")
    with transaction.atomic():
        membership = _membership(club, member)
        if membership.is_banned:
            raise ValidationError(_("A banned member has no role."), code="banned")
        if membership.role == role:
            return membership
        if role != Role.LEAD:
            _require_other_lead(club, membership)
        membership.role = role
        membership.save(update_fields=["role"])
        _membership_changed(club, member)
    return membership


# --- Emails ------------------------------------------------------------------------------
#
# Each email is written in its recipient's language (``member_language``), whoever caused
# it and in whatever language their request was: the sender activates it before building
# the context, as the links name it too (``/fr/...``), and so do the dates.


def absolute_url(path: str) -> str:
    return settings.JOURNAL_CLUB_BASE_URL + path


def _send(name: str, to: str, context: dict) -> None:
    """
    Send ``clubs/email/<name>_*`` (subject, text and HTML) to one address, rendered in the
    active language: the caller's ``translation.override`` of the recipient's.
    """
    context = {**context, "site_url": absolute_url(reverse("discussions:home"))}
    subject = " ".join(render_to_string(f"clubs/email/{name}_subject.txt", context).split())
    text = render_to_string(f"clubs/email/{name}_body.txt", context)
    html = render_to_string(f"clubs/email/{name}_body.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _invitation_language(invitation: Invitation) -> str:
    """
    The language an invitation is written in: that of the account which confirmed the
    invited address, if one has; for someone with no account yet, the club's.
    """
    return (
        address_language(invitation.email)
        or offered(invitation.club.language)
        or settings.LANGUAGE_CODE
    )


def _email_invitation(invitation: Invitation, token: str) -> None:
    with translation.override(_invitation_language(invitation)):
        _send(
            "invitation",
            invitation.email,
            {
                "club": invitation.club,
                "invitation": invitation,
                "inviter": invitation.invited_by,
                "url": invitation_url(token),
            },
        )


def _email_leads_of_request(join_request: JoinRequest) -> None:
    club = join_request.club
    for membership in Membership.objects.leads().filter(club=club).select_related("member"):
        lead = membership.member
        if not lead.email:
            continue
        with translation.override(member_language(lead)):
            _send(
                "join_request",
                lead.email,
                {
                    "club": club,
                    "join_request": join_request,
                    "url": absolute_url(reverse("clubs:requests", kwargs={"slug": club.slug})),
                },
            )


def _email_decision(join_request: JoinRequest) -> None:
    member = join_request.member
    if not member.email:
        return
    club = join_request.club
    approved = join_request.status == JoinRequest.Status.APPROVED
    with translation.override(member_language(member)):
        _send(
            "decision",
            member.email,
            {
                "club": club,
                "join_request": join_request,
                "approved": approved,
                # A declined member of a private club gets no link into it (it would be a 404).
                "url": absolute_url(club.get_absolute_url())
                if approved or not club.is_private
                else "",
            },
        )
