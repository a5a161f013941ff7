"""
Moderation per club: a club's leads and moderators keep their clubs' queue and act on their
clubs' comments and threads only; the site's moderators keep every club's.
"""

import pytest
from django.test import Client
from django.urls import reverse

from discussions.models import Comment, Question
from moderation import services
from moderation.models import Flag, ModerationAction
from tests.factories import (
    ClubFactory,
    CommentFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)


def url(name, *args):
    return reverse(f"moderation:{name}", args=args)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def club_moderator(*clubs, role="moderator"):
    """A member who moderates (or leads) these clubs, and nothing on the site."""
    member = UserFactory()
    for club in clubs:
        MembershipFactory(club=club, member=member, role=role)
    return member


def question_in(club, title) -> Question:
    return DiscussionFactory(club=club, article__title=title).questions.first()


@pytest.fixture
def clubs(db):
    """Two public clubs and a private one, each with a comment awaiting review."""
    ours = ClubFactory(name="Nursing research")
    theirs = ClubFactory(name="Public health")
    private = ClubFactory(name="Ward 7 staff", visibility="private", joining="request")
    comments = {}
    for key, club in (("ours", ours), ("theirs", theirs), ("private", private)):
        question = question_in(club, f"Paper of {key}-club-title")
        comments[key] = CommentFactory(
            question=question, body=f"Words of {key}-club-marker", status=Comment.Status.PENDING
        )
    return {"ours": ours, "theirs": theirs, "private": private, "comments": comments}


@pytest.fixture
def ours_moderator(clubs):
    return club_moderator(clubs["ours"])


