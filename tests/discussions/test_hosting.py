"""Opening a discussion in a club: a draft from the catalogue or a nomination."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article
from clubs.models import Club, Nomination, QuestionTemplate
from discussions import hosting
from discussions.models import Discussion
from discussions.services import NotAllowed
from tests.articles.conftest import ALBERS_DOI, data_json
from tests.factories import (
    ArticleFactory,
    ClubFactory,
    DiscussionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("api")  # nothing here reaches the network


@pytest.fixture
def club(db):
    club = ClubFactory(name="Implementation readers", slug="readers")
    QuestionTemplate.objects.create(club=club, position=1, text="What is new?")
    QuestionTemplate.objects.create(club=club, position=2, text="Would it work here?")
    return club


@pytest.fixture
def private_club(db):
    return ClubFactory(
        slug="staff-only", visibility=Club.Visibility.PRIVATE, joining=Club.Joining.INVITATION
    )


@pytest.fixture
def article(db):
    return ArticleFactory(title="Knowledge brokers in practice", slug="brokers-2021")


@pytest.fixture
def lead(client, club):
    user = MembershipFactory(club=club, role="lead").member
    client.force_login(user)
    return user


def new_url(club, nomination=None):
    url = reverse("discussions:discussion-new", kwargs={"club": club.slug})
    return f"{url}?nomination={nomination.pk}" if nomination else url


def nominate(club, article):
    return Nomination.objects.create(
        club=club,
        article=article,
        nominated_by=MembershipFactory(club=club).member,
        reason="The network asked for it.",
    )


def form_data(questions, paper="", commentary=""):
    data = {
        "paper": paper,
        "commentary": commentary,
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, text in enumerate(questions):
        data[f"questions-{index}-text"] = text
    return data


# --- The page -----------------------------------------------------------------------------


def test_the_form_starts_with_the_clubs_standard_questions(client, club, lead):
    response = client.get(new_url(club))

    assert response.status_code == 200
    questions = response.context["questions"]
    assert [form.initial.get("text") for form in questions.forms] == [
        "What is new?",
        "Would it work here?",
        None,  # and three empty boxes for the paper's own questions
        None,
        None,
    ]
    assert response.text.index("What is new?") < response.text.index("Would it work here?")


def test_the_standard_questions_sent_as_offered_are_kept(client, club, lead, article):
    """The form as rendered, sent back untouched (but for the paper)."""
    offered = client.get(new_url(club)).context["questions"]
    data = {f"questions-{name}": value for name, value in offered.management_form.initial.items()}
    for form in offered.forms:
        data[form.add_prefix("text")] = form.initial.get("text", "")

    client.post(new_url(club), {**data, "paper": article.slug, "commentary": ""})

    assert list(Discussion.objects.get().questions.values_list("number", "text")) == [
        (1, "What is new?"),
        (2, "Would it work here?"),
    ]


def test_a_lead_opens_a_draft_of_a_catalogue_paper(client, club, lead, article):
    response = client.post(
        new_url(club),
        form_data(
            ["What is new?", "", "  Who should read it?  ", ""],
            paper=article.doi,
            commentary="A **short** commentary.",
        ),
    )

    discussion = Discussion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == discussion.get_absolute_url()
    assert (discussion.club, discussion.article, discussion.host) == (club, article, lead)
    assert discussion.status == Discussion.Status.DRAFT
    assert discussion.slug == "brokers-2021"
    assert discussion.commentary == "A **short** commentary."
    assert list(discussion.questions.values_list("number", "text")) == [
        (1, "What is new?"),
        (2, "Who should read it?"),
    ]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Knowledge brokers in practice" in page.text


def test_the_draft_is_seen_by_the_clubs_hosts_only(client, club, lead, article):
    client.post(new_url(club), form_data(["Q?"], paper=article.slug))
    url = Discussion.objects.get().get_absolute_url()

    client.force_login(MembershipFactory(club=club, role="host").member)
    assert client.get(url).status_code == 200
    client.force_login(MembershipFactory(club=club).member)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_a_paper_not_on_file_is_looked_up_by_its_doi(client, club, lead, api):
    api.crossref(ALBERS_DOI, body=data_json("crossref-albers.json"))

    client.post(new_url(club), form_data(["Q?"], paper=f"https://doi.org/{ALBERS_DOI}"))

    assert Discussion.objects.get().article == Article.objects.get(doi=ALBERS_DOI)


def test_a_doi_that_cannot_be_found_says_so_and_saves_nothing(client, club, lead, api):
    api.crossref("10.9999/nowhere", status=404, body={"status": "error"})

    response = client.post(
        new_url(club), form_data(["Kept question?"], paper="10.9999/nowhere", commentary="Kept")
    )

    assert response.status_code == 200
    assert "No paper was found for the DOI 10.9999/nowhere" in response.text
    assert "Kept question?" in response.text
    assert not Discussion.objects.exists()
    assert not Article.objects.exists()


def test_a_discussion_needs_a_question(client, club, lead, article):
    response = client.post(new_url(club), form_data(["", " "], paper=article.slug))

    assert "Give the discussion at least one question." in response.text
    assert not Discussion.objects.exists()


def test_a_taken_slug_is_numbered(client, club, lead, article):
    DiscussionFactory(article=article, slug=article.slug)

    client.post(new_url(club), form_data(["Q?"], paper=article.slug))

    assert Discussion.objects.get(club=club).slug == "brokers-2021-2"


def test_a_club_host_opens_a_draft_and_then_opens_it_for_everyone(client, club, article):
    host = MembershipFactory(club=club, role="host").member
    client.force_login(host)

    client.post(new_url(club), form_data(["Q?"], paper=article.slug))
    discussion = Discussion.objects.get()
    response = client.post(
        reverse("discussions:status", kwargs={"slug": discussion.slug}), {"status": "open"}
    )

    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.host == host
    assert discussion.status == Discussion.Status.OPEN


def test_a_lead_opens_a_draft_another_host_made(client, club, lead, article):
    host = MembershipFactory(club=club, role="host").member
    discussion = hosting.discussion_draft_create(
        club=club, article=article, host=host, questions=["Q?"]
    )

    client.post(reverse("discussions:status", kwargs={"slug": discussion.slug}), {"status": "open"})

    discussion.refresh_from_db()
    assert discussion.status == Discussion.Status.OPEN


# --- From a nomination ----------------------------------------------------------------------


def test_a_lead_turns_a_nomination_into_a_draft(client, club, lead, article):
    nomination = nominate(club, article)

    page = client.get(new_url(club, nomination))
    response = client.post(new_url(club, nomination), form_data(["What is new?"]))

    assert "Knowledge brokers in practice" in page.text
    assert "The network asked for it." in page.text
    assert 'name="paper"' not in page.text
    discussion = Discussion.objects.get()
    assert response["Location"] == discussion.get_absolute_url()
    assert (discussion.article, discussion.status) == (article, Discussion.Status.DRAFT)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.CHOSEN
    nominations = client.get(reverse("clubs:nominations", kwargs={"slug": club.slug}))
    assert "Knowledge brokers in practice" not in nominations.text


def test_the_nominations_list_offers_hosts_to_open_a_discussion(client, club, lead, article):
    nomination = nominate(club, article)

    page = client.get(reverse("clubs:nominations", kwargs={"slug": club.slug}))

    assert new_url(club, nomination) in page.text


def test_a_nomination_sent_twice_makes_one_draft(client, club, lead, article):
    nomination = nominate(club, article)

    client.post(new_url(club, nomination), form_data(["Q?"]))
    again = client.post(new_url(club, nomination), form_data(["Q?"]))

    assert again.status_code == 404  # no longer open
    assert Discussion.objects.count() == 1


def test_a_nomination_of_another_club_is_a_404(client, club, lead, private_club):
    theirs = nominate(private_club, ArticleFactory())

    assert client.get(new_url(club, theirs)).status_code == 404
    assert client.post(new_url(club, theirs), form_data(["Q?"])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Nomination.Status.OPEN
    assert not Discussion.objects.exists()


def test_a_forged_nomination_id_is_a_404(client, club, lead):
    assert client.get(f"{new_url(club)}?nomination=abc").status_code == 404
    assert client.get(f"{new_url(club)}?nomination=999999").status_code == 404


def test_the_service_refuses_a_nomination_for_another_paper(club, lead, article):
    nomination = nominate(club, ArticleFactory())

    with pytest.raises(ValidationError):
        hosting.discussion_draft_create(
            club=club, article=article, host=lead, questions=["Q?"], nomination=nomination
        )

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.OPEN
    assert not Discussion.objects.exists()


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_without_the_role_are_refused(client, club, article, role):
    nomination = nominate(club, article)
    client.force_login(MembershipFactory(club=club, role=role).member)

    page = client.get(new_url(club, nomination))
    posted = client.post(new_url(club, nomination), form_data(["Q?"]))

    assert page.status_code == 403
    assert posted.status_code == 403
    assert "Only the club&#x27;s leads and hosts may open a discussion in it." in posted.text
    assert not Discussion.objects.exists()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.OPEN


def test_a_lead_of_another_club_is_refused(client, club, article):
    client.force_login(MembershipFactory(club=ClubFactory(), role="lead").member)

    assert client.post(new_url(club), form_data(["Q?"], paper=article.slug)).status_code == 403
    assert not Discussion.objects.exists()


def test_a_private_club_is_a_404_to_outsiders(client, private_club, article):
    for user in (UserFactory(), MembershipFactory(club=ClubFactory(), role="lead").member):
        client.force_login(user)
        assert client.get(new_url(private_club)).status_code == 404
        posted = client.post(new_url(private_club), form_data(["Q?"], paper=article.slug))
        assert posted.status_code == 404
    assert not Discussion.objects.exists()


def test_a_private_clubs_lead_opens_a_draft(client, private_club, article):
    client.force_login(MembershipFactory(club=private_club, role="lead").member)

    response = client.post(new_url(private_club), form_data(["Q?"], paper=article.slug))

    assert Discussion.objects.get().club == private_club
    assert client.get(response["Location"]).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, club):
    response = client.get(new_url(club))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_forged_club_slug_is_a_404(client, lead):
    url = reverse("discussions:discussion-new", kwargs={"club": "no-such-club"})

    assert client.get(url).status_code == 404


def test_staff_who_may_add_discussions_open_one_in_any_club(client, club, article):
    curator = UserFactory(is_staff=True)
    curator.user_permissions.add(Permission.objects.get(codename="add_discussion"))
    client.force_login(curator)

    client.post(new_url(club), form_data(["Q?"], paper=article.slug))

    assert Discussion.objects.get().host == curator


def test_the_service_refuses_a_plain_member(club, article):
    member = MembershipFactory(club=club).member

    with pytest.raises(NotAllowed):
        hosting.discussion_draft_create(club=club, article=article, host=member, questions=["Q"])


def test_free_slug_numbers_taken_slugs(db):
    DiscussionFactory(slug="paper")
    DiscussionFactory(slug="paper-2")

    assert hosting.free_slug("paper") == "paper-3"
    assert hosting.free_slug("other") == "other"


# --- Editing a draft -------------------------------------------------------------------------


def edit_data(commentary, *texts):
    data = {
        "commentary": commentary,
        "questions-TOTAL_FORMS": len(texts),
        "questions-INITIAL_FORMS": 0,
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
    }
    data |= {f"questions-{number}-text": text for number, text in enumerate(texts)}
    return data


def test_a_drafts_host_rewrites_its_commentary_and_questions(client, club, lead, article):
    draft = hosting.discussion_draft_create(
        club=club, article=article, host=lead, commentary="First go", questions=["Old?", "Two?"]
    )
    url = reverse("discussions:discussion-edit", args=[draft.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Old?" in page.text
    assert url in client.get(draft.get_absolute_url()).text  # the banner's Edit link

    response = client.post(url, edit_data("Second go", "New one?", "", "And another?"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.commentary == "Second go"
    assert list(draft.questions.values_list("number", "text")) == [
        (1, "New one?"),
        (2, "And another?"),
    ]


def test_a_draft_left_without_questions_keeps_what_was_typed(client, club, lead, article):
    draft = hosting.discussion_draft_create(
        club=club, article=article, host=lead, questions=["Kept?"]
    )
    url = reverse("discussions:discussion-edit", args=[draft.slug])

    response = client.post(url, edit_data("A commentary worth keeping", "", ""))

    assert response.status_code == 200
    assert "Give the discussion at least one question." in response.text
    assert "A commentary worth keeping" in response.text
    assert list(draft.questions.values_list("text", flat=True)) == ["Kept?"]


def test_only_a_drafts_hosts_edit_it_and_an_open_one_is_not_edited_here(client, club, article):
    lead = MembershipFactory(club=club, role="lead").member
    draft = hosting.discussion_draft_create(club=club, article=article, host=lead, questions=["Q?"])
    url = reverse("discussions:discussion-edit", args=[draft.slug])
    client.force_login(MembershipFactory(club=club).member)
    assert client.get(url).status_code == 404  # a draft: out of a member's sight
    client.force_login(lead)
    Discussion.objects.filter(pk=draft.pk).update(status=Discussion.Status.OPEN)
    assert client.post(url, edit_data("x", "y?")).status_code == 403
