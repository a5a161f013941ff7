import datetime
import json

import pytest

from articles.citations import csl_item, record_from_article, to_csl_json
from articles.records import AuthorRecord
from articles.sources import csl, parse_records


def test_a_zotero_style_item_is_read():
    item = {
        "id": "http://zotero.org/users/1/items/ABCD",
        "type": "article-journal",
        "title": "Implementation support practitioners",
        "author": [
            {"family": "Albers", "given": "Bianca"},
            {"family": "Berg", "given": "Anna", "non-dropping-particle": "van der"},
            {"literal": "World Health Organization"},
        ],
        "container-title": "BMC Health Services Research",
        "ISSN": "1472-6963",
        "volume": "20",
        "issue": "1",
        "number": "368",
        "issued": {"date-parts": [["2020", "5"]]},
        "DOI": "10.1186/s12913-020-05145-1",
        "language": "en-GB",
        "keyword": "Implementation support, Program logic",
    }

    (entry,) = csl.parse_json(json.dumps([item]))
    record = entry.record

    assert record.authors == [
        AuthorRecord("Albers", "Bianca"),
        AuthorRecord("van der Berg", "Anna"),
        AuthorRecord("World Health Organization"),
    ]
    assert (record.published_on, record.published_precision) == (
        datetime.date(2020, 5, 1),
        "month",
    )
    assert record.article_number == "368"
    assert record.subjects == ["Implementation support", "Program logic"]


def test_unknown_item_types_and_broken_json_are_reported():
    entries = csl.parse_json('[{"type": "spaceship", "title": "T"}, 3]')

    assert entries[0].error.startswith("Unknown item type “spaceship”")
    assert entries[1].error == "This is not a CSL-JSON item."
    assert "not valid JSON" in csl.parse_json("[{")[0].error


def test_export_carries_orcid_and_affiliations_as_crossref_does(stored_papers):
    item = csl_item(record_from_article(stored_papers[1]))

    assert item["type"] == "article-journal"
    assert item["author"][0] == {
        "family": "Carberry",
        "given": "Josiah",
        "ORCID": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": [{"name": "Brown University"}, {"name": "Wesleyan University"}],
    }
    assert item["author"][1] == {"literal": "The Knowledge Mobilisation Collaborative"}
    assert item["issued"] == {"date-parts": [[2021, 3]]}
    assert item["page"] == "112-130"


@pytest.mark.parametrize("index", [0, 1])
def test_round_trip_gives_the_same_record(stored_papers, index):
    original = record_from_article(stored_papers[index])

    (entry,) = parse_records(to_csl_json(original), filename="paper.json")

    assert entry.record == original
