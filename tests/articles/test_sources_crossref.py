import datetime

from articles.records import AuthorRecord
from articles.sources import crossref, lookup_doi, parse_records
from tests.articles.conftest import ALBERS_DOI, SECOND_DOI, data_json, data_text


def test_albers_record_is_read_in_full():
    record = crossref.parse_work(data_json("crossref-albers.json")["message"])

    assert record.title == (
        "Implementation support practitioners – a proposal for consolidating a diverse "
        "evidence base"
    )
    assert record.authors == [
        AuthorRecord("Albers", "Bianca", "", ["European Implementation Collaborative"]),
        AuthorRecord("Metz", "Allison", "", ["University of North Carolina at Chapel Hill"]),
        AuthorRecord("Burke", "Katie", "", ["Centre for Effective Services"]),
    ]
    assert record.journal_title == "BMC Health Services Research"
    assert record.publisher == "Springer Science and Business Media LLC"
    assert (record.issn_print, record.issn_electronic) == ("", "1472-6963")
    assert (record.volume, record.issue, record.article_number, record.pages) == (
        "20",
        "1",
        "368",
        "",
    )
    assert record.published_on == datetime.date(2020, 5, 1)
    assert record.published_precision == "day"
    assert record.doi == ALBERS_DOI
    assert record.url == f"https://bmchealthservres.biomedcentral.com/articles/{ALBERS_DOI}"
    assert record.language == "en"
    assert record.licence == "CC BY 4.0"
    assert record.licence_url == "https://creativecommons.org/licenses/by/4.0"
    assert record.is_open_access
    assert record.subjects == ["Health Policy"]


def test_the_jats_structured_abstract_becomes_clean_sections():
    record = crossref.parse_work(data_json("crossref-albers.json")["message"])

    assert [heading for heading, _ in record.abstract_sections] == [
        "Background",
        "Main body",
        "Conclusion",
    ]
    assert record.abstract_sections[0][1].startswith("Workforce development")
    assert all("<" not in body and "jats" not in body for _, body in record.abstract_sections)


def test_orcid_organisation_markup_dates_and_pages_of_the_second_paper():
    record = crossref.parse_work(data_json("crossref-no-abstract.json")["message"])

    assert record.title == "Knowledge brokering in situ: a realist evaluation"
    assert record.authors == [
        AuthorRecord(
            "Carberry", "Josiah", "0000-0002-1825-0097", ["Brown University", "Wesleyan University"]
        ),
        AuthorRecord("The Knowledge Mobilisation Collaborative"),
    ]
    assert record.journal_title == "Journal of Examples & Evidence"
    assert (record.issn_print, record.issn_electronic) == ("1234-5679", "2049-3630")
    assert record.pages == "112–130"
    assert (record.published_on, record.published_precision) == (
        datetime.date(2021, 3, 1),
        "month",
    )
    assert record.licence == "CC BY-NC 4.0"
    assert record.abstract_sections == []


def test_lookup_takes_crossref_alone_when_it_has_the_abstract(albers_api):
    record = lookup_doi(ALBERS_DOI)

    assert len(record.abstract_sections) == 3
    assert record.notes == []
    assert all("doaj.org" not in str(request.url) for request in albers_api.requests)


def test_lookup_falls_back_to_doaj_for_a_missing_abstract(second_api):
    record = lookup_doi(SECOND_DOI)

    assert record.abstract_sections == [
        ("Background", "Knowledge brokers connect research and practice."),
        ("Methods", "A realist evaluation in four regions."),
        ("Results", "Brokering worked where trust preceded it."),
        ("Conclusions", "Build relationships first."),
    ]
    assert record.subjects == ["knowledge brokering", "realist evaluation"]
    assert record.notes == [
        "The abstract comes from DOAJ (Crossref has none).",
        "The keywords come from DOAJ (Crossref has none).",
    ]
    # Everything else still comes from Crossref.
    assert record.authors[0].orcid == "0000-0002-1825-0097"


def test_lookup_says_so_when_neither_has_an_abstract(api):
    api.crossref(SECOND_DOI, body=data_json("crossref-no-abstract.json"))
    api.doaj(SECOND_DOI, body=data_json("doaj-search-empty.json"))

    record = lookup_doi(SECOND_DOI)

    assert record.abstract_sections == []
    assert record.notes == ["Neither Crossref nor DOAJ has an abstract for this paper."]


def test_lookup_keeps_the_crossref_record_when_doaj_is_down(api):
    api.crossref(SECOND_DOI, body=data_json("crossref-no-abstract.json"))
    api.doaj(SECOND_DOI, 502, "Bad gateway")

    record = lookup_doi(SECOND_DOI)

    assert record.title.startswith("Knowledge brokering")
    assert "DOAJ could not be reached" in record.notes[0]


def test_a_saved_crossref_answer_can_be_imported_as_a_file():
    (entry,) = parse_records(data_text("crossref-albers.json"))

    assert entry.record.doi == ALBERS_DOI
    assert entry.label == f"Crossref work {ALBERS_DOI}"
