import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Suspension, User
from accounts.selectors import member_suspension
from core.ratelimits import RateLimited
from discussions import services as discussion_services
from discussions.models import Comment, Discussion
from moderation import services
from moderation.models import Flag, ModerationAction
from tests.factories import CommentFactory, UserFactory


@pytest.fixture
def comment(discussion):
    return CommentFactory(question=discussion.questions.first(), body="Under review")


# --- Roles -----------------------------------------------------------------------------------


def test_roles_are_groups_with_permissions(db):
    from django.contrib.auth.models import Group

    roles = {group.name: group for group in Group.objects.all()}
    assert set(roles) >= {"Members", "Hosts", "Moderators", "Staff"}
    member, host, moderator = (
        UserFactory(),
        UserFactory(roles=["Hosts"]),
        UserFactory(roles=["Moderators"]),
    )
    assert member.has_perm("discussions.add_comment")
    assert not member.has_perm("moderation.moderate_comments")
    assert host.has_perm("discussions.host_discussion")
    assert moderator.has_perm("moderation.moderate_comments")
    assert moderator.has_perm("moderation.moderate_members")
    assert not UserFactory(verified=False).has_perm("discussions.add_comment")


# --- Flags -----------------------------------------------------------------------------------


def test_member_flags_a_comment(comment, member):
    flag = services.flag_create(comment=comment, flagger=member, reason=Flag.Reason.SPAM)
    assert flag.pk
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # one flag is not enough


@pytest.mark.parametrize(
    ("case", "message"),
    [("own", "your own"), ("deleted", "deleted"), ("twice", "already flagged")],
)
def test_flags_that_are_refused(comment, member, case, message):
    if case == "own":
        Comment.objects.filter(pk=comment.pk).update(author=member)
        comment.refresh_from_db()
    if case == "deleted":
        Comment.objects.filter(pk=comment.pk).update(deleted_at=timezone.now())
    if case == "twice":
        services.flag_create(comment=comment, flagger=member, reason=Flag.Reason.SPAM)
    with pytest.raises(services.NotAllowed, match=message):
        services.flag_create(comment=comment, flagger=member, reason=Flag.Reason.OFF_TOPIC)
    assert Flag.objects.count() == (1 if case == "twice" else 0)


def test_unverified_and_suspended_members_cannot_flag(comment, moderator):
    with pytest.raises(services.NotAllowed):
        services.flag_create(
            comment=comment, flagger=UserFactory(verified=False), reason=Flag.Reason.SPAM
        )
    suspended = UserFactory()
    services.member_suspend(member=suspended, moderator=moderator, reason="Spamming")
    with pytest.raises(services.NotAllowed, match="suspended"):
        services.flag_create(comment=comment, flagger=suspended, reason=Flag.Reason.SPAM)
    assert not Flag.objects.exists()


def test_other_needs_details(comment, member):
    with pytest.raises(ValidationError):
        services.flag_create(comment=comment, flagger=member, reason=Flag.Reason.OTHER)
    assert not Flag.objects.exists()


def test_enough_flags_hide_the_comment_for_review(comment, settings):
    settings.JOURNAL_CLUB_FLAGS_TO_HIDE = 3
    for _ in range(3):
        services.flag_create(comment=comment, flagger=UserFactory(), reason=Flag.Reason.SPAM)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    log = ModerationAction.objects.get()
    assert log.kind == ModerationAction.Kind.AUTO_HIDE
    assert log.moderator is None
    assert log.comment == comment


# --- Review ----------------------------------------------------------------------------------


def test_approve_publishes_and_resolves_flags(comment, moderator, member):
    services.flag_create(comment=comment, flagger=member, reason=Flag.Reason.SPAM)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)

    services.comment_approve(comment=comment, moderator=moderator)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.comment) == (
        ModerationAction.Kind.APPROVE,
        moderator,
        comment,
    )


