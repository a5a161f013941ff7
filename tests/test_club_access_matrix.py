"""
Every URL that belongs to a club, for every role in the club, in a public club and in a
private one, by GET and by POST, with the status each must answer.

``tests/test_access_matrix.py`` decides the site's roles (visitor, member, moderator,
staff…) in the default public club; this table decides the club's own: an outsider (a
confirmed member of the site, not of this club), a member banned from it, and its
members, hosts, moderators and leads. A URL of the site that takes a club, a discussion
or a comment must be here (``test_every_club_url_has_an_entry``), so nothing new is
published without deciding who in a club may use it.

The public club takes members by request, so that being a member matters there too. In
the private club, everyone outside it gets 404 on every URL of it, as if it did not exist
(signed-out visitors are sent to sign in first where the URL needs it anyway: the login
page is the same for a club that does not exist). POSTs are sent empty with a valid CSRF
token, as in the site's matrix.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clubs.models import Club, Invitation, JoinRequest, Nomination, token_digest
from discussions.models import Discussion
from events.models import Meeting
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.test_access_matrix import LOGIN, MATRIX, reached_login, site_url_names

ROLES = ["anonymous", "outsider", "banned", "member", "host", "moderator", "lead"]
MEMBERS = ["member", "host", "moderator", "lead"]
GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")


def statuses(default, **roles):
    """The status of the URL's own method(s) for each role: ``default`` unless named."""
    return {role: roles.get(role, default) for role in ROLES}


def hidden_from_outsiders(public, *, anonymous=404):
    """The private club's table from the public one: outsiders see nothing of it."""
    return {**public, "outsider": 404, "banned": 404, "anonymous": anonymous}


def club_url(name, *args):
    return lambda w: reverse(name, args=[w.club.slug, *[arg(w) for arg in args]])


READ = statuses(200)
LEADS = statuses(403, anonymous=LOGIN, lead=200)
LEADS_ACT = statuses(403, anonymous=LOGIN, lead=302)
HOSTS = statuses(403, anonymous=LOGIN, host=200, lead=200)

