import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Discussion, Question
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DiscussionFactory,
    UserFactory,
    default_club,
)

DISCUSSIONS = reverse("admin:discussions_discussion_changelist")
COMMENTS = reverse("admin:discussions_comment_changelist")


def _change_url(discussion):
    return reverse("admin:discussions_discussion_change", args=[discussion.pk])


def _split_datetime(prefix, value):
    if value is None:
        return {f"{prefix}_0": "", f"{prefix}_1": ""}
    value = timezone.localtime(value)
    return {f"{prefix}_0": value.date().isoformat(), f"{prefix}_1": value.strftime("%H:%M:%S")}


# The management form of the translations' inline, with no translation.
NO_TRANSLATIONS = {"translations-TOTAL_FORMS": 0, "translations-INITIAL_FORMS": 0}


def _discussion_data(discussion, rows, **fields):
    """
    What the change form posts: the discussion unchanged, and one inline row per
    ``(question or None, number, delete)``; a question keeps its text, a new row gets one.
    """
    data = {
        "club": discussion.club_id,
        "article": discussion.article_id,
        "slug": discussion.slug,
        "host": discussion.host_id,
        "status": discussion.status,
        "commentary": discussion.commentary,
        "language": discussion.language,
        **_split_datetime("opens_at", discussion.opens_at),
        **_split_datetime("closes_at", discussion.closes_at),
        "questions-TOTAL_FORMS": len(rows),
        "questions-INITIAL_FORMS": sum(1 for question, *_ in rows if question),
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
        **NO_TRANSLATIONS,
    }
    for index, (question, number, delete) in enumerate(rows):
        prefix = f"questions-{index}-"
        data |= {
            f"{prefix}id": question.pk if question else "",
            f"{prefix}discussion": discussion.pk or "",
            f"{prefix}number": number,
            f"{prefix}text": question.text if question else f"New question {number}?",
        }
        if delete:
            data[f"{prefix}DELETE"] = "on"
    return data | fields


def _numbers(discussion):
    return list(discussion.questions.values_list("number", "text"))


def _run_action(client, action, discussions):
    return client.post(
        DISCUSSIONS,
        {"action": action, "_selected_action": [d.pk for d in discussions]},
        follow=True,
    )


def _query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Discussions -----------------------------------------------------------------------------


def test_swapping_two_question_numbers_saves(staff_client, discussion):
    first, second, third = discussion.questions.all()

    response = staff_client.post(
        _change_url(discussion),
        _discussion_data(discussion, [(first, 2, False), (second, 1, False), (third, 3, False)]),
    )

    assert response.status_code == 302
    assert _numbers(discussion) == [
        (1, "Question number 2?"),
        (2, "Question number 1?"),
        (3, "Question number 3?"),
    ]


