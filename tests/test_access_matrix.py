"""
Every URL of the site, for every role, by GET and by POST, with the status each must answer.

The table below is the site's access policy in one place. A URL without an entry fails
``test_every_url_has_an_entry``, so nothing new is published without deciding who may use
it. POSTs are sent empty (with a valid CSRF token): enough to tell "refused" (403), "sign in
first" (302 to the login page) and "not this method" (405) from "allowed" (anything else).
"""

import datetime

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlencode

from api import services as api_services
from clubs.models import Invitation, JoinRequest, Membership, Nomination, token_digest
from discovery.authors import author_key
from discovery.index import index_article
from discussions.models import Discussion
from events.models import Meeting
from moderation import services as moderation
from notifications.models import Notification
from tests.factories import CommentFactory, DiscussionFactory, MembershipFactory, UserFactory

ROLES = ["anonymous", "unverified", "member", "suspended", "host", "moderator", "staff"]
SIGNED_IN = ROLES[1:]
LOGIN = "login"  # a redirect to the login page


def everyone(get=200, post=405):
    return dict.fromkeys(ROLES, (get, post))


def members_only(get=200, post=405, **overrides):
    """Anonymous visitors are sent to sign in; signed-in roles get ``get``/``post``."""
    table = dict.fromkeys(SIGNED_IN, (get, post))
    table["anonymous"] = (LOGIN, LOGIN)
    table.update(overrides)
    return table


def with_permission(allowed: set[str], get=200, post=200, denied=(403, 403)):
    table = {role: (get, post) if role in allowed else denied for role in SIGNED_IN}
    table["anonymous"] = (LOGIN, LOGIN)
    return table


def only_some(get, post, allowed=frozenset({"staff"})):
    """
    ``with_permission`` for a view that answers one method only: the other is 405 to
    everyone, before anything else is checked.
    """
    table = with_permission(
        allowed,
        get=get,
        post=post,
        denied=(405 if get == 405 else 403, 405 if post == 405 else 403),
    )
    if get == 405:
        table["anonymous"] = (405, LOGIN)
    elif post == 405:
        table["anonymous"] = (LOGIN, 405)
    return table


PARTICIPANTS = {"member", "host", "moderator", "staff"}  # may post: verified, not suspended


def api_token(world):
    """The "member" role's personal API token (made once per world)."""
    if not hasattr(world, "api_token"):
        world.api_token = api_services.token_create(member=world.users["member"], name="Matrix")[0]
    return world.api_token


MODERATORS = {"moderator"}  # staff curate in the admin; moderating is its own role