# URL name -> (how to build it from the world, the methods it answers, statuses in the
# public club, statuses in the private club, whether sign-in comes before the method
# check). A method the URL does not answer gets 405 from everyone (or the sign-in page
# first, for views that require it before anything else).
CLUB_MATRIX = {
    # A club's pages.
    "discussions:club": (club_url("discussions:club"), GET, READ, hidden_from_outsiders(READ)),
    "clubs:conduct": (club_url("clubs:conduct"), GET, READ, hidden_from_outsiders(READ)),
    "clubs:members": (
        club_url("clubs:members"),
        GET,
        statuses(200, anonymous=LOGIN, outsider=403, banned=403),
        hidden_from_outsiders(READ),
    ),
    "clubs:nominations": (
        # Anyone who may read the club sees its nominations; its members nominate (an
        # empty form comes back with its errors).
        club_url("clubs:nominations"),
        BOTH,
        statuses((200, 200), anonymous=(200, LOGIN), outsider=(200, 403), banned=(200, 403)),
        hidden_from_outsiders(statuses((200, 200)), anonymous=(404, 404)),
    ),
    "discovery:feed-club": (
        club_url("discovery:feed-club"),
        BOTH,
        statuses((200, 200)),
        statuses((404, 404)),  # a private club has no feed: feed readers do not sign in
    ),
    "events:club-calendar": (club_url("events:club-calendar"), GET, statuses(200), statuses(404)),
    # Joining and leaving.
    "clubs:join": (
        # The public club takes members by request: joining at once is refused.
        club_url("clubs:join"),
        POST,
        statuses(403, anonymous=LOGIN),
        hidden_from_outsiders(statuses(403)),
    ),
    "clubs:request": (
        # An empty message is a request all the same; the banned are told they may not
        # ask; members are sent back to the club.
        club_url("clubs:request"),
        BOTH,
        statuses((302, 302), anonymous=(LOGIN, LOGIN), outsider=(200, 302), banned=(200, 403)),
        hidden_from_outsiders(statuses((302, 302))),
    ),
    "clubs:request-withdraw": (
        # Nobody here has a request waiting: there is nothing of theirs to withdraw.
        club_url("clubs:request-withdraw"),
        POST,
        statuses(404, anonymous=LOGIN),
        hidden_from_outsiders(statuses(404)),
    ),
    "clubs:leave": (
        club_url("clubs:leave"),
        BOTH,
        statuses((200, 200), anonymous=(LOGIN, LOGIN), outsider=(403, 403), banned=(403, 403)),
        hidden_from_outsiders(statuses((200, 200))),
    ),
    # Running the club: its leads.
    "clubs:settings": (club_url("clubs:settings"), BOTH, LEADS, hidden_from_outsiders(LEADS)),
    "clubs:invitations": (club_url("clubs:invitations"), BOTH, LEADS, hidden_from_outsiders(LEADS)),
    "clubs:invite-link": (
        # The new link is shown once, on the page that made it.
        club_url("clubs:invite-link"),
        POST,
        LEADS,
        hidden_from_outsiders(LEADS),
    ),
    "clubs:invitation-revoke": (
        club_url("clubs:invitation-revoke", lambda w: w.invitation.pk),
        POST,
        LEADS_ACT,
        hidden_from_outsiders(LEADS_ACT),
    ),
    "clubs:requests": (club_url("clubs:requests"), GET, LEADS, hidden_from_outsiders(LEADS)),
    "clubs:request-decide": (
        club_url("clubs:request-decide", lambda w: w.join_request.pk),
        POST,
        LEADS_ACT,
        hidden_from_outsiders(LEADS_ACT),
    ),
    "clubs:member-role": (
        club_url("clubs:member-role", lambda w: w.targets["role"].pk),
        POST,
        LEADS_ACT,
        hidden_from_outsiders(LEADS_ACT),
    ),
    "clubs:member-remove": (
        # An empty POST (the members page's button) is asked to confirm first.
        club_url("clubs:member-remove", lambda w: w.targets["remove"].pk),
        POST,
        LEADS,
        hidden_from_outsiders(LEADS),
    ),
    "clubs:member-ban": (
        # The form asks for a reason; one may be left empty.
        club_url("clubs:member-ban", lambda w: w.targets["ban"].pk),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), lead=(200, 302)),
        hidden_from_outsiders(statuses((403, 403), lead=(200, 302))),
    ),
    "clubs:member-unban": (
        club_url("clubs:member-unban", lambda w: w.targets["unban"].pk),
        POST,
        LEADS_ACT,
        hidden_from_outsiders(LEADS_ACT),
    ),
    # Hosting: the club's hosts and leads.
    "clubs:question-templates": (
        club_url("clubs:question-templates"),
        BOTH,
        HOSTS,
        hidden_from_outsiders(HOSTS, anonymous=LOGIN),
    ),
    "discussions:discussion-new": (
        club_url("discussions:discussion-new"),
        BOTH,
        HOSTS,
        hidden_from_outsiders(HOSTS, anonymous=LOGIN),
        True,
    ),
    "discussions:discussion-edit": (
        # Drafts only (tests/discussions/test_hosting.py): the world's discussion is open.
        lambda w: reverse("discussions:discussion-edit", args=[w.discussion.slug]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN)),
        hidden_from_outsiders(statuses((403, 403)), anonymous=(LOGIN, LOGIN)),
    ),
    "clubs:nomination-vote": (
        club_url("clubs:nomination-vote", lambda w: w.nomination.pk),
        POST,
        statuses(302, anonymous=LOGIN, outsider=403, banned=403),
        hidden_from_outsiders(statuses(302), anonymous=LOGIN),
        True,
    ),
    "clubs:nomination-withdraw": (
        # The member's own nomination: theirs to withdraw, and the leads'.
        club_url("clubs:nomination-withdraw", lambda w: w.nomination.pk),
        POST,
        statuses(403, anonymous=LOGIN, member=302, lead=302),
        hidden_from_outsiders(statuses(403, member=302, lead=302), anonymous=LOGIN),
        True,
    ),
    # The club's discussions: read by whoever may read the club.
    "discussions:detail": (
        lambda w: w.discussion.get_absolute_url(),
        GET,
        READ,
        hidden_from_outsiders(READ),
    ),
    "discussions:question": (
        lambda w: reverse("discussions:question", args=[w.discussion.slug, 1]),
        GET,
        READ,
        hidden_from_outsiders(READ),
    ),
    "discussions:cite": (
        lambda w: reverse("discussions:cite", args=[w.discussion.slug, "bib"]),
        GET,
        READ,
        hidden_from_outsiders(READ),
    ),
    "discussions:comment": (
        lambda w: w.comment.get_absolute_url(),
        GET,
        statuses(302),
        hidden_from_outsiders(statuses(302)),
    ),
    "discussions:comment-revisions": (
        lambda w: reverse("discussions:comment-revisions", args=[w.comment.pk]),
        GET,
        READ,
        hidden_from_outsiders(READ),
    ),
    # A discussion's proceedings in each format, read by whoever may read the discussion
    # (the PDF is queued, its reader sent to its page, whose POST asks for it).
    **{
        f"proceedings:{prefix}{name}": (
            lambda w, prefix=prefix, name=name: reverse(
                f"proceedings:{prefix}{name}",
                args=[w.discussion.slug, 1] if prefix else [w.discussion.slug],
            ),
            methods,
            table,
            hidden_from_outsiders(table),
        )
        for prefix in ("", "question-")
        for name, methods, table in [
            ("html", GET, READ),
            ("markdown", GET, READ),
            ("jsonld", GET, READ),
            ("pdf", GET, statuses(302)),
            ("pdf-status", BOTH, statuses((200, 302))),
        ]
    },
    "discovery:feed-discussion-comments": (
        lambda w: reverse("discovery:feed-discussion-comments", args=[w.discussion.slug]),
        BOTH,
        statuses((200, 200)),
        statuses((404, 404)),
    ),
    # A discussion's comments as W3C Web Annotations: whoever may read the discussion.
    "discovery:annotations": (
        lambda w: reverse("discovery:annotations", args=[w.discussion.slug]),
        GET,
        READ,
        hidden_from_outsiders(READ),
    ),
    # Its oEmbed card: public discussions only, for everyone (an embed is seen by anyone).
    "oembed": (
        lambda w: (
            reverse("oembed")
            + "?"
            + urlencode({"url": f"http://testserver{w.discussion.get_absolute_url()}"})
        ),
        GET,
        READ,
        statuses(404),
    ),
    "events:meeting-ics": (
        lambda w: reverse("events:meeting-ics", args=[w.meeting.pk]),
        GET,
        READ,
        hidden_from_outsiders(READ),
    ),
    # Taking part: in a club joined by request, its members.
    "discussions:comment-create": (
        # An empty form comes back with its errors.
        lambda w: reverse("discussions:comment-create", args=[w.discussion.slug, 1]),
        POST,
        statuses(200, anonymous=LOGIN, outsider=403, banned=403),
        hidden_from_outsiders(statuses(200), anonymous=LOGIN),
        True,
    ),
    "discussions:comment-reply": (
        lambda w: reverse("discussions:comment-reply", args=[w.comment.pk]),
        BOTH,
        statuses((200, 200), anonymous=(LOGIN, LOGIN), outsider=(403, 403), banned=(403, 403)),
        hidden_from_outsiders(statuses((200, 200)), anonymous=(LOGIN, LOGIN)),
        True,
    ),
    "discussions:comment-helpful": (
        # The world's comment is the member's own: nobody marks their own helpful.
        lambda w: reverse("discussions:comment-helpful", args=[w.comment.pk]),
        POST,
        statuses(302, anonymous=LOGIN, outsider=403, banned=403, member=403),
        hidden_from_outsiders(statuses(302, member=403), anonymous=LOGIN),
        True,
    ),
    "discussions:comment-edit": (
        lambda w: reverse("discussions:comment-edit", args=[w.comment.pk]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), member=(200, 200)),
        hidden_from_outsiders(statuses((403, 403), member=(200, 200)), anonymous=(LOGIN, LOGIN)),
        True,
    ),
    "discussions:comment-delete": (
        lambda w: reverse("discussions:comment-delete", args=[w.own_comment.pk]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), member=(200, 302)),
        hidden_from_outsiders(statuses((403, 403), member=(200, 302)), anonymous=(LOGIN, LOGIN)),
        True,
    ),
    "discussions:follow": (
        lambda w: reverse("discussions:follow", args=["discussion", w.discussion.pk]),
        POST,
        statuses(302, anonymous=LOGIN),
        hidden_from_outsiders(statuses(302), anonymous=LOGIN),
        True,
    ),
    "discussions:comment-follow": (
        lambda w: reverse("discussions:comment-follow", args=[w.comment.pk]),
        POST,
        statuses(302, anonymous=LOGIN),
        hidden_from_outsiders(statuses(302), anonymous=LOGIN),
        True,
    ),
    "moderation:flag": (
        lambda w: reverse("moderation:flag", args=[w.comment.pk]),
        BOTH,
        statuses((200, 200), anonymous=(LOGIN, LOGIN)),
        hidden_from_outsiders(statuses((200, 200)), anonymous=(LOGIN, LOGIN)),
        True,
    ),
    # Hosting a discussion: its host (a host of the club) and the club's leads.
    "discussions:status": (
        lambda w: reverse("discussions:status", args=[w.discussion.slug]),
        POST,
        statuses(403, anonymous=LOGIN, host=302, lead=302),
        hidden_from_outsiders(statuses(403, host=302, lead=302), anonymous=LOGIN),
        True,
    ),
    "discussions:discussion-translate": (
        lambda w: reverse("discussions:discussion-translate", args=[w.discussion.slug]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), host=(200, 302), lead=(200, 302)),
        hidden_from_outsiders(
            statuses((403, 403), host=(200, 302), lead=(200, 302)), anonymous=(LOGIN, LOGIN)
        ),
        True,
    ),
    # Publishing its proceedings with a DOI: its host and the club's leads see the page; the
    # world's discussion is open, so publishing is refused, and with no deposit there is no
    # announcement to send again (tests/proceedings/test_deposit_views.py).
    "proceedings:deposit": (
        lambda w: reverse("proceedings:deposit", args=[w.discussion.slug]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), host=(200, 403), lead=(200, 403)),
        hidden_from_outsiders(
            statuses((403, 403), host=(200, 403), lead=(200, 403)), anonymous=(LOGIN, LOGIN)
        ),
    ),
    "proceedings:deposit-announce": (
        lambda w: reverse("proceedings:deposit-announce", args=[w.discussion.slug]),
        POST,
        statuses(403, anonymous=LOGIN, host=404, lead=404),
        hidden_from_outsiders(statuses(403, host=404, lead=404), anonymous=LOGIN),
        True,
    ),
    "discussions:question-synthesis": (
        lambda w: reverse("discussions:question-synthesis", args=[w.discussion.slug, 1]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), host=(200, 302), lead=(200, 302)),
        hidden_from_outsiders(
            statuses((403, 403), host=(200, 302), lead=(200, 302)), anonymous=(LOGIN, LOGIN)
        ),
        True,
    ),
    # Moderating: the club's moderators and leads (the site's moderators: the site's table).
    "moderation:comment": (
        lambda w: reverse("moderation:comment", args=[w.comment.pk]),
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), moderator=(200, 200), lead=(200, 200)),
        statuses((403, 403), anonymous=(LOGIN, LOGIN), moderator=(200, 200), lead=(200, 200)),
        True,
    ),
    "moderation:question-lock": (
        lambda w: reverse("moderation:question-lock", args=[w.discussion.questions.first().pk]),
        # Refused before the method is looked at, to whoever moderates nothing here.
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), moderator=(405, 302), lead=(405, 302)),
        statuses((403, 403), anonymous=(LOGIN, LOGIN), moderator=(405, 302), lead=(405, 302)),
    ),
    "moderation:discussion-lock": (
        lambda w: reverse("moderation:discussion-lock", args=[w.discussion.pk]),
        # Refused before the method is looked at, to whoever moderates nothing here.
        BOTH,
        statuses((403, 403), anonymous=(LOGIN, LOGIN), moderator=(405, 302), lead=(405, 302)),
        statuses((403, 403), anonymous=(LOGIN, LOGIN), moderator=(405, 302), lead=(405, 302)),
    ),
}

