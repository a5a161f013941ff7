import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discovery import index, results
from discovery.models import SearchEntry, SpellingWord
from discovery.search import (
    MAX_QUERY_LENGTH,
    TYPO_FALLBACK_BELOW,
    clean_query,
    content_language,
    edit_distance,
    excluded_phrases,
    highlight,
    is_typo_of,
    spelling_words,
    widened_query,
)
from discussions.models import Comment, Discussion
from tests.discovery import factories as make
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def page(client, **params) -> str:
    """The results page, without its highlighting (to find titles and texts whole)."""
    return re.sub(r"</?mark>", "", marked_page(client, **params))


def marked_page(client, **params) -> str:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, kind: str) -> str:
    """The HTML of one kind's section of the results page ('' if absent)."""
    match = re.search(
        rf'<section class="search-section" aria-labelledby="results-{kind}">(.*?)</section>',
        html,
        re.S,
    )
    return match.group(1) if match else ""


@pytest.fixture
def club():
    """A paper, its open discussion with a commentary, and comments: all about fidelity."""
    article = make.paper(
        "Implementation fidelity in community health programmes",
        abstract="Fidelity to the protocol was measured in twelve clinics.",
        authors=(("Bianca", "Albers", ""), ("Allison", "Metz", "")),
        subjects=("Implementation science",),
    )
    chat = make.discussion(article, commentary="The host asks how **fidelity** travels.")
    make.comment(chat, "In our region fidelity dropped after the first year.")
    return chat


def test_the_search_box_is_in_every_page_header(client):
    html = page(client)
    assert 'role="search"' in html
    assert '<label class="visually-hidden" for="site-search-q">' in html
    assert 'action="/search/"' in html


def test_an_empty_query_offers_ways_to_browse(client):
    html = page(client, q="")
    assert "Or browse" in html
    assert 'href="/browse/subjects/"' in html


def test_results_are_grouped_by_kind(client, club):
    html = page(client, q="fidelity")
    assert "3 results for “fidelity”" in html
    assert "Implementation" in section(html, "paper")
    assert "The host's commentary on" in section(html, "commentary")
    assert "dropped after the first year" in section(html, "comment")
    # Each section's results link to where the thing lives.
    assert f'href="{club.article.get_absolute_url()}"' in section(html, "paper")
    assert f'href="{club.get_absolute_url()}#commentary-heading"' in section(html, "commentary")
    comment = Comment.objects.get()
    assert f'href="/comments/{comment.pk}/"' in section(html, "comment")


def test_matches_are_highlighted(client, club):
    html = marked_page(client, q="fidelity")
    assert "<mark>fidelity</mark>" in section(html, "comment").lower()
    assert "<mark>fidelity</mark>" in section(html, "paper").lower()


def test_highlighted_text_is_escaped(client, club):
    make.comment(club, "`<script>alert(1)</script>` breaks fidelity checks")
    html = section(marked_page(client, q="fidelity checks", kind="comment"), "comment")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"<mark>fidelity</mark>", html, re.I)


def test_authors_of_papers_link_to_their_pages(client, club):
    html = section(page(client, q="fidelity"), "paper")
    assert '<a href="/browse/authors/albers-b/">Bianca Albers</a>' in html


def test_one_kind_is_paginated(client, club):
    for number in range(25):
        make.comment(club, f"Fidelity remark number {number}.")
    html = page(client, q="fidelity", kind="comment")
    assert section(html, "paper") == ""
    assert html.count('class="result result--comment"') == 20
    assert "Page 1 of 2" in html
    assert "kind=comment" in html
    assert "page=2" in html
    second = page(client, q="fidelity", kind="comment", page=2)
    assert second.count('class="result result--comment"') == 6


def test_without_a_kind_each_section_shows_its_best_few_and_a_link_to_all(client, club):
    for number in range(7):
        make.comment(club, f"Fidelity remark number {number}.")
    html = section(page(client, q="fidelity"), "comment")
    assert html.count('class="result result--comment"') == 5
    assert "Show all 8 comments" in html


