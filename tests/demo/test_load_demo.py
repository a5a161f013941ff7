from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from clubs.models import Club, Membership
from core.markdown import render_markdown
from demo import content as demo
from discussions.models import Comment, Discussion, QuestionTranslation
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

DOI = "10.1186/s12913-020-05145-1"


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _ancestors(comment: Comment) -> list[Comment]:
    """The comment's parents, nearest first."""
    chain = []
    while comment.parent is not None:
        comment = comment.parent
        chain.append(comment)
    return chain


def test_loads_the_paper_with_its_record():
    _load()

    article = Article.objects.get(doi=DOI)
    assert article.doi == DOI
    assert article.slug == "albers-2020-implementation-support-practitioners"
    assert article.title.startswith("Implementation support practitioners \N{EN DASH} a proposal")
    assert (article.volume, article.article_number) == ("20", "368")
    assert article.published_on.isoformat() == "2020-05-01"
    assert article.url == "https://link.springer.com/article/10.1186/s12913-020-05145-1"
    assert article.is_open_access
    assert article.licence == "CC BY 4.0"
    assert article.licence_url == "https://creativecommons.org/licenses/by/4.0/"
    assert article.journal.title == "BMC Health Services Research"
    assert article.journal.slug == "bmc-health-services-research"
    assert article.journal.issn_electronic == "1472-6963"


def test_paper_has_authors_abstract_and_subjects_in_order():
    _load()

    article = Article.objects.get(doi=DOI)
    assert [
        (a.position, a.full_name, a.affiliation_list, a.orcid) for a in article.authors.all()
    ] == [
        (1, "Bianca Albers", ["European Implementation Collaborative"], ""),
        (2, "Allison Metz", ["University of North Carolina at Chapel Hill"], ""),
        (3, "Katie Burke", ["Centre for Effective Services"], ""),
    ]
    sections = list(article.abstract_sections.all())
    assert [s.heading for s in sections] == ["Background", "Main body", "Conclusion"]
    assert sections[0].body.startswith("Workforce development for implementation practice")
    assert sections[2].body.endswith("the competencies needed to provide this support.")
    assert sorted(article.subjects.values_list("name", flat=True)) == [
        "Implementation support",
        "Implementation support practitioner",
        "Program logic",
    ]


def test_opens_a_hosted_discussion_with_three_numbered_questions():
    _load()

    discussion = Discussion.objects.get(slug="implementation-support-practitioners")
    assert discussion.article.doi == DOI
    assert discussion.is_open
    assert discussion.opens_at is not None
    assert discussion.host.username == "demo-host"
    assert "implementation support practitioner" in discussion.commentary
    assert list(discussion.questions.values_list("number", flat=True)) == [1, 2, 3]


def test_comments_form_consistent_threads_with_a_three_level_reply_chain():
    _load()

    comments = list(
        Comment.objects.filter(question__discussion__slug=demo.DISCUSSION_SLUG).select_related(
            "parent", "root", "question"
        )
    )
    assert 10 <= len(comments) <= 14
    assert {c.question.number for c in comments} == {1, 2, 3}
    for comment in comments:
        ancestors = _ancestors(comment)
        if not ancestors:
            assert comment.root is None
            continue
        assert comment.root == ancestors[-1]
        assert comment.question == comment.parent.question
        assert comment.created_at > comment.parent.created_at
    deepest = max(comments, key=lambda c: len(_ancestors(c)))
    chain = [deepest, *_ancestors(deepest)]
    assert len(chain) >= 4  # comment → reply → reply → reply
    assert len({c.author_id for c in chain}) >= 2


def test_comments_are_spread_over_days_and_not_in_the_future():
    _load()

    discussion = Discussion.objects.get(slug=demo.DISCUSSION_SLUG)
    times = sorted(Comment.objects.for_discussion(discussion).values_list("created_at", flat=True))
    assert times[0] >= discussion.opens_at
    assert (times[-1] - times[0]).days >= 2
    assert times[-1] < timezone.now()