# The site's URLs that take no club in their address (the site's matrix decides them), or
# that show every club's content through the rules checked by the outsider crawl
# (tests/test_private_clubs.py: search, feeds, calendars, the moderation queue).
SITE_WIDE = {
    name
    for name in MATRIX
    if not name.startswith("clubs:")
    and not name.startswith(("discussions:comment", "discussions:question"))
    and name
    not in {
        "discussions:club",
        "discussions:discussion-new",
        "discussions:discussion-edit",
        "discussions:discussion-translate",
        "discussions:detail",
        "discussions:cite",
        "discussions:follow",
        "discussions:status",
        "proceedings:deposit",
        "proceedings:deposit-announce",
        "discovery:feed-club",
        "discovery:feed-discussion-comments",
        "discovery:annotations",
        "events:club-calendar",
        "events:meeting-ics",
        "moderation:flag",
        "moderation:comment",
        "moderation:question-lock",
        "moderation:discussion-lock",
    }
} | {"clubs:create", "clubs:invitation", "discussions:clubs", "discussions:comment-preview"}


def test_every_club_url_has_an_entry():
    assert site_url_names() - SITE_WIDE - set(CLUB_MATRIX) == set(), "decide who in a club"
    assert set(CLUB_MATRIX) - site_url_names() == set(), "these URLs no longer exist"