def test_counts_stop_at_the_cap_and_say_so(client, club, monkeypatch):
    monkeypatch.setattr(results, "COUNT_CAP", 3)
    monkeypatch.setattr(results, "PREVIEW", 2)
    for number in range(5):
        make.comment(club, f"Fidelity remark number {number}.")
    html = page(client, q="fidelity")
    assert 'Comments <span class="muted">(3+)</span>' in html
    assert section(html, "comment").count('class="result result--comment"') == 2
    assert "Show more comments (3+)" in section(html, "comment")
    assert 'Papers <span class="muted">(1)</span>' in html
    assert "5+ results for “fidelity”" in html  # 1 paper, 1 commentary, 3+ comments
    assert "Comments (3+)</a>" in html
    # Only the ranked matches are paginated: the cap, not all six.
    html = page(client, q="fidelity", kind="comment")
    assert html.count('class="result result--comment"') == 3
    assert "Page 1 of" not in html


def test_counts_up_to_the_cap_are_exact(client, club, monkeypatch):
    monkeypatch.setattr(results, "COUNT_CAP", 3)
    for number in range(2):
        make.comment(club, f"Fidelity remark number {number}.")
    html = page(client, q="fidelity")
    assert 'Comments <span class="muted">(3)</span>' in html
    assert "5 results for “fidelity”" in html


@pytest.mark.parametrize("number", ["999", "0", "-1", "two", "9" * 40, ""])
def test_a_page_number_out_of_range_shows_a_page(client, club, number):
    html = page(client, q="fidelity", kind="comment", page=number)
    assert 'class="result result--comment"' in html


def test_filter_by_subject(client, club):
    other = make.paper("Fidelity elsewhere", subjects=("Nursing",))
    html = page(client, q="fidelity", subject="nursing")
    assert other.title in html
    assert club.article.title not in html


def test_the_filter_menus_show_what_was_chosen(client, club):
    make.paper("Fidelity <b>elsewhere</b>", subjects=("Nursing & <care>",))
    html = page(client, q="fidelity", subject="nursing-&-<care>", status="open")
    assert (
        '<option value="nursing-&amp;-&lt;care&gt;" selected>Nursing &amp; &lt;care&gt;</option>'
        in html
    )
    assert '<option value="open" selected>Open</option>' in html
    assert '<option value="closed">Closed</option>' in html
    assert '<option value="" selected>Any year</option>' in html


def test_filter_by_year(client, club):
    old = make.paper("Fidelity in 1999", published_on=datetime.date(1999, 1, 1))
    html = page(client, q="fidelity", year="1999")
    assert old.title in html
    assert club.article.title not in html


def test_filter_by_open_or_closed_discussion(client, club):
    closed_paper = make.paper("Closed fidelity")
    closed = make.discussion(closed_paper, commentary="Fidelity, closed.")
    closed.status = Discussion.Status.CLOSED
    closed.save()
    html = page(client, q="fidelity", status="closed")
    assert closed_paper.title in html
    assert "Fidelity, closed" in html
    assert "dropped after the first year" not in html
    html = page(client, q="fidelity", status="open")
    assert "dropped after the first year" in html
    assert closed_paper.title not in html


@pytest.mark.parametrize(
    "params",
    [
        {"subject": "no-such-subject"},
        {"year": "abc"},
        {"year": "99999999999999999999"},
        {"status": "draft"},
        {"kind": "users"},
    ],
)
def test_filters_that_are_not_on_offer_are_ignored(client, club, params):
    html = page(client, q="fidelity", **params)
    assert "dropped after the first year" in html