# URL name -> (how to build it from the world, expected statuses per role).
MATRIX = {
    # Reading: open to everyone.
    "discussions:home": (lambda w: reverse("discussions:home"), everyone()),
    "discussions:archive": (lambda w: reverse("discussions:archive"), everyone()),
    "discussions:detail": (lambda w: w.discussion.get_absolute_url(), everyone()),
    "discussions:question": (
        lambda w: reverse("discussions:question", args=[w.discussion.slug, 1]),
        everyone(),
    ),
    "discussions:cite": (
        lambda w: reverse("discussions:cite", args=[w.discussion.slug, "bib"]),
        everyone(),
    ),
    # A discussion's proceedings (and one question's) in each format: whoever may read it.
    # The PDF is queued (the test's transaction never commits) and its reader sent to its
    # page; that page's POST asks for it.
    **{
        f"proceedings:{prefix}{name}": (
            lambda w, prefix=prefix, name=name: reverse(
                f"proceedings:{prefix}{name}",
                args=[w.discussion.slug, 1] if prefix else [w.discussion.slug],
            ),
            table,
        )
        for prefix in ("", "question-")
        for name, table in [
            ("html", everyone()),
            ("markdown", everyone()),
            ("jsonld", everyone()),
            ("pdf", everyone(get=302)),
            ("pdf-status", everyone(post=302)),
        ]
    },
    "discussions:comment": (lambda w: w.comment.get_absolute_url(), everyone(get=302)),
    "discussions:comment-revisions": (
        lambda w: reverse("discussions:comment-revisions", args=[w.comment.pk]),
        everyone(),
    ),
    "articles:detail": (lambda w: w.discussion.article.get_absolute_url(), everyone()),
    "articles:cite": (
        lambda w: reverse("articles:cite", args=[w.discussion.article.slug, "ris"]),
        everyone(),
    ),
    "accounts:profile": (lambda w: w.users["member"].get_absolute_url(), everyone()),
    # The @mention suggestions of the comment forms: for signed-in members only.
    "accounts:mentions": (
        lambda w: reverse("accounts:mentions") + "?q=mem",
        members_only(),
    ),
    "code-of-conduct": (lambda w: reverse("code-of-conduct"), everyone()),
    "discovery:search": (lambda w: reverse("discovery:search") + "?q=support", everyone()),
    "discovery:browse": (lambda w: reverse("discovery:browse"), everyone()),
    "discovery:subjects": (lambda w: reverse("discovery:subjects"), everyone()),
    "discovery:subject": (
        lambda w: reverse("discovery:subject", args=[w.subject.slug]),
        everyone(),
    ),
    "discovery:authors": (lambda w: reverse("discovery:authors"), everyone()),
    "discovery:author": (lambda w: w.author_url, everyone()),
    "discovery:journals": (lambda w: reverse("discovery:journals"), everyone()),
    "discovery:journal": (
        lambda w: reverse("discovery:journal", args=[w.discussion.article.journal.slug]),
        everyone(),
    ),
    "discovery:years": (lambda w: reverse("discovery:years"), everyone()),
    "discovery:year": (lambda w: reverse("discovery:year", args=[w.year]), everyone()),
    "discovery:feed-discussions": (
        lambda w: reverse("discovery:feed-discussions"),
        everyone(post=200),
    ),
    "discovery:feed-discussion-comments": (
        lambda w: reverse("discovery:feed-discussion-comments", args=[w.discussion.slug]),
        everyone(post=200),
    ),
    "discovery:feed-member-comments": (
        lambda w: reverse("discovery:feed-member-comments", args=[w.users["member"].username]),
        everyone(post=200),
    ),
    # What other programs read of a discussion: its comments as W3C Web Annotations, and
    # its oEmbed card (public discussions only, given by their full address).
    "discovery:annotations": (
        lambda w: reverse("discovery:annotations", args=[w.discussion.slug]),
        everyone(),
    ),
    "oembed": (
        lambda w: (
            reverse("oembed")
            + "?"
            + urlencode({"url": f"http://testserver{w.discussion.get_absolute_url()}"})
        ),
        everyone(),
    ),
    "discovery:sitemap": (lambda w: reverse("discovery:sitemap"), everyone(post=200)),
    "discovery:robots": (lambda w: reverse("discovery:robots"), everyone()),
    "events:list": (lambda w: reverse("events:list"), everyone()),
    "events:calendar": (lambda w: reverse("events:calendar"), everyone()),
    "events:meeting-ics": (
        lambda w: reverse("events:meeting-ics", args=[w.meeting.pk]),
        everyone(),
    ),
    "favicon": (lambda w: reverse("favicon"), everyone(get=302)),  # to the static file
    "healthz": (lambda w: reverse("healthz"), everyone()),
    "javascript-catalog": (lambda w: reverse("javascript-catalog"), everyone()),
    # The switcher's links: remember the choice, back to the page (here the home page).
    "language": (lambda w: reverse("language", kwargs={"code": "en"}), everyone(get=302)),
    "healthz-tasks": (lambda w: reverse("healthz-tasks"), everyone()),
    # Taking part: confirmed members who are not suspended.
    "discussions:comment-create": (
        lambda w: reverse("discussions:comment-create", args=[w.discussion.slug, 1]),
        members_only(
            get=405,
            post=200,  # an empty form comes back with its errors
            unverified=(405, 403),
            suspended=(405, 403),
        ),
    ),
    # The composer's live preview: whoever may post, by POST only.
    "discussions:comment-preview": (
        lambda w: reverse("discussions:comment-preview"),
        members_only(get=405, post=200, unverified=(405, 403), suspended=(405, 403)),
    ),
    "discussions:comment-reply": (
        lambda w: reverse("discussions:comment-reply", args=[w.comment.pk]),
        members_only(unverified=(403, 403), suspended=(403, 403), post=200),
    ),
    "discussions:follow": (
        lambda w: reverse("discussions:follow", args=["discussion", w.discussion.pk]),
        members_only(get=405, post=302),
    ),
    "discussions:comment-follow": (
        lambda w: reverse("discussions:comment-follow", args=[w.comment.pk]),
        members_only(get=405, post=302),
    ),
    "discussions:comment-helpful": (
        lambda w: reverse("discussions:comment-helpful", args=[w.comment.pk]),
        # The world's comment is the member's own: nobody marks their own helpful.
        members_only(
            get=405, post=302, unverified=(405, 403), suspended=(405, 403), member=(405, 403)
        ),
    ),
    # Own comments only: the world's comment belongs to the "member" role.
    "discussions:comment-edit": (
        lambda w: reverse("discussions:comment-edit", args=[w.comment.pk]),
        members_only(get=403, post=403, member=(200, 200)),
    ),
    "discussions:comment-delete": (
        lambda w: reverse("discussions:comment-delete", args=[w.own_comment.pk]),
        members_only(get=403, post=403, member=(200, 302)),
    ),
    # Hosting.
    "discussions:status": (
        lambda w: reverse("discussions:status", args=[w.discussion.slug]),
        members_only(get=405, post=403, host=(405, 302), staff=(405, 302)),
    ),
    "discussions:question-synthesis": (
        lambda w: reverse("discussions:question-synthesis", args=[w.discussion.slug, 1]),
        members_only(get=403, post=403, host=(200, 302), staff=(200, 302)),
    ),
    "discussions:discussion-translate": (
        lambda w: reverse("discussions:discussion-translate", args=[w.discussion.slug]),
        members_only(get=403, post=403, host=(200, 302), staff=(200, 302)),
    ),
    # Publishing the proceedings with a DOI: its hosts see the page; the world's discussion
    # is open (and no Zenodo token is set), so publishing is refused, and with no deposit
    # there is no announcement to send again (tests/proceedings/test_deposit_views.py).
    "proceedings:deposit": (
        lambda w: reverse("proceedings:deposit", args=[w.discussion.slug]),
        members_only(get=403, post=403, host=(200, 403), staff=(200, 403)),
    ),
    "proceedings:deposit-announce": (
        lambda w: reverse("proceedings:deposit-announce", args=[w.discussion.slug]),
        members_only(get=405, post=403, host=(405, 404), staff=(405, 404)),
    ),
    # Flagging: confirmed, unsuspended members; not their own comment.
    "moderation:flag": (
        lambda w: reverse("moderation:flag", args=[w.comment.pk]),
        members_only(post=200, member=(200, 200)),
    ),
    # Moderation.
    "moderation:queue": (
        lambda w: reverse("moderation:queue"),
        with_permission(MODERATORS, post=405),
    ),
    "moderation:log": (
        lambda w: reverse("moderation:log"),
        {**with_permission(MODERATORS, post=405), "staff": (200, 405)},  # also in the admin
    ),
    "moderation:bulk": (
        lambda w: reverse("moderation:bulk"),
        with_permission(MODERATORS, get=405, post=302, denied=(403, 403)),
    ),
    "moderation:comment": (
        lambda w: reverse("moderation:comment", args=[w.comment.pk]),
        with_permission(MODERATORS),
    ),
    "moderation:question-lock": (
        lambda w: reverse("moderation:question-lock", args=[w.discussion.questions.first().pk]),
        with_permission(MODERATORS, get=405, post=302),
    ),
    "moderation:discussion-lock": (
        lambda w: reverse("moderation:discussion-lock", args=[w.discussion.pk]),
        with_permission(MODERATORS, get=405, post=302),
    ),
    "moderation:suspend": (
        lambda w: reverse("moderation:suspend", args=[w.users["unverified"].username]),
        with_permission(MODERATORS),
    ),
    "moderation:lift": (
        lambda w: reverse("moderation:lift", args=[w.suspension.pk]),
        with_permission(MODERATORS, get=405, post=302),
    ),
    # The member's own settings and data.
    "accounts:profile-edit": (lambda w: reverse("accounts:profile-edit"), members_only(post=200)),
    "accounts:data": (lambda w: reverse("accounts:data"), members_only()),
    "accounts:data-export": (lambda w: reverse("accounts:data-export"), members_only()),
    "accounts:delete": (lambda w: reverse("accounts:delete"), members_only(get=405, post=400)),
    "notifications:list": (lambda w: reverse("notifications:list"), members_only()),
    "notifications:read-all": (
        lambda w: reverse("notifications:read-all"),
        members_only(get=405, post=302),
    ),
    "notifications:read": (
        lambda w: reverse("notifications:read", args=[w.notification.pk]),
        members_only(get=405, post=404, member=(405, 302)),  # someone else's: 404
    ),
    "notifications:settings": (lambda w: reverse("notifications:settings"), members_only(post=200)),
    "notifications:unsubscribe": (
        lambda w: reverse("notifications:unsubscribe", args=["not-a-valid-token"]),
        everyone(get=400, post=400),
    ),
    # Clubs, in the world's club: the default public club anyone may join. The site's roles
    # are no club's members here; tests/test_club_access_matrix.py decides the club roles.
    "discussions:clubs": (lambda w: reverse("discussions:clubs"), everyone(post=405)),
    "discussions:club": (lambda w: w.club.get_absolute_url(), everyone(post=405)),
    "clubs:conduct": (lambda w: reverse("clubs:conduct", args=[w.club.slug]), everyone()),
    "discovery:feed-club": (
        lambda w: reverse("discovery:feed-club", args=[w.club.slug]),
        everyone(post=200),
    ),
    "events:club-calendar": (
        lambda w: reverse("events:club-calendar", args=[w.club.slug]),
        everyone(),
    ),
    "clubs:nominations": (
        lambda w: reverse("clubs:nominations", args=[w.club.slug]),
        {**members_only(post=403), "anonymous": (200, LOGIN)},  # members of the club nominate
    ),
    "clubs:create": (
        lambda w: reverse("clubs:create"),
        members_only(post=200, unverified=(403, 403), suspended=(403, 403)),
    ),
    "clubs:invitation": (
        # A forged token: a plain 404 that names no club.
        lambda w: reverse("clubs:invitation", args=["not-a-valid-token"]),
        dict.fromkeys(ROLES, (404, 404)),
    ),
    "clubs:join": (
        # Joining writes nothing anyone reads: a suspended member may join (and still not
        # post); an unconfirmed one confirms first.
        lambda w: reverse("clubs:join", args=[w.club.slug]),
        {**members_only(get=405, post=302, unverified=(405, 403)), "anonymous": (405, LOGIN)},
    ),
    "clubs:request": (
        # An open club needs no request: back to the club, where Join is. An empty POST
        # is a request with no message, and the service says the club needs none.
        lambda w: reverse("clubs:request", args=[w.club.slug]),
        members_only(get=302, post=403, unverified=(302, 403)),
    ),
    "clubs:request-withdraw": (
        lambda w: reverse("clubs:request-withdraw", args=[w.club.slug]),
        {**members_only(get=405, post=404), "anonymous": (405, LOGIN)},  # none waiting
    ),
    "clubs:leave": (
        lambda w: reverse("clubs:leave", args=[w.club.slug]),
        members_only(get=403, post=403),  # not members of the club
    ),
    "clubs:members": (
        lambda w: reverse("clubs:members", args=[w.club.slug]),
        {**members_only(get=403, post=405), "staff": (200, 405), "anonymous": (LOGIN, 405)},
    ),
    # Running a club: its leads, and staff who curate clubs.
    **{
        f"clubs:{name}": (
            lambda w, name=name: reverse(f"clubs:{name}", args=[w.club.slug]),
            only_some(get=get, post=post),
        )
        for name, get, post in [
            ("settings", 200, 200),
            ("invitations", 200, 200),
            ("requests", 200, 405),
            ("invite-link", 405, 200),
            ("question-templates", 200, 200),
        ]
    },
    "clubs:invitation-revoke": (
        lambda w: reverse("clubs:invitation-revoke", args=[w.club.slug, w.invitation.pk]),
        only_some(get=405, post=302),
    ),
    "clubs:request-decide": (
        lambda w: reverse("clubs:request-decide", args=[w.club.slug, w.join_request.pk]),
        only_some(get=405, post=302),
    ),
    **{
        f"clubs:member-{name}": (
            lambda w, name=name: reverse(
                f"clubs:member-{name}", args=[w.club.slug, w.memberships[name].pk]
            ),
            only_some(get=get, post=post),
        )
        for name, get, post in [
            ("role", 405, 302),
            ("remove", 405, 200),  # asked to confirm first
            ("ban", 200, 302),
            ("unban", 405, 302),
        ]
    },
    "clubs:nomination-vote": (
        lambda w: reverse("clubs:nomination-vote", args=[w.club.slug, w.nomination.pk]),
        members_only(get=405, post=403),  # members of the club vote
    ),
    "clubs:nomination-withdraw": (
        lambda w: reverse("clubs:nomination-withdraw", args=[w.club.slug, w.nomination.pk]),
        members_only(get=405, post=403, staff=(405, 302)),  # the nominator, leads, staff
    ),
    # A draft's page for its hosts: the world's discussion is open, so edited elsewhere.
    "discussions:discussion-edit": (
        lambda w: reverse("discussions:discussion-edit", args=[w.discussion.slug]),
        members_only(get=403, post=403),
    ),
    "discussions:discussion-new": (
        lambda w: reverse("discussions:discussion-new", args=[w.club.slug]),
        with_permission({"staff"}, get=200, post=200),
    ),
    # allauth.
    "account_login": (
        lambda w: reverse("account_login"),
        {**dict.fromkeys(SIGNED_IN, (302, 302)), "anonymous": (200, 200)},
    ),
    "account_signup": (
        lambda w: reverse("account_signup"),
        {**dict.fromkeys(SIGNED_IN, (302, 302)), "anonymous": (200, 200)},
    ),
    "account_logout": (
        lambda w: reverse("account_logout"),
        {**dict.fromkeys(SIGNED_IN, (200, 302)), "anonymous": (302, 302)},
    ),
    "account_inactive": (lambda w: reverse("account_inactive"), everyone(post=405)),
    "account_reauthenticate": (lambda w: reverse("account_reauthenticate"), members_only(post=200)),
    # Reauthenticating by a code sent by email is off (ACCOUNT_REAUTHENTICATION_METHODS):
    # members confirm with their password (``account_reauthenticate``).
    "account_request_reauthentication_code": (
        lambda w: reverse("account_request_reauthentication_code"),
        members_only(get=403, post=403),
    ),
    "account_confirm_reauthentication_code": (
        lambda w: reverse("account_confirm_reauthentication_code"),
        members_only(get=403, post=403),
    ),
    # Changing addresses asks for the password again first.
    "account_email": (lambda w: reverse("account_email"), members_only(post=302)),
    "account_email_verification_sent": (
        lambda w: reverse("account_email_verification_sent"),
        everyone(),
    ),
    "account_confirm_email": (
        lambda w: reverse("account_confirm_email", args=["not-a-key"]),
        everyone(post=404),  # the page explains a bad link; confirming one is not found
    ),
    "account_change_password": (
        lambda w: reverse("account_change_password"),
        members_only(post=200),
    ),
    "account_set_password": (
        lambda w: reverse("account_set_password"),
        members_only(get=302, post=302),  # members have a password: sent to change it
    ),
    "account_reset_password": (
        lambda w: reverse("account_reset_password"),
        everyone(post=200),
    ),
    "account_reset_password_done": (lambda w: reverse("account_reset_password_done"), everyone()),
    "account_reset_password_from_key": (
        lambda w: reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "x-y"}),
        everyone(post=200),
    ),
    "account_reset_password_from_key_done": (
        lambda w: reverse("account_reset_password_from_key_done"),
        everyone(),
    ),
    "account_confirm_login_code": (
        lambda w: reverse("account_confirm_login_code"),
        everyone(get=302, post=302),  # login by code is off: nothing to confirm
    ),
    # Signing in with ORCID (allauth's socialaccount). The suite runs without an ORCID
    # client, so its addresses are not found; tests/accounts/test_orcid.py has one.
    "orcid_login": (lambda w: reverse("orcid_login"), dict.fromkeys(ROLES, (404, 404))),
    "orcid_callback": (lambda w: reverse("orcid_callback"), dict.fromkeys(ROLES, (404, 404))),
    # The last step of signing up with ORCID: with no ORCID sign-in under way, to sign in.
    "socialaccount_signup": (
        lambda w: reverse("socialaccount_signup"),
        everyone(get=302, post=302),
    ),
    "socialaccount_login_cancelled": (
        lambda w: reverse("socialaccount_login_cancelled"),
        everyone(post=405),
    ),
    "socialaccount_login_error": (
        lambda w: reverse("socialaccount_login_error"),
        everyone(get=401, post=405),
    ),
    # Connected accounts, among the account settings (an empty POST: the form's errors).
    "socialaccount_connections": (
        lambda w: reverse("socialaccount_connections"),
        members_only(post=200),
    ),
    # The read-only API: everyone reads (a signed-in browser reads as a visitor: only a
    # personal token is a way in), nobody writes. tests/api/ decides who reads what.
    "api:root": (lambda w: reverse("api:root"), everyone()),
    "api:schema": (lambda w: reverse("api:schema"), everyone()),
    "api:docs": (lambda w: reverse("api:docs"), everyone()),
    "api:club-list": (lambda w: reverse("api:club-list"), everyone()),
    "api:club-detail": (lambda w: reverse("api:club-detail", args=[w.club.slug]), everyone()),
    "api:paper-list": (lambda w: reverse("api:paper-list"), everyone()),
    "api:paper-detail": (
        lambda w: reverse("api:paper-detail", args=[w.discussion.article.slug]),
        everyone(),
    ),
    "api:discussion-list": (lambda w: reverse("api:discussion-list"), everyone()),
    "api:discussion-detail": (
        lambda w: reverse("api:discussion-detail", args=[w.discussion.slug]),
        everyone(),
    ),
    "api:comment-list": (
        lambda w: reverse("api:comment-list", args=[w.discussion.slug]),
        everyone(),
    ),
    "api:comment-detail": (
        lambda w: reverse("api:comment-detail", args=[w.comment.pk]),
        everyone(),
    ),
    "api:session-list": (lambda w: reverse("api:session-list"), everyone()),
    "api:session-detail": (
        lambda w: reverse("api:session-detail", args=[w.meeting.pk]),
        everyone(),
    ),
    "api:member-detail": (
        lambda w: reverse("api:member-detail", args=[w.users["member"].username]),
        everyone(),
    ),
    # Any other address under /api/: a 404, whatever the method.
    "api:not-found": (
        lambda w: reverse("api:not-found", kwargs={"rest": "v1/nothing/"}),
        dict.fromkeys(ROLES, (404, 404)),
    ),
    # A member's API tokens: their own only (the world's token is the "member" role's; an
    # empty POST to revoke asks for confirmation first).
    "api-tokens:list": (lambda w: reverse("api-tokens:list"), members_only(post=200)),
    "api-tokens:revoke": (
        lambda w: reverse("api-tokens:revoke", args=[api_token(w).pk]),
        members_only(get=405, post=404, member=(405, 200)),
    ),
}


