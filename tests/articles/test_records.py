import datetime

import pytest

from articles.records import (
    ArticleRecord,
    AuthorRecord,
    assign_issns,
    format_date,
    language_code,
    licence_fields,
    licence_name,
    licence_url,
    make_date,
    normalize_pages,
    parse_date,
    short_title,
    split_name,
    split_pages,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020", (datetime.date(2020, 1, 1), "year")),
        ("2020-05", (datetime.date(2020, 5, 1), "month")),
        ("2020-05-01", (datetime.date(2020, 5, 1), "day")),
        ("2020/05/01/", (datetime.date(2020, 5, 1), "day")),
        ("2020///", (datetime.date(2020, 1, 1), "year")),
        ("2020-02-31", (datetime.date(2020, 2, 1), "month")),
        ("spring", (None, "day")),
    ],
)
def test_parse_date_keeps_the_precision_the_source_gives(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("month", [5, "05", "May", "may", "May."])
def test_make_date_reads_month_numbers_and_names(month):
    assert make_date("2020", month, "1") == (datetime.date(2020, 5, 1), "day")


def test_format_date_writes_only_what_is_known():
    day = datetime.date(2020, 5, 1)
    assert format_date(day, "year") == "2020"
    assert format_date(day, "month", "/") == "2020/05"
    assert format_date(day, "day") == "2020-05-01"
    assert format_date(None, "day") == ""


@pytest.mark.parametrize("value", ["1-10", "1--10", "1 – 10", "1—10", "1–10"])
def test_page_ranges_get_an_en_dash(value):
    assert normalize_pages(value) == "1–10"
    assert split_pages(normalize_pages(value)) == ("1", "10")


def test_a_single_page_stays_a_single_page():
    assert normalize_pages("368") == "368"
    assert split_pages("368") == ("368", "")
    assert normalize_pages("5-5") == "5"


def test_creative_commons_licences_are_named_and_linked_both_ways():
    assert licence_name("https://creativecommons.org/licenses/by/4.0") == "CC BY 4.0"
    assert licence_name("http://creativecommons.org/licenses/by-nc-nd/4.0/legalcode") == (
        "CC BY-NC-ND 4.0"
    )
    assert licence_name("https://creativecommons.org/publicdomain/zero/1.0/") == "CC0 1.0"
    assert licence_name("https://example.org/licence") == ""
    assert licence_url("CC BY 4.0") == "https://creativecommons.org/licenses/by/4.0/"
    assert licence_url("cc-by-nc-4.0") == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert licence_fields("https://creativecommons.org/licenses/by/4.0/") == (
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )
    assert licence_fields("All rights reserved") == ("All rights reserved", "")


@pytest.mark.parametrize(
    ("value", "code"),
    [("en", "en"), ("EN", "en"), ("eng", "en"), ("English", "en"), ("french", "fr"), ("", "")],
)
def test_language_codes_from_codes_and_names(value, code):
    assert language_code(value) == code


def test_split_name_handles_both_orders_particles_and_organisations():
    assert split_name("Bianca Albers") == AuthorRecord(family="Albers", given="Bianca")
    assert split_name("Albers, Bianca") == AuthorRecord(family="Albers", given="Bianca")
    assert split_name("Anna van der Berg") == AuthorRecord(family="van der Berg", given="Anna")
    assert split_name("WHO") == AuthorRecord(family="WHO")


def test_a_lone_issn_of_unknown_kind_is_taken_as_electronic():
    assert assign_issns(["1472-6963"]) == ("", "1472-6963")
    assert assign_issns(["1234-5679", "2049-3630"]) == ("1234-5679", "2049-3630")
    assert assign_issns([]) == ("", "")


def test_problems_name_what_a_record_lacks():
    assert ArticleRecord(title="T", published_on=datetime.date(2020, 1, 1)).problems() == []
    problems = ArticleRecord(doi="not a doi").problems()
    assert "The record has no title." in problems
    assert "The record has no publication date." in problems
    assert any("is not a DOI" in problem for problem in problems)


def test_abstract_text_labels_each_section():
    record = ArticleRecord(abstract_sections=[("Background", "Why."), ("", "Then.")])
    assert record.abstract_text == "Background: Why.\n\nThen."


def test_short_title_cuts_at_a_word():
    assert short_title("Short") == "Short"
    assert short_title("Implementation support practitioners – a proposal for consolidating") == (
        "Implementation support practitioners – a proposal for…"
    )