# --- The queue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "lead"])
def test_a_clubs_moderators_and_leads_keep_that_clubs_queue_only(clubs, role):
    client = signed_in(club_moderator(clubs["ours"], role=role))
    response = client.get(url("queue"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "ours-club-marker" in content
    assert "ours-club-title" in content
    for other in ("theirs", "private"):
        assert f"{other}-club-marker" not in content
        assert f"{other}-club-title" not in content  # not even among the filter's options
    assert response.context["counts"].awaiting == 1
    assert 'name="club"' not in content  # one club: no choice of club


def test_a_private_clubs_comments_never_reach_another_clubs_moderator(clubs):
    """Flagged, hidden, chosen by a forged filter: nothing of the private club shows."""
    private_comment = clubs["comments"]["private"]
    Flag.objects.create(comment=private_comment, flagger=UserFactory(), reason=Flag.Reason.SPAM)
    site_moderator = UserFactory(roles=["Moderators"])
    services.comment_hide(comment=private_comment, moderator=site_moderator, reason="Rude")
    client = signed_in(club_moderator(clubs["ours"], clubs["theirs"]))
    private_discussion = private_comment.question.discussion_id
    for query in (
        {},
        {"state": "hidden"},
        {"state": "flagged"},
        {"club": clubs["private"].pk},
        {"discussion": private_discussion},
        {"discussion": private_discussion, "state": "hidden"},
    ):
        content = client.get(url("queue"), query).content.decode()
        assert "private-club-marker" not in content
        assert "private-club-title" not in content
        assert "Ward 7 staff" not in content
    assert "private-club-marker" not in client.get(url("log")).content.decode()


def test_members_and_hosts_of_clubs_get_403(clubs):
    for role in ("member", "host"):
        client = signed_in(club_moderator(clubs["ours"], role=role))
        assert client.get(url("queue")).status_code == 403
        assert client.get(url("log")).status_code == 403
        comment = clubs["comments"]["ours"]
        assert client.post(url("comment", comment.pk), {"action": "approve"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_a_site_moderator_keeps_every_clubs_queue_with_a_choice_of_club(clubs):
    client = signed_in(UserFactory(roles=["Moderators"]))
    content = client.get(url("queue")).content.decode()
    for key in ("ours", "theirs", "private"):
        assert f"{key}-club-marker" in content
    assert f'<option value="{clubs["private"].pk}">Ward 7 staff (1)</option>' in content
    assert '<span class="modq-item__club">Public health</span>' in content

    response = client.get(url("queue"), {"club": clubs["private"].pk})
    content = response.content.decode()
    assert "private-club-marker" in content
    assert "ours-club-marker" not in content
    assert f'<option value="{clubs["private"].pk}" selected>Ward 7 staff (1)</option>' in content


def test_a_moderator_of_several_clubs_chooses_among_their_own(clubs):
    client = signed_in(club_moderator(clubs["ours"], clubs["theirs"]))
    content = client.get(url("queue")).content.decode()
    assert "ours-club-marker" in content
    assert "theirs-club-marker" in content
    assert f'<option value="{clubs["ours"].pk}">Nursing research (1)</option>' in content
    assert f'<option value="{clubs["theirs"].pk}">Public health (1)</option>' in content
    assert f'<option value="{clubs["private"].pk}"' not in content

    content = client.get(url("queue"), {"club": clubs["theirs"].pk}).content.decode()
    assert "theirs-club-marker" in content
    assert "ours-club-marker" not in content


def test_a_club_without_premoderation_holds_no_first_posts(clubs, settings):
    from discussions import services as discussion_services

    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    relaxed = ClubFactory(premoderation=False)
    posted = discussion_services.comment_post(
        question=question_in(relaxed, "Relaxed paper"), author=UserFactory(), body="Straight in"
    )
    assert posted.status == Comment.Status.PUBLISHED
    held = discussion_services.comment_post(
        question=clubs["comments"]["ours"].question, author=UserFactory(), body="Waits"
    )
    assert held.status == Comment.Status.PENDING
    content = signed_in(club_moderator(clubs["ours"], relaxed)).get(url("queue"))
    assert "Straight in" not in content.content.decode()
    assert "Waits" in content.content.decode()


def test_the_queue_query_count_does_not_grow_with_the_moderators_clubs(
    db, django_assert_num_queries
):
    """A moderator of one club, then of fifty, each with a comment in the queue."""
    moderator = UserFactory()
    client = signed_in(moderator)

    def add_clubs(count):
        for _ in range(count):
            club = ClubFactory()
            MembershipFactory(club=club, member=moderator, role="moderator")
            comment = CommentFactory(question=question_in(club, "A paper"))
            Flag.objects.create(comment=comment, flagger=UserFactory(), reason=Flag.Reason.SPAM)
            CommentFactory(question=comment.question, status=Comment.Status.PENDING)

    add_clubs(1)
    client.get(url("queue"))  # what every page caches (the number of clubs)
    with django_assert_num_queries(20, exact=False) as one_club:
        assert client.get(url("queue")).status_code == 200
    add_clubs(49)
    with django_assert_num_queries(len(one_club.captured_queries)):
        response = client.get(url("queue"), {"order": "newest"})
    assert response.context["page"].paginator.count == 100
    assert len(response.context["filter_form"].fields["club"].widget.choices) == 51


# --- Actions on another club's comments and threads ---------------------------------------


def test_a_club_moderator_acts_on_their_clubs_comments(clubs, ours_moderator):
    client = signed_in(ours_moderator)
    comment = clubs["comments"]["ours"]
    assert client.get(url("comment", comment.pk)).status_code == 200
    response = client.post(url("comment", comment.pk), {"action": "approve", "reason": ""})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED


@pytest.mark.parametrize(("key", "status"), [("theirs", 403), ("private", 404)])
def test_another_clubs_comment_is_refused(clubs, ours_moderator, key, status):
    """403 for a public club's comment, 404 for a private club's: existence does not leak."""
    client = signed_in(ours_moderator)
    comment = clubs["comments"][key]
    assert client.get(url("comment", comment.pk)).status_code == status
    for action in ("approve", "approve_member", "hide"):
        response = client.post(url("comment", comment.pk), {"action": action, "reason": "No"})
        assert response.status_code == status
    ours = clubs["comments"]["ours"]
    response = client.post(url("bulk"), {"comments": [ours.pk, comment.pk], "action": "approve"})
    assert response.status_code == 404  # the whole lot is refused, before any is touched
    statuses = set(Comment.objects.values_list("status", flat=True))
    assert statuses == {Comment.Status.PENDING}
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize(("key", "status"), [("theirs", 403), ("private", 404)])
def test_another_clubs_threads_cannot_be_locked(clubs, ours_moderator, key, status):
    client = signed_in(ours_moderator)
    question = clubs["comments"][key].question
    assert client.post(url("question-lock", question.pk), {"note": "X"}).status_code == status
    response = client.post(url("discussion-lock", question.discussion_id), {"note": "X"})
    assert response.status_code == status
    question.refresh_from_db()
    question.discussion.refresh_from_db()
    assert question.lock_note == question.discussion.lock_note == ""

    own = clubs["comments"]["ours"].question
    assert client.post(url("question-lock", own.pk), {"note": "Cooling off"}).status_code == 302
    own.refresh_from_db()
    assert own.lock_note == "Cooling off"


def test_the_services_check_the_club_of_the_very_comment(clubs, ours_moderator):
    theirs = clubs["comments"]["theirs"]
    for action in (services.comment_approve, services.comment_restore):
        with pytest.raises(services.NotAllowed):
            action(comment=Comment.objects.get(pk=theirs.pk), moderator=ours_moderator)
    with pytest.raises(services.NotAllowed):
        services.comment_hide(comment=theirs, moderator=ours_moderator, reason="Rude")
    with pytest.raises(services.NotAllowed):
        services.question_lock(question=theirs.question, moderator=ours_moderator, note="X")
    with pytest.raises(services.NotAllowed):
        services.discussion_lock(
            discussion=theirs.question.discussion, moderator=ours_moderator, note="X"
        )
    assert Comment.objects.get(pk=theirs.pk).status == Comment.Status.PENDING
    assert not ModerationAction.objects.exists()


def test_trusting_a_member_releases_their_first_posts_in_the_moderators_clubs_only(
    clubs, ours_moderator
):
    newcomer = UserFactory()
    held = {
        key: CommentFactory(
            question=clubs["comments"][key].question,
            author=newcomer,
            status=Comment.Status.PENDING,
        )
        for key in ("ours", "theirs", "private")
    }
    second_ours = CommentFactory(
        question=held["ours"].question, author=newcomer, status=Comment.Status.PENDING
    )
    services.comment_approve_and_trust(comment=held["ours"], moderator=ours_moderator)
    statuses = dict(Comment.objects.filter(author=newcomer).values_list("pk", "status"))
    assert statuses[held["ours"].pk] == statuses[second_ours.pk] == Comment.Status.PUBLISHED
    assert statuses[held["theirs"].pk] == statuses[held["private"].pk] == Comment.Status.PENDING


def test_suspending_stays_with_the_sites_moderators(clubs, ours_moderator):
    client = signed_in(ours_moderator)
    author = clubs["comments"]["ours"].author
    assert client.get(url("suspend", author.username)).status_code == 403
    assert client.post(url("suspend", author.username), {"reason": "X"}).status_code == 403
    with pytest.raises(services.NotAllowed):
        services.member_suspend(member=author, moderator=ours_moderator, reason="X")
    for page in (url("queue"), url("comment", clubs["comments"]["ours"].pk)):
        assert url("suspend", author.username) not in client.get(page).content.decode()


def test_a_club_moderator_reads_the_log_of_their_clubs_comments(clubs, ours_moderator):
    site_moderator = UserFactory(roles=["Moderators"])
    for key, reason in (("ours", "Reason in ours"), ("private", "Reason in private")):
        services.comment_hide(
            comment=clubs["comments"][key], moderator=site_moderator, reason=reason
        )
    content = signed_in(ours_moderator).get(url("log")).content.decode()
    assert "Reason in ours" in content
    assert "Reason in private" not in content
    content = signed_in(site_moderator).get(url("log")).content.decode()
    assert "Reason in ours" in content
    assert "Reason in private" in content


def test_a_club_moderator_reads_the_locks_of_their_clubs_in_the_log(clubs, ours_moderator):
    site_moderator = UserFactory(roles=["Moderators"])
    for key in ("ours", "private"):
        question = clubs["comments"][key].question
        services.question_lock(question=question, moderator=site_moderator, note=f"Lock in {key}")
        services.discussion_lock(
            discussion=question.discussion, moderator=site_moderator, note=f"Closed in {key}"
        )
    content = signed_in(ours_moderator).get(url("log")).content.decode()
    assert "Lock in ours" in content
    assert "Closed in ours" in content
    assert "in private" not in content


# --- The club's code of conduct beside the site's ---------------------------------------------


def test_the_queue_and_the_flag_form_link_the_clubs_rules_beside_the_sites(clubs, ours_moderator):
    club = clubs["ours"]
    club.code_of_conduct = "No advertising."
    club.save()
    comment = clubs["comments"]["ours"]
    content = signed_in(ours_moderator).get(url("queue")).content.decode()
    assert f'href="{reverse("code-of-conduct")}"' in content
    rules = reverse("clubs:conduct", kwargs={"slug": club.slug})
    assert f'href="{rules}"' in content

    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PUBLISHED)
    reader = UserFactory()
    content = signed_in(reader).get(url("flag", comment.pk)).content.decode()
    assert f'href="{reverse("code-of-conduct")}"' in content
    assert f'href="{rules}"' in content


def test_a_club_without_rules_of_its_own_links_only_the_sites(clubs, ours_moderator):
    content = signed_in(ours_moderator).get(url("queue")).content.decode()
    assert 'class="modq-conduct"' not in content  # the site's is in every page's footer
    comment = clubs["comments"]["ours"]
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PUBLISHED)
    content = signed_in(UserFactory()).get(url("flag", comment.pk)).content.decode()
    assert 'class="modq-conduct"' in content
    assert "the code of conduct of" not in content


def test_an_outsider_cannot_flag_a_private_clubs_comment(clubs, ours_moderator):
    comment = clubs["comments"]["private"]
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PUBLISHED)
    response = signed_in(ours_moderator).get(url("flag", comment.pk))
    assert response.status_code == 404
