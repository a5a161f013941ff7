import datetime
import json

from articles.records import AuthorRecord
from articles.sources import doaj, parse_records
from tests.articles.conftest import ALBERS_DOI, data_json, data_text

TITLE = (
    "Implementation support practitioners – a proposal for consolidating a diverse evidence base"
)
AFFILIATIONS = [
    "European Implementation Collaborative",
    "University of North Carolina at Chapel Hill",
    "Centre for Effective Services",
]


def test_the_catalogue_record_text_is_read_in_full():
    (entry,) = doaj.parse_catalogue_text(data_text("doaj-record.txt"))
    record = entry.record

    assert not entry.error
    assert record.title == TITLE
    assert [(a.given, a.family) for a in record.authors] == [
        ("Bianca", "Albers"),
        ("Allison", "Metz"),
        ("Katie", "Burke"),
    ]
    assert [a.affiliations for a in record.authors] == [[a] for a in AFFILIATIONS]
    assert record.journal_title == "BMC Health Services Research"
    assert record.publisher == "BMC"
    assert record.issn_electronic == "1472-6963"
    assert (record.published_on, record.published_precision) == (datetime.date(2020, 5, 1), "day")
    assert record.doi == ALBERS_DOI
    assert record.url == f"http://link.springer.com/article/{ALBERS_DOI}"
    assert record.language == "en"
    assert record.is_open_access
    assert record.subjects == [
        "Implementation support practitioner",
        "Implementation support",
        "Program logic",
    ]
    assert [h for h, _ in record.abstract_sections] == ["Background", "Main body", "Conclusion"]
    assert record.notes == []


def test_affiliations_that_cannot_be_told_apart_are_left_empty_with_a_note():
    text = data_text("doaj-record.txt").replace(
        "Centre for Effective Services", "McMaster University"
    )

    (entry,) = doaj.parse_catalogue_text(text)

    assert all(author.affiliations == [] for author in entry.record.authors)
    assert entry.record.notes == [
        "The authors’ affiliations could not be told apart in this record."
    ]


def test_several_catalogue_records_in_one_text():
    text = data_text("doaj-record.txt")
    second = text.replace(TITLE, "A second paper").replace(ALBERS_DOI, "10.5555/second")

    entries = doaj.parse_catalogue_text(text + "\n" + second)

    assert [e.record.title for e in entries] == [TITLE, "A second paper"]
    assert [e.record.doi for e in entries] == [ALBERS_DOI, "10.5555/second"]


def test_the_catalogue_text_is_detected_when_pasted():
    (entry,) = parse_records(data_text("doaj-record.txt"))

    assert entry.record.doi == ALBERS_DOI
    assert entry.label.startswith("DOAJ record 1 (Implementation support practitioners")


def test_a_doaj_article_object_is_read():
    article = data_json("doaj-search-albers.json")["results"][0]

    record = doaj.parse_article(article)

    assert record.title == TITLE
    assert record.authors[0] == AuthorRecord("Albers", "Bianca", "", [AFFILIATIONS[0]])
    assert (record.volume, record.issue, record.pages) == ("20", "1", "1–10")
    assert record.issn_electronic == "1472-6963"
    assert (record.published_on, record.published_precision) == (
        datetime.date(2020, 5, 1),
        "month",
    )
    assert record.doi == ALBERS_DOI
    assert record.language == "en"
    assert record.is_open_access
    assert [h for h, _ in record.abstract_sections] == ["Background", "Main body", "Conclusion"]


def test_doaj_json_files_as_search_answer_list_or_single_article():
    answer = data_json("doaj-search-albers.json")
    article = answer["results"][0]

    for text in (json.dumps(answer), json.dumps([article, article]), json.dumps(article)):
        entries = parse_records(text)
        assert entries
        assert all(entry.record.doi == ALBERS_DOI for entry in entries)


def test_broken_doaj_json_is_reported():
    (entry,) = doaj.parse_json('{"results": [')
    assert "not valid JSON" in entry.error

    (entry,) = doaj.parse_json('[{"title": "no bibjson"}]')
    assert entry.error == "This is not a DOAJ article."


def test_fetch_asks_doaj_search_for_the_doi(api):
    api.doaj(ALBERS_DOI, body=data_json("doaj-search-albers.json"))

    article = doaj.fetch_article(ALBERS_DOI)

    assert article["id"] == "3d9aaf6744704e0099a5aec4f9e380c9"
    (request,) = api.requests
    assert request.url.host == "doaj.org"
    assert "doi%3A%2210.1186%2Fs12913-020-05145-1%22" in str(request.url)


def test_fetch_ignores_results_for_another_doi(api):
    api.doaj("10.5555/other", body=data_json("doaj-search-albers.json"))

    assert doaj.fetch_article("10.5555/other") is None
