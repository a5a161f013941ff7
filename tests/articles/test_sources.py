import pytest

from articles.sources import detect_format, parse_records
from tests.articles.conftest import data_text


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("@article{a, title={T}}", "", "bibtex"),
        ("% comment\n@book{a, title={T}}", "", "bibtex"),
        ("TY  - JOUR\nTI  - T\nER  - \n", "", "ris"),
        ('[{"type": "article-journal", "title": "T"}]', "", "csl-json"),
        ('{"message-type": "work", "message": {}}', "", "crossref-json"),
        ('{"results": [{"bibjson": {}}]}', "", "doaj-json"),
        ("anything", "refs.bib", "bibtex"),
        ("anything", "refs.RIS", "ris"),
        ("just some words", "", ""),
    ],
)
def test_formats_are_detected_from_content_or_extension(text, filename, expected):
    assert detect_format(text, filename) == expected


def test_the_doaj_catalogue_text_is_detected():
    assert detect_format(data_text("doaj-record.txt")) == "doaj-text"


def test_an_undetectable_input_says_what_it_accepts():
    (entry,) = parse_records("just some words")

    assert entry.record is None
    assert "Could not tell the format" in entry.error


def test_a_chosen_format_wins_over_detection():
    (entry,) = parse_records("@article{a, title={T}, year={2020}}", fmt="ris")

    assert "Lines outside any record" in entry.error