def test_comment_bodies_are_rendered_and_sanitised():
    _load()

    comments = list(Comment.objects.all())
    for comment in comments:
        assert comment.body_html == render_markdown(comment.body)
    html = "".join(c.body_html for c in comments)
    assert "<strong>" in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert 'rel="nofollow ugc noopener"' in html


def test_demo_members_have_verified_primary_addresses_and_no_usable_password():
    _load()

    members = User.objects.filter(username__startswith="demo-")
    assert members.count() == 1 + len(demo.MEMBERS) + len(demo.FR_MEMBERS)
    for member in members:
        assert member.display_name
        assert member.affiliation
        assert member.email == f"{member.username}@example.org"
        assert not member.has_usable_password()
        assert EmailAddress.objects.filter(
            user=member, email=member.email, verified=True, primary=True
        ).exists()
    assert Comment.objects.values("author").distinct().count() >= 4


def test_password_option_sets_a_password_without_printing_it():
    output = _load("--password", "try-the-demo")

    member = User.objects.get(username="demo-priya")
    assert member.check_password("try-the-demo")
    assert "try-the-demo" not in output
    assert "demo-priya@example.org" in output


def test_rerun_keeps_a_password_set_earlier():
    _load("--password", "try-the-demo")
    _load()

    assert User.objects.get(username="demo-host").check_password("try-the-demo")


def test_output_names_the_discussion_url():
    output = _load()

    assert "/discussions/implementation-support-practitioners/" in output
    assert "3 questions" in output


def test_running_twice_changes_no_row_counts():
    _load()
    first = _row_counts()

    output = _load()

    assert _row_counts() == first
    assert "(0 added)" in output


def test_rerun_adds_no_comments_to_a_discussion_that_has_some():
    _load()
    Comment.objects.update(body="edited by hand")
    extra = CommentFactory(
        question=Discussion.objects.get(slug=demo.DISCUSSION_SLUG).questions.first()
    )

    _load()

    assert Comment.objects.count() == (
        len(demo.COMMENTS) + len(demo.STAFF_COMMENTS) + len(demo.FR_COMMENTS) + 1
    )
    assert set(Comment.objects.exclude(pk=extra.pk).values_list("body", flat=True)) == {
        "edited by hand"
    }


def test_rerun_leaves_the_discussion_status_alone():
    _load()
    Discussion.objects.update(status=Discussion.Status.CLOSED)

    _load()

    assert set(Discussion.objects.values_list("status", flat=True)) == {"closed"}


def test_updates_a_paper_already_entered_under_its_doi():
    ArticleFactory(doi=DOI, slug="albers-2020", title="Old title")  # with two other authors

    _load()

    article = Article.objects.get(doi=DOI)
    assert article.slug == "albers-2020"  # its address may already be linked to
    assert article.title.startswith("Implementation support practitioners")
    assert [a.family_name for a in article.authors.all()] == ["Albers", "Metz", "Burke"]
    assert article.abstract_sections.count() == 3


@pytest.mark.parametrize("words", ["implementation support", "Albers", "indexing"])
def test_the_demo_is_searchable_at_once(client, words):
    """The paper, the host's commentary and the comments are found right after loading."""
    _load()
    page = client.get("/search/", {"q": words}).content.decode()
    assert "Implementation support practitioners" in page
    if words == "indexing":
        assert "<mark>indexing</mark> terms have a way of turning into job adverts" in page


def test_the_demo_authors_are_listed_and_their_pages_open(client):
    _load()
    listing = client.get("/browse/authors/").content.decode()
    for name in ("Albers", "Metz", "Burke"):
        assert name in listing
    assert client.get("/browse/authors/albers-b/").status_code == 200


