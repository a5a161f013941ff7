"""A club's standard questions, kept by its leads and hosts, offered when a discussion opens."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from clubs import tools
from clubs.models import Club, QuestionTemplate
from tests.factories import ClubFactory, MembershipFactory, UserFactory


@pytest.fixture
def club(db):
    club = ClubFactory(slug="readers")
    for position, text in enumerate(["What is new?", "Would it work here?"], start=1):
        QuestionTemplate.objects.create(club=club, position=position, text=text)
    return club


@pytest.fixture
def private_club(db):
    return ClubFactory(
        slug="staff-only",
        visibility=Club.Visibility.PRIVATE,
        joining=Club.Joining.INVITATION,
    )


def url(club):
    return reverse("clubs:question-templates", kwargs={"slug": club.slug})


def signed_in(client, club, role):
    user = MembershipFactory(club=club, role=role).member
    client.force_login(user)
    return user


def texts(club):
    return list(club.question_templates.order_by("position").values_list("position", "text"))


def management(total, initial):
    return {
        "questions-TOTAL_FORMS": str(total),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }


def row(index, text, order="", delete=False):
    data = {f"questions-{index}-text": text, f"questions-{index}-ORDER": str(order)}
    if delete:
        data[f"questions-{index}-DELETE"] = "on"
    return data


@pytest.mark.parametrize("role", ["lead", "host"])
def test_leads_and_hosts_see_the_questions_in_order_with_room_for_more(client, club, role):
    signed_in(client, club, role)

    response = client.get(url(club))

    assert response.status_code == 200
    assert response.text.index("What is new?") < response.text.index("Would it work here?")
    assert len(response.context["formset"].forms) == 4  # two questions, two empty boxes


def test_a_lead_adds_edits_reorders_and_removes_questions(client, club):
    signed_in(client, club, "lead")
    data = {
        **management(total=4, initial=2),
        **row(0, "What is new, for brokers?", order=2),  # edited, moved down
        **row(1, "Would it work here?", order=1, delete=True),  # removed
        **row(2, "Who should read it?", order=1),  # added, first
        **row(3, ""),  # an empty box stays unused
    }

    response = client.post(url(club), data)

    assert response.status_code == 302
    assert response["Location"] == url(club)
    assert texts(club) == [(1, "Who should read it?"), (2, "What is new, for brokers?")]
    page = client.get(response["Location"])
    assert "The club&#x27;s standard questions are saved (2)." in page.text


def test_questions_sent_back_as_rendered_are_kept(client, club):
    signed_in(client, club, "lead")
    offered = client.get(url(club)).context["formset"]
    data = {f"questions-{name}": value for name, value in offered.management_form.initial.items()}
    for form in offered.forms:
        data[form.add_prefix("text")] = form.initial.get("text", "")
        data[form.add_prefix("ORDER")] = form["ORDER"].value() or ""

    client.post(url(club), data)

    assert texts(club) == [(1, "What is new?"), (2, "Would it work here?")]


def test_an_emptied_question_is_dropped(client, club):
    signed_in(client, club, "host")
    data = {**management(total=2, initial=2), **row(0, "  ", order=1), **row(1, "Kept", order=2)}

    client.post(url(club), data)

    assert texts(club) == [(1, "Kept")]


def test_a_question_too_long_is_refused_and_the_form_keeps_what_was_typed(client, club):
    signed_in(client, club, "lead")
    long_text = "Why " * 300
    data = {**management(total=2, initial=2), **row(0, long_text, 1), **row(1, "Other", 2)}

    response = client.post(url(club), data)

    assert response.status_code == 200
    assert "Ensure this value has at most 1000 characters" in response.text
    assert long_text.strip() in response.text
    assert "Other" in response.text
    assert texts(club) == [(1, "What is new?"), (2, "Would it work here?")]


def test_saving_the_same_questions_twice_changes_nothing(client, club):
    signed_in(client, club, "lead")
    data = {**management(total=2, initial=2), **row(0, "A", 1), **row(1, "B", 2)}

    client.post(url(club), data)
    client.post(url(club), data)

    assert texts(club) == [(1, "A"), (2, "B")]


def test_another_clubs_questions_are_untouched(client, club):
    other = ClubFactory()
    QuestionTemplate.objects.create(club=other, position=1, text="Theirs")
    signed_in(client, club, "lead")

    client.post(url(club), {**management(total=1, initial=0), **row(0, "Ours", 1)})

    assert texts(other) == [(1, "Theirs")]
    assert texts(club) == [(1, "Ours")]


@pytest.mark.parametrize("role", ["member", "moderator"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_members_without_the_role_are_refused(client, club, role, method):
    signed_in(client, club, role)

    response = getattr(client, method)(url(club), management(total=0, initial=0))

    assert response.status_code == 403
    assert "Only the club&#x27;s leads and hosts may change its questions." in response.text
    assert len(texts(club)) == 2


def test_a_banned_lead_is_refused(client, club):
    user = signed_in(client, club, "lead")
    user.club_memberships.update(banned_at=timezone.now())

    assert client.get(url(club)).status_code == 403


def test_an_outsider_of_a_public_club_is_refused(client, club):
    client.force_login(UserFactory())

    assert client.get(url(club)).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_private_clubs_questions_are_a_404_to_outsiders(client, private_club, method):
    QuestionTemplate.objects.create(club=private_club, position=1, text="Secret")
    for user in (UserFactory(), MembershipFactory(club=ClubFactory(), role="lead").member):
        client.force_login(user)
        response = getattr(client, method)(url(private_club), management(total=0, initial=0))
        assert response.status_code == 404
    assert texts(private_club) == [(1, "Secret")]


def test_a_private_clubs_host_keeps_its_questions(client, private_club):
    signed_in(client, private_club, "host")

    client.post(url(private_club), {**management(total=1, initial=0), **row(0, "Ours", 1)})

    assert texts(private_club) == [(1, "Ours")]


def test_anonymous_visitors_are_sent_to_sign_in(client, club):
    response = client.get(url(club))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_forged_club_slug_is_a_404(client, db):
    client.force_login(UserFactory())

    assert client.get("/clubs/no-such-club/questions/").status_code == 404


def test_staff_who_curate_clubs_may_edit_them(client, club):
    curator = UserFactory(is_staff=True)
    curator.user_permissions.add(Permission.objects.get(codename="change_club"))
    client.force_login(curator)

    client.post(url(club), {**management(total=1, initial=0), **row(0, "From staff", 1)})

    assert texts(club) == [(1, "From staff")]


def test_the_service_refuses_a_plain_member(club):
    member = MembershipFactory(club=club).member

    with pytest.raises(tools.NotAllowed):
        tools.question_templates_replace(club=club, editor=member, texts=["Mine"])

    assert len(texts(club)) == 2