def expectations(entry, visibility: str, role: str) -> dict:
    """The status each method must answer for this role: 405 for a method not answered."""
    _build, methods, public, private_, *sign_in_first = entry
    table = (public if visibility == "public" else private_)[role]
    values = table if isinstance(table, tuple) else (table,) * len(methods)
    wanted = dict(zip(methods, values, strict=True))
    other = LOGIN if sign_in_first and role == "anonymous" else 405
    return {method: wanted.get(method, other) for method in ("GET", "POST")}


class ClubWorld:
    """A club of the given visibility, one member of every club role, and its content."""

    def __init__(self, visibility: str):
        private = visibility == "private"
        self.club = ClubFactory(
            visibility=visibility,
            joining=Club.Joining.INVITATION if private else Club.Joining.REQUEST,
        )
        self.users = {"outsider": UserFactory()}
        for role in ("member", "host", "moderator", "lead"):
            self.users[role] = MembershipFactory(club=self.club, role=role).member
        banned = MembershipFactory(club=self.club)
        banned.banned_at = timezone.now()
        banned.save()
        self.users["banned"] = banned.member
        self.discussion = DiscussionFactory(club=self.club, host=self.users["host"])
        question = self.discussion.questions.first()
        self.comment = CommentFactory(question=question, author=self.users["member"])
        self.own_comment = CommentFactory(question=question, author=self.users["member"])
        self.meeting = Meeting.objects.create(
            discussion=self.discussion, starts_at=timezone.now() + datetime.timedelta(days=3)
        )
        self.nomination = Nomination.objects.create(
            club=self.club,
            article=self.discussion.article,
            nominated_by=self.users["member"],
            reason="A good one",
        )
        self.join_request = JoinRequest.objects.create(club=self.club, member=UserFactory())
        # Whom the leads' forms act on, one each, so that one form's change leaves the
        # next one's target as it was.
        self.targets = {
            name: MembershipFactory(club=self.club) for name in ("role", "remove", "ban", "unban")
        }
        self.targets["unban"].banned_at = timezone.now()
        self.targets["unban"].save()
        self.invitation = Invitation.objects.create(
            club=self.club,
            email="someone@example.org",
            token_hash=token_digest("matrix-token"),
            invited_by=self.users["lead"],
            expires_at=timezone.now() + datetime.timedelta(days=3),
        )

    def client(self, role):
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_club_access_matrix(db, role, visibility):
    world = ClubWorld(visibility)
    failures = []
    for name, entry in sorted(CLUB_MATRIX.items()):
        url = entry[0](world)
        for method, expected in expectations(entry, visibility, role).items():
            response = getattr(world.client(role), method.lower())(url)
            ok = reached_login(response) if expected == LOGIN else response.status_code == expected
            if not ok:
                failures.append(
                    f"{method} {name} as {role} ({visibility}): {response.status_code}, "
                    f"expected {expected}"
                )
            # What a POST changed is put back, so that every URL meets the same world.
            Discussion.objects.filter(pk=world.discussion.pk).update(
                status="open", closes_at=None, lock_note=""
            )
            world.discussion.questions.update(lock_note="")
            JoinRequest.objects.filter(club=world.club).exclude(pk=world.join_request.pk).delete()
    assert failures == [], "\n".join(failures)