def test_loads_two_public_clubs_and_a_private_one_with_its_own_discussion(client):
    """The private club's discussion is its members' alone; the public one is anyone's."""
    _load("--password", "demo-pass-123")

    clubs = {club.slug: club for club in Club.objects.all()}
    assert sorted(club.visibility for club in clubs.values()) == [
        "private",
        "public",
        "public",
        "public",
    ]
    private = Discussion.objects.get(slug=demo.STAFF_DISCUSSION_SLUG)
    assert private.club.is_private
    assert Discussion.objects.get(slug=demo.DISCUSSION_SLUG).club.visibility == "public"
    assert Membership.objects.filter(club=private.club, member__username="demo-priya").exists()
    url = private.get_absolute_url()

    assert client.get(url).status_code == 404  # a visitor: as if it did not exist
    assert client.get(private.club.get_absolute_url()).status_code == 404
    client.login(username="demo-tomas@example.org", password="demo-pass-123")
    assert client.get(url).status_code == 404  # a member of other clubs only
    client.login(username="demo-priya@example.org", password="demo-pass-123")
    page = client.get(url)
    assert page.status_code == 200
    assert "Riverbend" in page.content.decode()


# --- The French-speaking club ---------------------------------------------------------

FR_DOI = "10.14745/ccdr.v47i03a06f"


def test_loads_a_public_french_speaking_club_with_its_own_rules():
    _load()

    club = Club.objects.get(slug="courtiers-francophones")
    assert club.language == "fr"
    assert club.visibility == Club.Visibility.PUBLIC
    assert club.joining == Club.Joining.OPEN
    assert club.name == "Réseau francophone des courtiers de connaissances"
    assert "langue de votre choix" in club.code_of_conduct
    roles = dict(club.memberships.values_list("member__username", "role"))
    assert roles["demo-genevieve"] == "lead"
    assert roles["demo-mathieu"] == "host"
    assert {"demo-amara", "demo-jonah"} <= roles.keys()  # from the English-speaking network
    assert club.question_templates.count() == 2


def test_french_members_prefer_french_and_the_others_keep_no_preference():
    _load()

    languages = dict(User.objects.values_list("username", "language"))
    assert {languages[spec.username] for spec in demo.FR_MEMBERS} == {"fr"}
    assert {languages[spec.username] for spec in [demo.HOST, *demo.MEMBERS]} == {""}


def test_loads_the_french_paper_with_its_record_and_no_abstract():
    """Nothing on the paper's page passes for the authors' abstract."""
    _load()

    article = Article.objects.get(doi=FR_DOI)
    assert article.language == "fr"
    assert article.title == (
        "Courtage de connaissances sur les maladies infectieuses pour la santé publique"
    )
    assert (article.volume, article.issue, article.pages) == ("47", "3", "175–180")
    assert article.published_on.isoformat() == "2021-03-01"
    assert article.published_precision == Article.DatePrecision.MONTH
    assert article.is_open_access
    assert article.licence == "CC BY 4.0"
    assert article.journal.title == "Relevé des maladies transmissibles au Canada"
    assert article.journal.issn_electronic == "1719-3109"
    assert [(a.given_name, a.family_name) for a in article.authors.all()] == [
        ("Margaret", "Haworth-Brockman"),
        ("Yoav", "Keynan"),
    ]
    assert len(article.authors.last().affiliation_list) == 3
    assert not article.abstract_sections.exists()
    assert "Courtage de connaissances" in article.subjects.values_list("name", flat=True)


def test_opens_a_french_discussion_with_three_questions_and_a_synthesis():
    _load()

    discussion = Discussion.objects.get(slug=demo.FR_DISCUSSION_SLUG)
    assert discussion.article.doi == FR_DOI
    assert discussion.club.slug == "courtiers-francophones"
    assert discussion.language == "fr"
    assert discussion.is_open
    assert discussion.host.username == "demo-genevieve"
    assert "courtage de connaissances" in discussion.commentary
    questions = list(discussion.questions.all())
    assert [q.number for q in questions] == [1, 2, 3]
    assert [bool(q.synthesis) for q in questions] == [True, False, False]
    assert questions[0].synthesis_by.username == "demo-genevieve"