BAD_QUERIES = [
    "",
    " ",
    '"',
    '""',
    '"unclosed phrase',
    "-",
    "--",
    "-fidelity",
    "OR",
    "fidelity OR",
    "OR OR OR",
    "&|!",
    "!!!",
    "(((",
    "a & b | !c",
    "<->",
    ":*",
    "fidelity:*",
    "'",
    "\\",
    "%",
    "_",
    "%_%",
    "'; DROP TABLE discovery_searchentry; --",
    "1' OR '1'='1",
    "SELECT * FROM accounts_user",
    "\x00",
    "fidelity\x00drop",
    "\x1b[31m",
    "ünïcödé 日本語 🙂 مرحبا",
    "\u202e\u200b",
    "x" * 10_000,
    "fidelity " * 1_200,
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_any_query_gets_a_page(client, club, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_any_query_gets_a_page_of_one_kind(client, club, query):
    response = client.get(SEARCH, {"q": query, "kind": "comment", "page": "2"})
    assert response.status_code == 200


def test_queries_are_cleaned_and_capped():
    assert clean_query("  a\x00b\tc\n\nd  ") == "ab c d"
    assert len(clean_query("x" * 10_000)) == MAX_QUERY_LENGTH
    assert clean_query(None) == ""


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("albers", "albers", 0),
        ("albrs", "albers", 1),
        ("fidleity", "fidelity", 1),  # two neighbours swapped
        ("implemntaton", "implementation", 2),
        ("works", "workers", 2),
        ("", "abc", 3),
    ],
)
def test_edit_distance(first, second, distance):
    assert edit_distance(first, second) == distance
    assert edit_distance(second, first) == distance


def test_a_typo_is_one_edit_in_a_short_word_and_two_in_a_longer_one():
    assert is_typo_of("albrs", "albers")
    assert is_typo_of("metx", "metz")
    assert not is_typo_of("works", "workers")
    assert is_typo_of("implemntaton", "implementation")
    assert not is_typo_of("damsch", "damschroder")


def test_spelling_words_are_lowercased_words_with_letters():
    assert spelling_words("Rycroft-Malone et al.: 2019 RCT of X", "Müller; O'Neil") == {
        "rycroft",
        "malone",
        "rct",
        "müller",
        "neil",
    }


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("FR_ca", "fr"),
        ("fre", "fr"),
        ("fra", "fr"),
        ("en", "en"),
        ("", "en"),
        (None, "en"),
        ("de", "en"),
        ("fry", "en"),  # Frisian
    ],
)
def test_french_and_anything_else(code, language):
    assert content_language(code) == language


def test_excluded_phrases_are_read_as_web_search_reads_them():
    query = 'a -"b c" - d --e -f-g "x -y" de-implementation -"unclosed z'
    assert excluded_phrases(query) == ["b c", "d", "f-g", "unclosed z"]
    assert excluded_phrases("- -- -") == []


def test_a_query_with_nothing_to_correct_is_not_widened():
    assert widened_query("albers fidelity", {"albers": [], "fidelity": []}) is None
    assert widened_query("albrs", {"albrs": ["albers"]}) is not None


def test_the_fallback_highlight_escapes_then_marks():
    html = highlight("<b>Fidelity</b> & fidelity", "fidelity")
    assert html == "&lt;b&gt;<mark>Fidelity</mark>&lt;/b&gt; &amp; <mark>fidelity</mark>"


def test_deleted_comments_never_appear(client, club):
    gone = make.comment(club, "Regrettable fidelity remark.")
    Comment.objects.filter(pk=gone.pk).update(deleted_at=make.days_ago(0))  # index not told
    assert "Regrettable" not in page(client, q="regrettable fidelity")


def test_hidden_comments_never_appear(client, club):
    hidden = make.comment(club, "Offensive fidelity remark.")
    if not hasattr(hidden, "status"):
        pytest.skip("comments have no moderation status")
    Comment.objects.filter(pk=hidden.pk).update(status="hidden")
    assert "Offensive" not in page(client, q="offensive fidelity")


