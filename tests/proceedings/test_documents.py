import json
import re

import pytest

from discussions.models import Discussion
from proceedings import documents
from tests.factories import AuthorFactory, CommentFactory, UserFactory
from tests.jsonld import expand, foreign_terms
from tests.proceedings.worlds import make_world

FORMATS = ["html", "markdown", "jsonld"]
REMOVED = ["Hidden words", "Deleted words", "Pending words"]


@pytest.fixture
def world(db, settings):
    settings.JOURNAL_CLUB_BASE_URL = "https://club.example.org"
    return make_world()


def render(fmt, discussion, **options) -> str:
    options.setdefault("language", "en")
    if fmt == "jsonld":
        return json.dumps(documents.render_jsonld(discussion, **options), ensure_ascii=False)
    return getattr(documents, f"render_{fmt}")(discussion, **options)


def permalink(comment) -> str:
    return f"https://club.example.org/comments/{comment.pk}/"


# --- What every format holds ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_holds_the_paper_the_discussion_and_its_comments(world, fmt):
    discussion = world.discussion
    article = discussion.article
    text = render(fmt, discussion)

    assert article.title in text
    assert "Ada Lovelace" in text
    assert "University of Somewhere" in text
    assert f"https://doi.org/{article.doi}" in text
    assert "Maren Host" in text
    assert "Harbour Health Network" in text
    assert "commentary" in text
    for question in discussion.questions.all():
        assert question.text in text
    assert "titles" in text  # the synthesis
    for name in ("answer", "reply", "deep", "second", "orphan", "pseudonymous", "third"):
        assert permalink(world.comments[name]) in text, name
    assert "Alice Answerer" in text
    assert "Uni of Alpha" in text
    assert "Bob Replier" in text
    assert "Beta Institute" in text
    for removed in REMOVED:
        assert removed not in text
    for name in ("hidden", "deleted", "pending"):
        assert permalink(world.comments[name]) not in text


def test_the_html_gives_dates_and_absolute_links_and_marks_languages(world):
    html = render("html", world.discussion)

    assert '<html lang="en">' in html
    assert '<div class="prose" lang="en">' in html  # the commentary
    answer = world.comments["answer"]
    assert f'id="comment-{answer.pk}" lang="en">' in html
    date = f"{answer.created_at.day} {answer.created_at:%B %Y}"
    assert f'<a href="{permalink(answer)}">{date}</a>' in html
    assert "https://club.example.org/discussions/" in html
    assert 'href="https://club.example.org/members/maren-host/"' in html  # the host
    assert '<a href="https://doi.org/' in html
    assert "ORCID" not in html  # nobody here has one


def test_comments_come_in_thread_order_indented_by_depth(world):
    """Answers oldest first, each followed by its replies depth first, one step further in."""
    html = render("html", world.discussion)
    c = world.comments

    order = [
        html.index(f'id="comment-{c[name].pk}"')
        for name in ("answer", "reply", "deep", "second", "orphan")
    ]
    assert order == sorted(order)
    for name, depth in [("answer", 0), ("reply", 1), ("deep", 2), ("second", 0), ("orphan", 0)]:
        assert f'class="comment depth-{depth}" id="comment-{c[name].pk}"' in html, name
    assert "in reply to a comment not included here" in html  # the hidden one's reply


def test_replies_deeper_than_the_page_shows_say_whom_they_answer(world):
    parent = world.comments["deep"]
    for depth in range(3, 9):
        parent = CommentFactory(parent=parent, body=f"At depth {depth}.")

    html = render("html", world.discussion)

    assert f'class="comment depth-6" id="comment-{parent.pk}"' in html
    assert "in reply to Member" in html


def test_markdown_keeps_the_comments_source_and_nests_them_in_quotes(world):
    text = render("markdown", world.discussion)

    assert "> First *answer* text." in text  # the Markdown as written
    assert "> > A reply to the answer." in text
    assert "> > > A reply to the reply." in text
    assert "## Question 1" in text
    assert "### Synthesis" in text
    assert (
        text.index("First *answer*")
        < text.index("A reply to the answer")
        < text.index("Second answer")
    )


def test_markdown_escapes_names_so_they_cannot_make_links(world):
    trickster = UserFactory(display_name="*[Click me](https://evil.example)*", affiliation="#1 <b>")
    CommentFactory(question=world.discussion.questions.first(), author=trickster, body="Hi.")

    text = render("markdown", world.discussion)

    assert r"\*\[Click me\](https://evil.example)\*" in text
    assert r"\#1 \<b\>" in text


def test_jsonld_is_a_report_about_the_paper_with_a_part_per_question(world):
    document = documents.render_jsonld(world.discussion, language="en")
    article = world.discussion.article

    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "Report"
    assert document["inLanguage"] == "en"
    assert document["about"]["@type"] == "ScholarlyArticle"
    assert document["about"]["sameAs"] == f"https://doi.org/{article.doi}"
    assert document["about"]["identifier"]["value"] == article.doi
    assert document["author"] == {
        "@type": "Person",
        "name": "Maren Host",
        "url": "https://club.example.org/members/maren-host/",
        "affiliation": {"@type": "Organization", "name": "Harbour Health Network"},
    }
    parts = document["hasPart"]
    assert [part["position"] for part in parts] == [1, 2, 3]
    first = parts[0]
    assert first["abstract"].startswith("What we agreed")
    answer = first["comment"][0]
    assert answer["@type"] == "Comment"
    assert answer["url"] == permalink(world.comments["answer"])
    assert answer["text"] == "First *answer* text."
    assert answer["author"]["url"] == "https://club.example.org/members/alice-a/"
    assert answer["license"] == "https://creativecommons.org/licenses/by/4.0/"
    reply = answer["comment"][0]
    assert reply["text"] == "A reply to the answer."
    assert reply["comment"][0]["text"] == "A reply to the reply."
    assert "license" not in reply["comment"][0]  # posted before the licence
    assert [c["text"] for c in first["comment"]] == [
        "First *answer* text.",
        "Second answer, older licence.",
        "Reply under the hidden one.",
    ]