def test_the_french_discussion_has_an_english_translation_of_the_host_text():
    _load()

    discussion = Discussion.objects.get(slug=demo.FR_DISCUSSION_SLUG)
    translation = discussion.translations.get()
    assert translation.language == "en"
    assert translation.commentary.startswith("Why read a paper about infectious diseases")
    translated = {
        t.question.number: t
        for t in QuestionTranslation.objects.filter(question__discussion=discussion)
    }
    assert sorted(translated) == [1, 2, 3]
    assert {t.language for t in translated.values()} == {"en"}
    assert translated[1].synthesis.startswith("Nobody here chooses")
    assert translated[2].synthesis == ""


def test_french_comments_are_threaded_and_one_reply_is_in_english():
    _load()

    discussion = Discussion.objects.get(slug=demo.FR_DISCUSSION_SLUG)
    comments = list(Comment.objects.for_discussion(discussion).select_related("parent"))
    assert 10 <= len(comments) <= 15
    assert {c.question.number for c in comments} == {1, 2, 3}
    english = [c for c in comments if c.language == "en"]
    assert len(english) == 1
    assert english[0].parent is not None  # a reply, in a thread written in French
    assert english[0].author.username == "demo-mathieu"
    assert {c.language for c in comments if c not in english} == {"fr"}
    deepest = max(comments, key=lambda c: len(_ancestors(c)))
    assert len(_ancestors(deepest)) >= 3
    assert len({c.author_id for c in comments}) >= 4


def test_the_english_demo_is_marked_english():
    _load()

    discussion = Discussion.objects.get(slug=demo.DISCUSSION_SLUG)
    assert discussion.language == "en"
    assert discussion.club.language == "en"
    assert not discussion.translations.exists()
    assert set(Comment.objects.for_discussion(discussion).values_list("language", flat=True)) == {
        "en"
    }
    assert Article.objects.get(doi=DOI).language == "en"


def test_the_french_discussion_reads_in_french_and_in_english(client):
    """The French page shows the original; the English one the translation, original beside."""
    _load()
    discussion = Discussion.objects.get(slug=demo.FR_DISCUSSION_SLUG)
    url = discussion.get_absolute_url()

    french = client.get(f"/fr{url}").content.decode()
    english = client.get(url).content.decode()

    assert "Pourquoi lire un article sur les maladies infectieuses" in french
    assert "Why read a paper about infectious diseases" in english
    assert "Pourquoi lire un article sur les maladies infectieuses" in english
    assert "Switching to English for our colleagues" in french


def test_running_twice_changes_none_of_the_french_content():
    _load()

    def snapshot():
        discussion = Discussion.objects.get(slug=demo.FR_DISCUSSION_SLUG)
        return (
            discussion.language,
            discussion.club.language,
            discussion.commentary,
            list(discussion.translations.values_list("language", "commentary")),
            list(
                QuestionTranslation.objects.filter(question__discussion=discussion)
                .order_by("question__number")
                .values_list("language", "text", "synthesis")
            ),
            list(
                Comment.objects.for_discussion(discussion)
                .order_by("created_at")
                .values_list("pk", "language", "body", "parent_id")
            ),
        )

    first = snapshot()
    output = _load()

    assert snapshot() == first
    assert "(0 added)" in output
    assert "/fr/discussions/courtage-connaissances-maladies-infectieuses/" in output


def test_rerun_keeps_the_language_a_demo_member_chose():
    _load()
    User.objects.filter(username="demo-mathieu").update(language="en")

    _load()

    assert User.objects.get(username="demo-mathieu").language == "en"


def test_a_member_posts_under_a_pseudonym_in_the_club_that_allows_them(client):
    _load()

    comment = Comment.objects.get(pseudonym__isnull=False)
    assert comment.pseudonym.name == "Frontline Fern"
    assert comment.question.discussion.club.pseudonyms
    assert not Comment.objects.filter(licence="").exists()
    page = client.get(comment.question.discussion.get_absolute_url()).content.decode()
    article = page[page.index(f'id="comment-{comment.pk}"') :]
    article = article[: article.index("</article>")]
    assert "Frontline Fern" in article
    assert comment.author.name not in article
    assert comment.author.username not in article