def test_a_comment_hidden_between_two_searches_is_gone_from_the_second(client, club):
    hidden = make.comment(club, "Offensive fidelity remark.")
    assert "Offensive" in page(client, q="offensive fidelity")
    Comment.objects.filter(pk=hidden.pk).update(deleted_at=make.days_ago(0))
    assert "Offensive" not in page(client, q="offensive fidelity")


def test_draft_discussions_never_appear(client):
    draft = make.discussion(
        make.paper("A paper"), commentary="Secret fidelity plans.", status=Discussion.Status.DRAFT
    )
    make.comment(draft, "A staff test comment about fidelity.")
    html = page(client, q="fidelity")
    assert "Secret fidelity" not in html
    assert "staff test comment" not in html
    # The paper itself is public: papers are always searchable.
    assert "A paper" in page(client, q="paper")


@pytest.fixture
def private_club():
    """A private club's discussion of a public paper, with a commentary and a comment."""
    from tests.factories import ClubFactory

    club = ClubFactory(visibility="private", joining="request")
    chat = make.discussion(
        make.paper("Fidelity among nurses", abstract="Nurses kept to the protocol."),
        commentary="Confidential fidelity plans of the ward.",
        club=club,
        slug="ward-secrets",
    )
    make.comment(chat, "A confidential fidelity remark from the ward.")
    return club


def test_a_private_clubs_discussions_are_found_by_its_members_only(client, private_club):
    from tests.factories import MembershipFactory

    outsider, member, banned = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(club=private_club, member=member)
    MembershipFactory(club=private_club, member=banned, banned_at=make.days_ago(1))
    staff = UserFactory(is_staff=True, roles=["Staff"])  # who curates clubs
    for reader in (None, outsider, banned):
        if reader is not None:
            client.force_login(reader)
        html = page(client, q="confidential fidelity")
        assert "Confidential fidelity" not in html
        assert "confidential fidelity remark" not in html
        assert "ward-secrets" not in page(client, q="nurses")  # the paper, not who discusses it
        assert "Fidelity among nurses" in page(client, q="nurses")  # a paper's record is public
    for reader in (member, staff):
        client.force_login(reader)
        html = page(client, q="confidential fidelity")
        assert "Confidential fidelity plans" in html
        assert "confidential fidelity remark" in html
        assert "/discussions/ward-secrets/" in page(client, q="nurses")


def test_a_paper_discussed_only_in_a_private_club_is_not_open_to_outsiders(client, private_club):
    from tests.factories import MembershipFactory

    assert "Fidelity among nurses" not in page(client, q="nurses", status="open")
    member = UserFactory()
    MembershipFactory(club=private_club, member=member)
    client.force_login(member)
    assert "Fidelity among nurses" in page(client, q="nurses", status="open")


def test_a_club_made_private_leaves_the_results_without_reindexing(client, club):
    """The index keeps every club's text: what is shown is decided when searching."""
    from clubs.models import Club

    assert "The host asks how" in page(client, q="fidelity travels")
    Club.objects.filter(pk=club.club_id).update(visibility="private", joining="request")
    assert "The host asks how" not in page(client, q="fidelity travels")


def test_the_index_follows_the_services(client, discussion, member):
    from discussions import services

    question = discussion.questions.first()
    comment = services.comment_post(question=question, author=member, body="Serendipity here.")
    assert "Serendipity here" in page(client, q="serendipity")
    services.comment_edit(comment=comment, editor=member, body="Providence instead.")
    assert "Serendipity" not in page(client, q="serendipity")
    assert "Providence instead" in page(client, q="providence")
    services.comment_delete(comment=comment, actor=member)
    assert "Providence" not in page(client, q="providence")