def test_two_questions_with_the_same_number_are_refused(staff_client, discussion):
    first, second, third = discussion.questions.all()

    response = staff_client.post(
        _change_url(discussion),
        _discussion_data(discussion, [(first, 1, False), (second, 1, False), (third, 3, False)]),
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset  # the questions
    assert formset.non_form_errors() == [
        "Each question needs its own number: 1 is used more than once."
    ]
    assert formset.forms[1].errors["number"] == ["Another question already has this number."]
    assert "Each question needs its own number" in response.content.decode()
    assert [n for n, _text in _numbers(discussion)] == [1, 2, 3]


def test_a_new_question_may_not_take_an_existing_number(staff_client, discussion):
    first, second, third = discussion.questions.all()
    rows = [(first, 1, False), (second, 2, False), (third, 3, False), (None, 2, False)]

    response = staff_client.post(_change_url(discussion), _discussion_data(discussion, rows))

    assert response.status_code == 200
    assert discussion.questions.count() == 3


def test_the_number_of_a_deleted_question_may_be_reused(staff_client):
    discussion = DiscussionFactory()
    first, second, third = discussion.questions.all()
    rows = [(first, 1, False), (second, 2, False), (third, 3, True), (None, 3, False)]

    response = staff_client.post(_change_url(discussion), _discussion_data(discussion, rows))

    assert response.status_code == 302
    assert _numbers(discussion)[-1] == (3, "New question 3?")


def test_a_question_with_comments_cannot_be_deleted_from_the_inline(staff_client, discussion):
    first, second, third = discussion.questions.all()
    CommentFactory(question=third)
    rows = [(first, 1, False), (second, 2, False), (third, 3, True)]

    response = staff_client.post(_change_url(discussion), _discussion_data(discussion, rows))

    assert response.status_code == 200
    assert "would require deleting the following protected" in response.content.decode()
    assert discussion.questions.count() == 3


def test_a_discussion_must_close_after_it_opens(staff_client, discussion):
    rows = [(q, q.number, False) for q in discussion.questions.all()]
    before = discussion.opens_at - datetime.timedelta(days=1)
    data = _discussion_data(discussion, rows) | _split_datetime("closes_at", before)

    response = staff_client.post(_change_url(discussion), data)

    assert response.status_code == 200
    assert "A discussion must close after it opens." in response.content.decode()


def test_staff_add_a_discussion_with_its_questions(staff_client):
    article, host = ArticleFactory(), UserFactory()
    draft = Discussion(
        club=default_club(), article=article, host=host, slug="albers-2020", status="draft"
    )

    response = staff_client.post(
        reverse("admin:discussions_discussion_add"),
        _discussion_data(draft, [(None, 1, False), (None, 2, False)]),
    )

    assert response.status_code == 302
    discussion = Discussion.objects.get(slug="albers-2020")
    assert (discussion.article, discussion.host) == (article, host)
    assert [n for n, _text in _numbers(discussion)] == [1, 2]


ADD = reverse("admin:discussions_discussion_add")


def _new_rows(*texts):
    """Inline data for new questions left without a number, in this order."""
    data = {"questions-TOTAL_FORMS": len(texts), "questions-INITIAL_FORMS": 0, **NO_TRANSLATIONS}
    for index, text in enumerate(texts):
        data |= {f"questions-{index}-number": "", f"questions-{index}-text": text}
    return data


def test_a_discussion_left_without_a_slug_takes_the_papers(staff_client):
    article = ArticleFactory(slug="albers-2020-implementation-support")
    draft = Discussion(
        club=default_club(), article=article, host=UserFactory(), slug="", status="draft"
    )

    response = staff_client.post(ADD, _discussion_data(draft, [(None, 1, False)]))

    assert response.status_code == 302
    assert Discussion.objects.get(article=article).slug == "albers-2020-implementation-support"


def test_a_papers_second_discussion_left_without_a_slug_gets_one_of_its_own(staff_client):
    article = ArticleFactory(slug="albers-2020")
    DiscussionFactory(article=article, slug="albers-2020")
    DiscussionFactory(slug="albers-2020-2")
    draft = Discussion(
        club=default_club(), article=article, host=UserFactory(), slug="", status="draft"
    )

    response = staff_client.post(ADD, _discussion_data(draft, [(None, 1, False)]))

    assert response.status_code == 302
    assert Discussion.objects.filter(article=article).latest("pk").slug == "albers-2020-3"


def test_a_slug_typed_by_staff_is_kept(staff_client):
    draft = Discussion(
        club=default_club(), article=ArticleFactory(), host=UserFactory(), slug="own-words"
    )

    staff_client.post(ADD, _discussion_data(draft, [(None, 1, False)]) | {"status": "draft"})

    assert Discussion.objects.filter(slug="own-words").exists()


def test_new_questions_left_without_a_number_are_numbered_1_2_3(staff_client):
    draft = Discussion(
        club=default_club(), article=ArticleFactory(), host=UserFactory(), slug="q", status="draft"
    )
    data = _discussion_data(draft, []) | _new_rows("Why?", "How?", "What next?")

    response = staff_client.post(ADD, data)

    assert response.status_code == 302
    assert _numbers(Discussion.objects.get(slug="q")) == [
        (1, "Why?"),
        (2, "How?"),
        (3, "What next?"),
    ]


def test_a_question_added_without_a_number_comes_after_the_others(staff_client, discussion):
    rows = [(q, q.number, False) for q in discussion.questions.all()] + [(None, "", False)]

    response = staff_client.post(_change_url(discussion), _discussion_data(discussion, rows))

    assert response.status_code == 302
    assert [n for n, _text in _numbers(discussion)] == [1, 2, 3, 4]


def test_a_discussion_added_as_open_without_an_opening_date_opens_now(staff_client):
    draft = Discussion(
        club=default_club(), article=ArticleFactory(), host=UserFactory(), slug="now", status="open"
    )
    before = timezone.now()

    response = staff_client.post(ADD, _discussion_data(draft, [(None, 1, False)]))

    assert response.status_code == 302
    discussion = Discussion.objects.get(slug="now")
    assert discussion.status == Discussion.Status.OPEN
    assert before <= discussion.opens_at <= timezone.now()


def test_opening_a_draft_in_the_admin_opens_it_now_and_announces_it(
    staff_client, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from tests.notifications.factories import NotificationSettingsFactory

    draft = DiscussionFactory(status=Discussion.Status.DRAFT, opens_at=None)
    subscriber = NotificationSettingsFactory(announcements=True).member
    rows = [(q, q.number, False) for q in draft.questions.all()]
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            _change_url(draft), _discussion_data(draft, rows, status="open")
        )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Discussion.Status.OPEN
    assert before <= draft.opens_at <= timezone.now()
    assert Notification.objects.filter(
        recipient=subscriber, kind=Notification.Kind.DISCUSSION_OPENED, discussion=draft
    ).exists()


def test_an_open_discussion_whose_opening_date_is_cleared_gets_now(staff_client, discussion):
    rows = [(q, q.number, False) for q in discussion.questions.all()]
    data = _discussion_data(discussion, rows) | _split_datetime("opens_at", None)
    before = timezone.now()

    response = staff_client.post(_change_url(discussion), data)

    assert response.status_code == 302
    discussion.refresh_from_db()
    assert before <= discussion.opens_at <= timezone.now()


def test_add_page_explains_the_slug_and_uses_autocomplete(staff_client):
    response = staff_client.get(reverse("admin:discussions_discussion_add"))

    form = response.context["adminform"].form
    assert "usually the paper's own address" in form.fields["slug"].help_text
    assert "Left empty, it is the paper's address" in form.fields["slug"].help_text
    assert not form.fields["slug"].required
    assert form.fields["article"].widget.widget.__class__.__name__ == "AutocompleteSelect"
    assert form.fields["host"].widget.widget.__class__.__name__ == "AutocompleteSelect"


@pytest.mark.parametrize(("field_name", "term"), [("article", "Albers"), ("host", "Bianca")])
def test_paper_and_host_are_found_by_autocomplete(staff_client, field_name, term):
    ArticleFactory(title="Albers et al. on implementation support")
    UserFactory(display_name="Bianca A.")
    params = {"app_label": "discussions", "model_name": "discussion", "field_name": field_name}

    response = staff_client.get(reverse("admin:autocomplete"), {**params, "term": term})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_changelist_counts_comments_that_are_not_deleted(staff_client, discussion):
    question = discussion.questions.first()
    CommentFactory.create_batch(2, question=question)
    CommentFactory(question=question, deleted_at=timezone.now())

    response = staff_client.get(DISCUSSIONS)

    (row,) = response.context["cl"].result_list
    assert row.comment_count == 2
    assert discussion.article.title in response.content.decode()


def test_discussion_changelist_query_count_does_not_grow_with_the_discussions(
    staff_client, django_assert_num_queries
):
    for _ in range(3):
        CommentFactory(question=DiscussionFactory().questions.first())
    _query_count(staff_client, DISCUSSIONS)  # warm up per-process caches
    expected = _query_count(staff_client, DISCUSSIONS)
    for _ in range(27):
        CommentFactory(question=DiscussionFactory().questions.first())

    with django_assert_num_queries(expected):
        response = staff_client.get(DISCUSSIONS)
    assert response.context["cl"].result_count == 30


@pytest.mark.parametrize("term", ["Albers", "albers-2020-implementation", "bianca", "Bianca A."])
def test_discussions_are_found_by_paper_and_host(staff_client, term):
    wanted = DiscussionFactory(
        article=ArticleFactory(title="Albers 2020", slug="albers-2020-implementation"),
        host=UserFactory(username="bianca", display_name="Bianca A."),
    )
    DiscussionFactory()

    response = staff_client.get(DISCUSSIONS, {"q": term})

    assert list(response.context["cl"].result_list) == [wanted]


def test_discussions_are_filtered_by_status(staff_client):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    DiscussionFactory(status=Discussion.Status.OPEN)

    response = staff_client.get(DISCUSSIONS, {"status__exact": "draft"})

    assert list(response.context["cl"].result_list) == [draft]


def test_open_action_opens_the_selected_and_reports_how_many_changed(staff_client):
    drafts = DiscussionFactory.create_batch(2, status=Discussion.Status.DRAFT)
    already_open = DiscussionFactory(status=Discussion.Status.OPEN)
    untouched = DiscussionFactory(status=Discussion.Status.DRAFT)

    response = _run_action(staff_client, "open_discussions", [*drafts, already_open])

    assert [str(m) for m in response.context["messages"]] == ["2 discussions were opened."]
    assert set(Discussion.objects.open()) == {*drafts, already_open}
    untouched.refresh_from_db()
    assert untouched.status == Discussion.Status.DRAFT


def test_close_action_closes_the_selected_and_reports_how_many_changed(staff_client):
    opened = DiscussionFactory(status=Discussion.Status.OPEN)
    closed = DiscussionFactory(status=Discussion.Status.CLOSED)
    before = opened.updated_at

    response = _run_action(staff_client, "close_discussions", [opened, closed])

    assert [str(m) for m in response.context["messages"]] == ["1 discussion was closed."]
    opened.refresh_from_db()
    assert opened.status == Discussion.Status.CLOSED
    assert opened.updated_at > before


def test_a_discussion_with_comments_cannot_be_deleted(staff_client, discussion):
    CommentFactory(question=discussion.questions.first())
    url = reverse("admin:discussions_discussion_delete", args=[discussion.pk])

    response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert response.context["protected"]
    assert Discussion.objects.filter(pk=discussion.pk).exists()


def test_a_discussion_without_comments_is_deleted_with_its_questions(staff_client, discussion):
    response = staff_client.post(
        DISCUSSIONS,
        {"action": "delete_selected", "_selected_action": [discussion.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Discussion.objects.exists()
    assert not Question.objects.exists()


# --- Comments --------------------------------------------------------------------------------


def test_comment_changelist_shows_excerpt_author_place_and_tombstone(staff_client, discussion):
    question = discussion.questions.get(number=2)
    CommentFactory(
        question=question,
        body="A long comment " * 20,
        author=UserFactory(display_name="Carol Reader"),
    )
    CommentFactory(question=question, deleted_at=timezone.now())

    response = staff_client.get(COMMENTS)

    content = response.content.decode()
    assert "A long comment A long comment" in content
    assert "A long comment " * 20 not in content
    assert "Carol Reader" in content
    assert discussion.article.title in content
    assert 'alt="True"' in content  # the tombstoned one
    assert 'alt="False"' in content


def test_comment_changelist_query_count_does_not_grow_with_the_comments(
    staff_client, django_assert_num_queries
):
    def comment_in_new_discussion():
        CommentFactory(question=DiscussionFactory().questions.first())

    for _ in range(3):
        comment_in_new_discussion()
    _query_count(staff_client, COMMENTS)  # warm up per-process caches
    expected = _query_count(staff_client, COMMENTS)
    for _ in range(27):
        comment_in_new_discussion()

    with django_assert_num_queries(expected):
        response = staff_client.get(COMMENTS)
    assert response.context["cl"].result_count == 30


@pytest.mark.parametrize("term", ["serendipity", "dora", "Dora Explorer", "dora@example.net"])
def test_comments_are_found_by_text_and_author(staff_client, term):
    author = UserFactory(username="dora", display_name="Dora Explorer", email="dora@example.net")
    wanted = CommentFactory(author=author, body="On serendipity in evidence use.")
    CommentFactory(body="Something else.")

    response = staff_client.get(COMMENTS, {"q": term})

    assert list(response.context["cl"].result_list) == [wanted]


def test_comments_are_filtered_by_discussion_among_those_with_comments(staff_client):
    wanted = CommentFactory(question=DiscussionFactory().questions.first())
    CommentFactory(question=DiscussionFactory().questions.first())
    silent = DiscussionFactory()
    discussion_pk = wanted.question.discussion_id

    response = staff_client.get(COMMENTS)
    (by_discussion,) = [f for f in response.context["cl"].filter_specs if f.title == "discussion"]
    offered = {int(value) for value, _label in by_discussion.lookup_choices}
    assert discussion_pk in offered
    assert silent.pk not in offered

    response = staff_client.get(COMMENTS, {"discussion": discussion_pk})
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize(("value", "expected"), [("yes", "tombstone"), ("no", "live")])
def test_comments_are_filtered_by_deleted_or_not(staff_client, value, expected):
    comments = {
        "live": CommentFactory(),
        "tombstone": CommentFactory(deleted_at=timezone.now()),
    }

    response = staff_client.get(COMMENTS, {"deleted": value})

    assert list(response.context["cl"].result_list) == [comments[expected]]


def test_comments_cannot_be_added_changed_or_deleted_in_the_admin(staff_client):
    comment = CommentFactory()
    change = reverse("admin:discussions_comment_change", args=[comment.pk])
    delete = reverse("admin:discussions_comment_delete", args=[comment.pk])

    assert staff_client.get(reverse("admin:discussions_comment_add")).status_code == 403
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert staff_client.post(change, {"body": "Rewritten."}).status_code == 403
    comment.refresh_from_db()
    assert comment.body != "Rewritten."
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_comment_list_offers_no_delete_selected_action(staff_client):
    comment = CommentFactory()

    response = staff_client.get(COMMENTS)
    assert response.context["action_form"] is None
    staff_client.post(
        COMMENTS, {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"}
    )

    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_comment_is_shown_read_only_with_its_rendered_text(staff_client):
    comment = CommentFactory(body="Plain *emphasis*.")
    Comment.objects.filter(pk=comment.pk).update(
        body_html="<p>Plain <em>emphasis</em>.</p><script>alert(1)</script>"
    )

    response = staff_client.get(reverse("admin:discussions_comment_change", args=[comment.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<p>Plain <em>emphasis</em>.</p>" in content
    assert "<script>alert(1)</script>" not in content
    assert 'name="_save"' not in content
    assert response.context["adminform"].form.fields == {}