def site_url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_an_entry():
    assert site_url_names() - set(MATRIX) == set(), "decide who may use these URLs"
    assert set(MATRIX) - site_url_names() == set(), "these URLs no longer exist"


class World:
    """One of everything the URLs need, and a member of every role."""

    def __init__(self):
        self.users = {
            "unverified": UserFactory(verified=False),
            "member": UserFactory(),
            "suspended": UserFactory(),
            "host": UserFactory(roles=["Hosts"]),
            "moderator": UserFactory(roles=["Moderators"]),
            "staff": UserFactory(is_staff=True, roles=["Staff"]),
        }
        self.discussion = DiscussionFactory(host=self.users["host"])
        self.discussion.article.subjects.create(
            name="Knowledge brokering", slug="knowledge-brokering"
        )
        self.subject = self.discussion.article.subjects.get()
        question = self.discussion.questions.first()
        self.comment = CommentFactory(question=question, author=self.users["member"])
        self.own_comment = CommentFactory(question=question, author=self.users["member"])
        self.suspension = moderation.member_suspend(
            member=self.users["suspended"], moderator=self.users["moderator"], reason="test"
        )
        self.notification = Notification.objects.create(
            recipient=self.users["member"],
            kind=Notification.Kind.REPLY,
            comment=self.comment,
            discussion=self.discussion,
            key=f"matrix-{self.comment.pk}",
        )
        self.meeting = Meeting.objects.create(
            discussion=self.discussion,
            starts_at=timezone.now() + datetime.timedelta(days=3),
        )
        self.year = self.discussion.opens_at.year
        self.club = self.discussion.club
        self.nomination = Nomination.objects.create(
            club=self.club,
            article=self.discussion.article,
            nominated_by=UserFactory(),
            reason="Worth a session",
        )
        self.join_request = JoinRequest.objects.create(club=self.club, member=UserFactory())
        self.invitation = Invitation.objects.create(
            club=self.club,
            email="invited@example.org",
            token_hash=token_digest("matrix"),
            expires_at=timezone.now() + datetime.timedelta(days=3),
        )
        self.memberships = {
            name: MembershipFactory(club=self.club) for name in ("role", "remove", "ban", "unban")
        }
        self.memberships["unban"].banned_at = timezone.now()
        self.memberships["unban"].save()
        self.kept = set(Membership.objects.values_list("pk", flat=True))
        index_article(self.discussion.article)  # as the import services do
        author = self.discussion.article.authors.first()
        key = author_key(family_name=author.family_name, given_name=author.given_name)
        self.author_url = reverse("discovery:author", args=[key])

    def reset(self):
        """Undo what a POST changed in the club, so that every URL meets the same world."""
        Membership.objects.exclude(pk__in=self.kept).delete()
        JoinRequest.objects.exclude(pk=self.join_request.pk).delete()

    def client(self, role):
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def reached_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(db, role):
    world = World()
    failures = []
    for name, (build, table) in sorted(MATRIX.items()):
        url = build(world)
        for method, expected in zip(("GET", "POST"), table[role], strict=True):
            client = world.client(role)  # afresh: an earlier request may have signed out
            response = getattr(client, method.lower())(url)
            ok = reached_login(response) if expected == LOGIN else response.status_code == expected
            if not ok:
                failures.append(
                    f"{method} {name} as {role}: {response.status_code}, expected {expected}"
                )
            world.reset()
            if Discussion.objects.get(pk=world.discussion.pk).status != Discussion.Status.OPEN:
                Discussion.objects.filter(pk=world.discussion.pk).update(
                    status="open", closes_at=None
                )
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_head_is_answered_like_get_on_every_url(db, role):
    """Uptime monitors and link checkers send HEAD: the status of a GET, without the body."""
    world = World()
    failures = []
    for name, (build, _table) in sorted(MATRIX.items()):
        if name == "account_logout":
            continue  # a GET shows the confirmation; nothing to compare
        url = build(world)
        got = world.client(role).get(url).status_code
        head = world.client(role).head(url)
        if head.status_code != got or head.content:
            failures.append(f"HEAD {name} as {role}: {head.status_code}, GET {got}")
    assert failures == [], "\n".join(failures)