def test_hide_needs_a_reason_and_shows_it(comment, moderator):
    with pytest.raises(services.NotAllowed, match="Say why"):
        services.comment_hide(comment=comment, moderator=moderator, reason="  ")
    services.comment_hide(comment=comment, moderator=moderator, reason="Personal attack")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert comment.moderation_note == "Personal attack"
    services.comment_restore(comment=comment, moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.moderation_note == ""
    assert ModerationAction.objects.count() == 2


def test_non_moderators_cannot_moderate(comment, member):
    for action in (services.comment_approve, services.comment_restore):
        with pytest.raises(services.NotAllowed):
            action(comment=comment, moderator=member)
    with pytest.raises(services.NotAllowed):
        services.comment_hide(comment=comment, moderator=member, reason="no")
    assert not ModerationAction.objects.exists()


# --- Pre-moderation --------------------------------------------------------------------------


def test_a_new_members_first_post_waits_for_review(discussion, settings, moderator):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    newcomer = UserFactory()
    question = discussion.questions.first()
    first = discussion_services.comment_post(question=question, author=newcomer, body="Hello")
    assert first.status == Comment.Status.PENDING
    services.comment_approve(comment=first, moderator=moderator)
    second = discussion_services.comment_post(question=question, author=newcomer, body="Again")
    assert second.status == Comment.Status.PUBLISHED


def test_hosts_and_moderators_are_not_premoderated(discussion, settings, moderator):
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 1
    question = discussion.questions.first()
    by_host = discussion_services.comment_post(question=question, author=discussion.host, body="h")
    by_mod = discussion_services.comment_post(question=question, author=moderator, body="m")
    assert by_host.status == by_mod.status == Comment.Status.PUBLISHED


# --- Locks and suspensions ------------------------------------------------------------------


def test_locked_question_refuses_posts_with_the_note(discussion, moderator, member):
    question = discussion.questions.first()
    services.question_lock(question=question, moderator=moderator, note="Cooling off")
    question.refresh_from_db()
    with pytest.raises(discussion_services.NotAllowed, match="Cooling off"):
        discussion_services.comment_post(question=question, author=member, body="x")
    other = discussion.questions.last()
    assert discussion_services.comment_post(question=other, author=member, body="ok").pk
    services.question_lock(question=question, moderator=moderator, note="")
    question.refresh_from_db()
    assert discussion_services.comment_post(question=question, author=member, body="y").pk
    kinds = list(ModerationAction.objects.values_list("kind", flat=True))
    assert sorted(kinds) == ["lock", "unlock"]


def test_locked_discussion_is_read_only(discussion, moderator, member):
    services.discussion_lock(discussion=discussion, moderator=moderator, note="Under review")
    discussion.refresh_from_db()
    assert not discussion.is_open
    with pytest.raises(discussion_services.NotAllowed, match="locked"):
        discussion_services.comment_post(
            question=discussion.questions.first(), author=member, body="x"
        )


def test_suspended_member_cannot_post_edit_or_react_and_is_told_why(discussion, moderator):
    member = UserFactory()
    question = discussion.questions.first()
    own = discussion_services.comment_post(question=question, author=member, body="mine")
    other = CommentFactory(question=question)
    until = timezone.now() + datetime.timedelta(days=7)
    services.member_suspend(
        member=member, moderator=moderator, reason="Repeated insults", until=until
    )

    for attempt in (
        lambda: discussion_services.comment_post(question=question, author=member, body="x"),
        lambda: discussion_services.comment_edit(comment=own, editor=member, body="edited"),
        lambda: discussion_services.comment_mark_helpful(comment=other, member=member),
    ):
        with pytest.raises(discussion_services.NotAllowed, match="Repeated insults"):
            attempt()
    assert Comment.objects.count() == 2


def test_suspensions_end_by_date_or_when_lifted(moderator):
    member = UserFactory()
    soon = timezone.now() + datetime.timedelta(hours=1)
    suspension = services.member_suspend(member=member, moderator=moderator, reason="r", until=soon)
    assert member_suspension(member) == suspension
    assert Suspension.objects.in_force(at=soon + datetime.timedelta(seconds=1)).count() == 0
    services.suspension_lift(suspension=suspension, moderator=moderator)
    # The answer is remembered on a user object, as Django remembers permissions: a
    # request's own user object is new, so a fresh one stands for the next request.
    assert member_suspension(User.objects.get(pk=member.pk)) is None


def test_suspension_rules(moderator, member):
    with pytest.raises(services.NotAllowed):
        services.member_suspend(member=moderator, moderator=moderator, reason="me")
    with pytest.raises(services.NotAllowed):
        services.member_suspend(member=UserFactory(), moderator=member, reason="not a moderator")
    with pytest.raises(services.NotAllowed):
        services.member_suspend(
            member=member,
            moderator=moderator,
            reason="past",
            until=timezone.now() - datetime.timedelta(days=1),
        )


# --- Rate limits -----------------------------------------------------------------------------


def test_posting_is_rate_limited_and_nothing_is_saved(discussion, member, settings):
    settings.JOURNAL_CLUB_RATE_LIMITS = {"post": (1, 5)}
    question = discussion.questions.first()
    discussion_services.comment_post(question=question, author=member, body="first")
    with pytest.raises(RateLimited) as error:
        discussion_services.comment_post(question=question, author=member, body="second")
    assert 1 <= error.value.retry_after <= 5
    assert Comment.objects.count() == 1


def test_a_double_submission_is_not_rate_limited(discussion, member, settings):
    settings.JOURNAL_CLUB_RATE_LIMITS = {"post": (1, 5)}
    question = discussion.questions.first()
    first = discussion_services.comment_post(question=question, author=member, body="same")
    assert discussion_services.comment_post(question=question, author=member, body="same") == first


def test_a_refused_or_failed_post_does_not_use_up_the_allowance(
    discussion, member, settings, monkeypatch
):
    """Only a saved comment counts: an empty or NUL-laden text, or an error while saving, not."""
    from discovery import index

    settings.JOURNAL_CLUB_RATE_LIMITS = {"post": (1, 5)}
    question = discussion.questions.first()
    for body in ("   ", "bad\x00paste"):
        with pytest.raises(ValidationError):
            discussion_services.comment_post(question=question, author=member, body=body)
    with monkeypatch.context() as patched:
        patched.setattr(index, "index_comment", mock.Mock(side_effect=RuntimeError("a bug")))
        with pytest.raises(RuntimeError):
            discussion_services.comment_post(question=question, author=member, body="lost")
    assert not Comment.objects.exists()
    discussion_services.comment_post(question=question, author=member, body="at last")
    assert Comment.objects.count() == 1


def test_new_members_have_a_daily_cap(discussion, settings):
    settings.JOURNAL_CLUB_RATE_LIMITS = {"post_first_day": (2, 86_400)}
    newcomer, veteran = UserFactory(), UserFactory()
    veteran.date_joined = timezone.now() - datetime.timedelta(days=30)
    veteran.save()
    question = discussion.questions.first()
    for number in range(2):
        discussion_services.comment_post(question=question, author=newcomer, body=f"n{number}")
    with pytest.raises(RateLimited):
        discussion_services.comment_post(question=question, author=newcomer, body="n2")
    for number in range(3):
        discussion_services.comment_post(question=question, author=veteran, body=f"v{number}")


@pytest.mark.parametrize("action", ["edit", "react", "flag"])
def test_editing_reacting_and_flagging_are_rate_limited(discussion, member, settings, action):
    settings.JOURNAL_CLUB_RATE_LIMITS = {action: (1, 60)}
    question = discussion.questions.first()
    own = CommentFactory(question=question, author=member)
    others = CommentFactory.create_batch(2, question=question)
    attempts = {
        "edit": lambda n: discussion_services.comment_edit(
            comment=own, editor=member, body=f"v{n}"
        ),
        "react": lambda n: discussion_services.comment_mark_helpful(
            comment=others[n], member=member
        ),
        "flag": lambda n: services.flag_create(
            comment=others[n], flagger=member, reason=Flag.Reason.SPAM
        ),
    }[action]
    attempts(0)
    with pytest.raises(RateLimited):
        attempts(1)


# --- Code of conduct -------------------------------------------------------------------------


def test_agreeing_to_the_code_of_conduct_is_recorded_with_the_date(member, settings):
    agreement = account_services.code_of_conduct_agree(member=member)
    assert agreement.version == settings.JOURNAL_CLUB_CODE_OF_CONDUCT_VERSION
    assert abs((timezone.now() - agreement.agreed_at).total_seconds()) < 5


def test_closed_discussions_stay_closed_when_unlocked(discussion, moderator):
    Discussion.objects.filter(pk=discussion.pk).update(status=Discussion.Status.CLOSED)
    discussion.refresh_from_db()
    services.discussion_lock(discussion=discussion, moderator=moderator, note="")
    discussion.refresh_from_db()
    assert discussion.status == Discussion.Status.CLOSED