def test_jsonld_gives_an_orcid_only_when_it_was_verified(world):
    alice = world.alice
    alice.orcid = "0000-0002-1825-0097"
    alice.save()
    bob = world.bob
    bob.orcid = "0000-0001-5109-3700"
    bob.orcid_verified = True
    bob.save()

    document = documents.render_jsonld(world.discussion, language="en")

    comments = document["hasPart"][0]["comment"]
    assert "sameAs" not in comments[0]["author"]  # Alice typed hers
    assert comments[0]["comment"][0]["author"]["sameAs"] == "https://orcid.org/0000-0001-5109-3700"


# --- Pseudonyms -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pseudonymous_comment_shows_its_pseudonym_and_nothing_that_leads_to_its_author(
    world, fmt
):
    member = world.hidden_member
    member.orcid = "0000-0002-1825-0097"
    member.orcid_verified = True
    member.save()

    text = render(fmt, world.discussion)

    assert "Words under a pseudonym." in text
    assert "Blue Heron" in text
    assert re.search(r"Blue Heron\W{0,12}\(pseudonym\)", re.sub(r"<[^>]+>", "", text))
    for trace in ("Secret Person", "Secret Affiliation", "secret-handle", "0000-0002-1825-0097"):
        assert trace not in text, trace


def test_a_pseudonymous_author_in_jsonld_is_a_name_alone(world):
    document = documents.render_jsonld(world.discussion, language="en")

    author = document["hasPart"][1]["comment"][0]["author"]
    assert author == {"@type": "Person", "name": "Blue Heron (pseudonym)"}


# --- Options ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_syntheses_only_leaves_the_comments_out(world, fmt):
    text = render(fmt, world.discussion, syntheses_only=True)

    assert "titles" in text
    assert "commentary" in text
    for question in world.discussion.questions.all():
        assert question.text in text
    assert "First *answer*" not in text
    assert "First <em>answer</em>" not in text
    assert "Alice Answerer" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_question_alone(world, fmt):
    second = world.discussion.questions.get(number=2)

    text = render(fmt, world.discussion, question=second)

    assert second.text in text
    assert "Question number 1?" not in text
    assert "Question number 3?" not in text
    assert "Words under a pseudonym." in text
    assert "First *answer*" not in text
    assert "First <em>answer</em>" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_licensed_only_keeps_the_licensed_comments_and_says_how_many_were_left_out(world, fmt):
    text = render(fmt, world.discussion, licensed_only=True)

    for kept in ("answer", "reply", "orphan", "pseudonymous"):
        assert permalink(world.comments[kept]) in text, kept
    for left_out in ("deep", "second", "third"):
        assert permalink(world.comments[left_out]) not in text, left_out
    if fmt == "jsonld":
        assert json.loads(text)["license"] == "https://creativecommons.org/licenses/by/4.0/"
    else:
        assert "3 comments are left out" in text
        assert "Creative Commons Attribution 4.0" in text


def test_a_draft_shows_no_comments(world):
    Discussion.objects.filter(pk=world.discussion.pk).update(status=Discussion.Status.DRAFT)
    world.discussion.refresh_from_db()

    text = render("markdown", world.discussion)

    assert "First *answer*" not in text
    assert "### 0 comments" in text


def test_in_french_the_links_are_the_french_pages(world):
    html = render("html", world.discussion, language="fr")

    assert '<html lang="fr">' in html
    assert f"https://club.example.org/fr/comments/{world.comments['answer'].pk}/" in html
    # The discussion's own texts stay in its language, marked as such.
    assert '<div class="prose" lang="en">' in html


def test_the_paper_authors_orcid_and_every_affiliation_are_given(world):
    article = world.discussion.article
    AuthorFactory(
        article=article,
        position=3,
        given_name="Grace",
        family_name="Hopper",
        orcid="0000-0002-1825-0097",
        affiliations="Navy\nYale",
    )

    for fmt in FORMATS:
        text = render(fmt, world.discussion)
        assert "https://orcid.org/0000-0002-1825-0097" in text, fmt
        assert "Navy" in text, fmt
        assert "Yale" in text, fmt


def test_reading_takes_the_same_queries_whatever_the_number_of_comments(
    world, django_assert_num_queries
):
    with django_assert_num_queries(6) as few:
        documents.read(world.discussion, language="en")
    question = world.discussion.questions.first()
    for index in range(40):
        CommentFactory(question=question, body=f"More {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        documents.read(world.discussion, language="en")


def test_the_jsonld_is_schema_orgs_words_alone(world):
    """Read as a JSON-LD processor reads it: every type and property is schema.org's."""
    document = documents.render_jsonld(world.discussion, language="en", licensed_only=True)

    expanded = expand(document)
    assert expanded
    assert foreign_terms(expanded) == []
