import datetime
from urllib.parse import parse_qsl

import pytest

from articles.citations import (
    apa_authors,
    apa_name,
    highwire_tags,
    record_from_article,
    to_apa,
    to_coins,
    webpage_for_discussion,
    webpage_to_apa,
    webpage_to_bibtex,
    webpage_to_csl_json,
    webpage_to_ris,
)
from articles.records import ArticleRecord, AuthorRecord
from articles.sources import parse_records
from tests.factories import DiscussionFactory

ALBERS = ArticleRecord(
    title=(
        "Implementation support practitioners – a proposal for consolidating a diverse "
        "evidence base"
    ),
    authors=[
        AuthorRecord("Albers", "Bianca"),
        AuthorRecord("Metz", "Allison"),
        AuthorRecord("Burke", "Katie"),
    ],
    journal_title="BMC Health Services Research",
    volume="20",
    article_number="368",
    published_on=datetime.date(2020, 5, 1),
    doi="10.1186/s12913-020-05145-1",
)


def test_apa_reference_of_the_albers_paper():
    assert to_apa(ALBERS) == (
        "Albers, B., Metz, A., &amp; Burke, K. (2020). Implementation support practitioners – "
        "a proposal for consolidating a diverse evidence base. "
        "<i>BMC Health Services Research</i>, <i>20</i>, Article 368. "
        '<a href="https://doi.org/10.1186/s12913-020-05145-1">'
        "https://doi.org/10.1186/s12913-020-05145-1</a>"
    )


def test_apa_issue_and_pages():
    record = ArticleRecord(
        title="Why?",
        authors=[AuthorRecord("Lee", "Ji-Yeon")],
        journal_title="J",
        volume="7",
        issue="2",
        pages="112–130",
        published_on=datetime.date(2021, 3, 1),
        url="https://example.org/42",
    )

    assert to_apa(record) == (
        "Lee, J.-Y. (2021). Why? <i>J</i>, <i>7</i>(2), 112–130. "
        '<a href="https://example.org/42">https://example.org/42</a>'
    )


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "A1"),
        (2, "A1, & A2"),
        (3, "A1, A2, & A3"),
        (20, ", ".join(f"A{n}" for n in range(1, 20)) + ", & A20"),
        (21, ", ".join(f"A{n}" for n in range(1, 20)) + ", . . . A21"),
        (40, ", ".join(f"A{n}" for n in range(1, 20)) + ", . . . A40"),
    ],
)
def test_apa_author_lists_up_to_twenty_then_an_ellipsis(count, expected):
    assert apa_authors([f"A{n}" for n in range(1, count + 1)]) == expected


def test_apa_names_use_initials_and_leave_organisations_whole():
    assert apa_name(AuthorRecord("Smith", "Mary Kate")) == "Smith, M. K."
    assert apa_name(AuthorRecord("Lee", "Ji-Yeon")) == "Lee, J.-Y."
    assert apa_name(AuthorRecord("Pratt", "J. A.")) == "Pratt, J. A."
    assert apa_name(AuthorRecord("World Health Organization")) == "World Health Organization"


def test_apa_without_author_or_date_or_link():
    record = ArticleRecord(title="A <b>bold</b> claim", journal_title="J")

    assert to_apa(record) == "A &lt;b&gt;bold&lt;/b&gt; claim. (n.d.). <i>J</i>."


def test_highwire_tags_in_order_with_each_authors_institutions(stored_papers):
    record = record_from_article(stored_papers[1])

    tags = highwire_tags(record, page_url="https://club.example.org/papers/x/")

    assert tags[:5] == [
        ("citation_title", "Knowledge brokering in situ: a realist evaluation"),
        ("citation_author", "Carberry, Josiah"),
        ("citation_author_institution", "Brown University"),
        ("citation_author_institution", "Wesleyan University"),
        ("citation_author_orcid", "https://orcid.org/0000-0002-1825-0097"),
    ]
    assert ("citation_author", "The Knowledge Mobilisation Collaborative") in tags
    assert ("citation_publication_date", "2021/03") in tags
    assert ("citation_firstpage", "112") in tags
    assert ("citation_lastpage", "130") in tags
    assert ("citation_issn", "1234-5679") in tags
    assert ("citation_issn", "2049-3630") in tags
    assert ("citation_abstract_html_url", "https://club.example.org/papers/x/") in tags
    assert ("citation_keywords", "Knowledge brokering") in tags
    assert all(content for _name, content in tags)


def test_an_article_number_stands_in_for_the_first_page():
    assert ("citation_firstpage", "368") in highwire_tags(ALBERS, page_url="u")


def test_coins_is_an_openurl_journal_article():
    pairs = parse_qsl(to_coins(ALBERS))

    assert pairs[:4] == [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rfr_id", "info:sid/journal-club"),
        ("rft_id", "info:doi/10.1186/s12913-020-05145-1"),
    ]
    assert ("rft.atitle", ALBERS.title) in pairs
    assert ("rft.jtitle", "BMC Health Services Research") in pairs
    assert ("rft.date", "2020-05-01") in pairs
    assert ("rft.artnum", "368") in pairs
    assert ("rft.aulast", "Albers") in pairs
    assert [value for key, value in pairs if key == "rft.au"] == [
        "Albers, Bianca",
        "Metz, Allison",
        "Burke, Katie",
    ]


def test_a_discussion_is_cited_as_a_web_page_by_its_host(db):
    discussion = DiscussionFactory(
        host__display_name="Priya Raman",
        article__title="Implementation support",
        opens_at=datetime.datetime(2024, 3, 5, 12, tzinfo=datetime.UTC),
    )
    page = webpage_for_discussion(
        discussion, url="https://club.example.org/d/", today=datetime.date(2024, 4, 1)
    )

    assert webpage_to_apa(page) == (
        "Priya Raman. (2024, March 5). <i>Discussion of “Implementation support”</i> "
        "[Journal club discussion]. Journal Club. "
        '<a href="https://club.example.org/d/">https://club.example.org/d/</a>'
    )
    bibtex = webpage_to_bibtex(page)
    assert bibtex.startswith(f"@misc{{{discussion.slug},\n  author = {{{{Priya Raman}}}},")
    assert "  urldate = {2024-04-01},\n" in bibtex
    assert "TY  - ELEC\nAU  - Priya Raman\n" in webpage_to_ris(page)
    assert '"type": "webpage"' in webpage_to_csl_json(page)
    # Each reads back as the same page.
    for text in (bibtex, webpage_to_ris(page), webpage_to_csl_json(page)):
        (entry,) = parse_records(text)
        assert entry.record.title == "Discussion of “Implementation support”"
        assert entry.record.authors == [AuthorRecord("Priya Raman")]
        assert entry.record.published_on == datetime.date(2024, 3, 5)


def test_a_discussion_not_yet_opened_has_no_date(db):
    discussion = DiscussionFactory(status="draft", opens_at=None)

    page = webpage_for_discussion(discussion, url="u", today=datetime.date(2024, 4, 1))

    assert "(n.d.)" in webpage_to_apa(page)
