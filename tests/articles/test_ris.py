import dataclasses
import datetime

import pytest

from articles.citations import record_from_article, to_ris
from articles.records import AuthorRecord
from articles.sources import parse_records, ris

RECORD = f"""TY  - JOUR
AU  - Albers, Bianca
AU  - Metz, Allison
AU  - World Health Organization
TI  - Implementation support practitioners – a proposal
T2  - BMC Health Services Research
PB  - BMC
PY  - 2020
DA  - 2020/05/01/
VL  - 20
IS  - 1
SP  - 1
EP  - 10
C7  - 368
SN  - 1472-6963
DO  - https://doi.org/10.1186/s12913-020-05145-1
UR  - https://example.org/paper
LA  - English
KW  - Implementation support
KW  - Program logic
AB  - Background: Why it matters.
  Methods: How it was done.
ER  -{" "}
"""


def test_a_journal_record_is_read():
    (entry,) = ris.parse(RECORD)
    record = entry.record

    assert entry.label == "RIS record 1 (line 1)"
    assert record.title == "Implementation support practitioners – a proposal"
    assert record.authors == [
        AuthorRecord("Albers", "Bianca"),
        AuthorRecord("Metz", "Allison"),
        AuthorRecord("World Health Organization"),
    ]
    assert record.journal_title == "BMC Health Services Research"
    assert (record.published_on, record.published_precision) == (datetime.date(2020, 5, 1), "day")
    assert (record.volume, record.issue, record.pages, record.article_number) == (
        "20",
        "1",
        "1–10",
        "368",
    )
    assert record.issn_electronic == "1472-6963"
    assert record.doi == "10.1186/s12913-020-05145-1"
    assert record.language == "en"
    assert record.subjects == ["Implementation support", "Program logic"]
    assert record.abstract_sections == [
        ("Background", "Why it matters."),
        ("Methods", "How it was done."),
    ]


def test_windows_line_endings_and_a_byte_order_mark_are_fine():
    (entry,) = ris.parse("\ufeff" + RECORD.replace("\n", "\r\n"))

    assert entry.record.title.startswith("Implementation support")


def test_broken_records_are_reported_and_the_good_ones_kept():
    text = (
        "stray text before any record\n"
        + RECORD
        + "TY  - XXXX\nTI  - Unknown type\nER  - \n"
        + "TY  - JOUR\nTI  - No end\n"
        + RECORD.replace("Implementation support practitioners", "Second paper")
        + "TY  - JOUR\nTI  - Cut off at the end\n"
    )

    entries = ris.parse(text)

    assert [(e.label, e.record.title if e.record else e.error) for e in entries] == [
        ("RIS record 1 (line 2)", "Implementation support practitioners – a proposal"),
        (
            "RIS record 2 (line 25)",
            "Unknown reference type “XXXX” (JOUR is a journal article).",
        ),
        ("RIS record 3 (line 28)", "This record does not end with an “ER  - ” line."),
        ("RIS record 4 (line 30)", "Second paper – a proposal"),
        ("RIS record 5 (line 53)", "This record does not end with an “ER  - ” line."),
        (
            "RIS text at line 1",
            "Lines outside any record: each record starts with “TY  - ”.",
        ),
    ]


def test_export_is_one_ris_record(stored_papers):
    text = to_ris(record_from_article(stored_papers[0]))

    assert text.startswith("TY  - JOUR\nAU  - Albers, Bianca\nAU  - Metz, Allison\n")
    assert "\nC7  - 368\n" in text
    assert "\nDA  - 2020/05/01/\n" in text
    assert text.endswith("ER  - \n")
    assert "1." not in text.splitlines()[0]


@pytest.mark.parametrize("index", [0, 1])
def test_round_trip_gives_the_same_record_but_what_ris_cannot_carry(stored_papers, index):
    """RIS has no tag for an author's ORCID iD or affiliation, nor for the licence."""
    original = record_from_article(stored_papers[index])

    (entry,) = parse_records(to_ris(original), filename="paper.ris")

    assert entry.record == dataclasses.replace(
        original,
        authors=[AuthorRecord(a.family, a.given) for a in original.authors],
        licence="",
        licence_url="",
        is_open_access=False,
    )