def build(papers: int):
    for number in range(papers):
        chat = make.discussion(
            make.paper(f"Fidelity study {number}", authors=(("Ada", f"Author{number}", ""),)),
            commentary=f"Fidelity commentary {number}.",
        )
        make.comment(chat, f"Fidelity comment {number}.", author=UserFactory())


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # The counts per kind, the ranked ids of each kind shown, those entries in one
        # query, the authors, their pages and discussions of the papers (the filter menus
        # are cached).
        ("", 7),  # 3 kinds ranked + entries + authors + author pages + discussions
        ("paper", 7),  # 2 counts + papers ranked + entries + authors, pages + discussions
        ("comment", 4),  # 2 counts + comments ranked + entries
    ],
)
@pytest.mark.usefixtures("clubs_counted")
def test_the_results_page_runs_the_same_queries_whatever_the_number_of_results(
    client, kind, expected
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, q="fidelity", kind=kind)
        return len(captured)

    build(TYPO_FALLBACK_BELOW)  # enough papers that no spelling is looked up
    assert queries() == expected + 2  # the subjects and the years, for the menus' cache
    assert queries() == expected
    build(12)
    assert queries() == expected


def test_the_fallback_needs_every_word(client, sqlite_only, club):
    assert "dropped after the first year" in page(client, q="region year")
    assert "dropped after the first year" not in page(client, q="region protocol")


# --- PostgreSQL ----------------------------------------------------------------------------


def test_websearch_syntax(client, postgres_only, club):
    make.comment(club, "Fidelity and adaptation go together.")
    comments = section(page(client, q='"fidelity dropped"'), "comment")
    assert "dropped after the first year" in comments
    assert "adaptation go together" not in comments
    comments = section(page(client, q="fidelity -adaptation"), "comment")
    assert "dropped after the first year" in comments
    assert "adaptation go together" not in comments
    comments = section(page(client, q="adaptation OR region"), "comment")
    assert "dropped after the first year" in comments
    assert "adaptation go together" in comments


def test_english_stemming(client, postgres_only, club):
    make.comment(club, "We are implementing it in three districts.")
    assert "implementing it in three districts" in page(client, q="implementation districts")


def test_typos_in_author_names_and_titles_find_papers(client, postgres_only, club):
    assert club.article.title in section(page(client, q="Albrs"), "paper")
    assert club.article.title in section(page(client, q="implemntation fidelty"), "paper")


def test_a_corrected_spelling_is_highlighted(client, postgres_only, club):
    html = section(marked_page(client, q="implemntation"), "paper")
    assert "<mark>Implementation</mark>" in html


def spelling_looked_up(client, **params) -> bool:
    with CaptureQueriesContext(connection) as captured:
        page(client, **params)
    return any("discovery_spellingword" in query["sql"] for query in captured)


def test_spellings_are_looked_up_only_when_the_words_find_too_few_papers(
    client, postgres_only, club
):
    for number in range(1, TYPO_FALLBACK_BELOW):
        make.paper(f"Fidelity study {number}")
    assert not spelling_looked_up(client, q="fidelity")
    assert not spelling_looked_up(client, q="fidelity", kind="comment")  # counting papers
    assert spelling_looked_up(client, q="fidelty")
    assert spelling_looked_up(client, q="fidelty", kind="comment")


def test_a_search_that_finds_enough_stays_as_typed(client, postgres_only, club):
    for number in range(TYPO_FALLBACK_BELOW):
        make.paper(f"Albrs study {number}", authors=(("Ann", "Smith", ""),))
    html = section(page(client, q="Albrs"), "paper")
    assert "Albrs study 0" in html
    assert club.article.title not in html  # by Albers


def test_papers_spelled_as_typed_come_before_corrected_spellings(client, postgres_only, club):
    typed = make.paper("A protocol study", abstract="Fidelty, spelled so in the abstract.")
    html = section(page(client, q="fidelty"), "paper")
    assert typed.title in html
    assert club.article.title in html  # "Fidelity" in its title
    assert html.index(typed.title) < html.index(club.article.title)


def test_the_typo_fallback_leaves_excluded_words_out(client, postgres_only, club):
    other = make.paper("Knowledge brokers", abstract="Brokers at work.")
    html = section(page(client, q="Albrs -protocol"), "paper")
    assert other.title in html
    assert club.article.title not in html  # its abstract mentions the protocol


def test_corrections_skip_stop_words_and_known_words(postgres_only, club):
    assert SpellingWord.objects.corrections(["for", "Albrs", "albers", "works", "fidelty"]) == {
        "albrs": ["albers"],
        "albers": [],
        "works": [],
        "fidelty": ["fidelity"],
    }


def test_doi_finds_its_paper(client, postgres_only, club):
    assert club.article.title in section(page(client, q=club.article.doi), "paper")


def test_postgresql_headlines_are_escaped(client, postgres_only, club):
    make.comment(club, "`<img src=x onerror=alert(1)>` fidelity trick")
    html = section(marked_page(client, q="fidelity trick", kind="comment"), "comment")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<mark>fidelity</mark>" in html.lower()


def test_the_search_uses_the_gin_index(postgres_only, club):
    from discovery.search import search_query

    entries = SearchEntry.objects.filter(kind="comment", search_vector=search_query("fidelity"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the choice visible
        plan = entries.explain()
    assert "Bitmap Index Scan on discovery_search_vector_comment_gin" in plan


def test_the_search_indexes_exist(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes"
            " WHERE tablename IN ('discovery_searchentry', 'discovery_spellingword')"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "discovery_search_vector_paper_gin",
        "discovery_search_vector_commentary_gin",
        "discovery_search_vector_comment_gin",
        "discovery_spellingword_trgm",
    } <= names


def test_spellings_are_looked_up_in_the_trigram_index(postgres_only, club):
    words = SpellingWord.objects.filter(word__trigram_similar="albrs")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the choice visible
        plan = words.explain()
    assert "Bitmap Index Scan on discovery_spellingword_trgm" in plan


def test_a_query_of_stop_words_only_finds_nothing_quietly(client, postgres_only, club):
    assert "0 results" in page(client, q="the and of")


def test_the_rebuilt_index_searches_like_the_upserted_one(client, postgres_only, club):
    before = marked_page(client, q="fidelity")
    index.rebuild()
    assert marked_page(client, q="fidelity").count("<mark>") == before.count("<mark>")


def test_the_rebuild_computes_the_same_vectors_as_the_services(postgres_only, club):
    make.comment(club, "Fidelity, adaptation; and *more* 日本語.")

    def vectors() -> dict[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT key, search_vector::text FROM discovery_searchentry")
            return dict(cursor.fetchall())

    upserted = vectors()
    index.rebuild()
    assert vectors() == upserted


# --- English and French (PostgreSQL) ---------------------------------------------------------


@pytest.fixture
def french_club(club):
    """The club's discussion, with a comment in French."""
    make.comment(club, "Les connaissances des infirmières sur la fidélité.", language="fr")
    return club


def test_a_french_plural_finds_the_singular_and_the_other_way_round(
    client, postgres_only, french_club
):
    make.comment(french_club, "Une connaissance fine du terrain.", language="fr")
    comments = section(page(client, q="connaissances"), "comment")
    assert "Une connaissance fine du terrain" in comments
    assert "Les connaissances des infirmières" in comments
    assert "Une connaissance fine" in section(page(client, q="connaissance"), "comment")


def test_a_word_without_accents_finds_it_with_them_in_either_language(client, postgres_only, club):
    make.comment(club, "Une évaluation réaliste du programme.", language="fr")
    make.comment(club, "A realist evaluation of the programme.", language="en")
    for query in ("evaluation", "évaluation", "évaluations"):
        comments = section(page(client, q=query), "comment")
        assert "Une évaluation réaliste" in comments
        assert "A realist evaluation" in comments


def test_english_words_keep_their_english_stemming(client, postgres_only, french_club):
    make.comment(french_club, "We are implementing it in three districts.", language="en")
    assert "implementing it in three districts" in page(client, q="implementation")
    assert "implementing it in three districts" in page(client, q="implemented")


def test_a_french_query_with_french_stop_words_finds_french_text(
    client, postgres_only, french_club
):
    html = section(page(client, q="la fidélité des infirmières"), "comment")
    assert "Les connaissances des infirmières" in html


def test_the_headline_marks_the_french_match(client, postgres_only, french_club):
    html = section(marked_page(client, q="connaissance infirmieres", kind="comment"), "comment")
    assert "<mark>connaissances</mark>" in html
    assert "<mark>infirmières</mark>" in html


def test_an_excluded_word_is_left_out_whichever_the_language(client, postgres_only, club):
    """
    The French reading of "-policy" looks for "policy" where English text holds "polici":
    left to itself, it would let through what the English reading leaves out.
    """
    make.comment(club, "Stakeholder engagement shaped the policy.")
    make.comment(club, "Stakeholder engagement in the clinics.")
    make.comment(club, "L'engagement des parties prenantes et la politique.", language="fr")
    comments = section(page(client, q="stakeholder engagement -policy"), "comment")
    assert "in the clinics" in comments
    assert "shaped the policy" not in comments
    comments = section(page(client, q="engagement -politique"), "comment")
    assert "in the clinics" in comments
    assert "parties prenantes" not in comments


def test_french_stop_words_are_not_corrected(postgres_only, club):
    make.paper("Pour une science de la mise en œuvre", language="fr")
    assert SpellingWord.objects.corrections(["pour", "une", "Albrs"]) == {"albrs": ["albers"]}


def test_a_translated_commentary_is_found_in_its_language(client, postgres_only, club):
    make.translation(club, "L'hôte demande comment la **fidélité** voyage.")
    commentaries = section(page(client, q="fidélité voyage"), "commentary")
    assert "comment la fidélité voyage" in commentaries
    assert "The host asks" not in commentaries
    commentaries = section(page(client, q="fidelity travels"), "commentary")
    assert "The host asks" in commentaries
    assert "voyage" not in commentaries
    # Both are the discussion's commentary, and lead to it.
    assert f'href="{club.get_absolute_url()}#commentary-heading"' in section(
        page(client, q="voyage"), "commentary"
    )


def test_a_translated_commentary_is_hidden_as_the_commentary_is(
    client, postgres_only, private_club
):
    from tests.factories import MembershipFactory

    chat = Discussion.objects.get(slug="ward-secrets")
    make.translation(chat, "Les projets confidentiels de fidélité du service.")
    draft = make.discussion(
        make.paper("Un article"),
        commentary="Secret fidelity plans.",
        status=Discussion.Status.DRAFT,
    )
    make.translation(draft, "Les projets secrets de fidélité.")
    html = page(client, q="projets fidélité")
    assert "Les projets confidentiels" not in html
    assert "Les projets secrets" not in html
    member = UserFactory()
    MembershipFactory(club=private_club, member=member)
    client.force_login(member)
    html = section(page(client, q="projets fidélité"), "commentary")
    assert "Les projets confidentiels" in html
    assert "Les projets secrets" not in html


def test_the_rebuild_computes_the_same_vectors_in_french(postgres_only, french_club):
    make.paper("Les connaissances en évaluation", language="fr-CA")
    make.translation(french_club, "Une évaluation de la **fidélité**.")

    def vectors() -> dict[str, tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT key, language, search_vector::text FROM discovery_searchentry")
            return {key: (language, vector) for key, language, vector in cursor.fetchall()}

    upserted = vectors()
    assert {language for language, _vector in upserted.values()} == {"en", "fr"}
    index.rebuild()
    assert vectors() == upserted


def test_the_text_search_configurations_exist(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('french_unaccent', 'Les connaissances en évaluation')"
            " @@ plainto_tsquery('french_unaccent', 'connaissance evaluation'),"
            " to_tsvector('english_unaccent', 'Müller implementing')::text"
        )
        assert cursor.fetchone() == (True, "'implement':2 'muller':1")
