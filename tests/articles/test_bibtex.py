import dataclasses
import datetime
import logging
import time

import pytest

from articles.citations import record_from_article, to_bibtex
from articles.records import ArticleRecord, AuthorRecord
from articles.sources import bibtex, parse_records


@pytest.fixture(autouse=True)
def _quiet_bibtexparser(caplog):
    # bibtexparser logs a warning per broken entry; the tests look at the entries instead.
    caplog.set_level(logging.ERROR, logger="bibtexparser")


def test_an_article_entry_is_read():
    text = r"""
    @string{bmchsr = "BMC Health Services Research"}
    @article{albers2020,
      author = {Albers, Bianca and Metz, Allison and {World Health Organization}
                and van der Berg, Anna},
      title = {Implementation support practitioners -- a proposal},
      journal = bmchsr,
      year = 2020, month = may,
      volume = {20}, number = {1}, eid = {368}, pages = {1--10},
      issn = {1472-6963},
      doi = {https://doi.org/10.1186/S12913-020-05145-1},
      url = {https://example.org/~albers/paper%201},
      keywords = {Implementation support; Program logic},
      abstract = {Background: Why. Methods: How.},
      langid = {english},
      copyright = {CC BY 4.0}
    }
    """

    (entry,) = bibtex.parse(text)
    record = entry.record

    assert entry.label == "BibTeX entry albers2020 (line 3)"
    assert record.title == "Implementation support practitioners – a proposal"
    assert record.authors == [
        AuthorRecord("Albers", "Bianca"),
        AuthorRecord("Metz", "Allison"),
        AuthorRecord("World Health Organization"),
        AuthorRecord("van der Berg", "Anna"),
    ]
    assert record.journal_title == "BMC Health Services Research"
    assert (record.published_on, record.published_precision) == (
        datetime.date(2020, 5, 1),
        "month",
    )
    assert (record.volume, record.issue, record.article_number, record.pages) == (
        "20",
        "1",
        "368",
        "1–10",
    )
    assert record.issn_electronic == "1472-6963"
    assert record.doi == "10.1186/s12913-020-05145-1"
    assert record.url == "https://example.org/~albers/paper%201"  # not LaTeX-decoded
    assert record.subjects == ["Implementation support", "Program logic"]
    assert record.abstract_sections == [("Background", "Why."), ("Methods", "How.")]
    assert record.language == "en"
    assert (record.licence, record.is_open_access) == ("CC BY 4.0", True)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"M\"{u}ller", "Müller"),
        (r"M\"uller", "Müller"),
        (r"{\'E}cole", "École"),
        (r"Fran\c{c}ois", "François"),
        (r"S{\o}ren {\AA}berg", "Søren Åberg"),
        (r"{\L}{\'o}d{\'z}", "Łódź"),
        (r"Stra{\ss}e", "Straße"),
        (r"na\"{\i}ve", "naïve"),
        (r"\v{S}koda", "Škoda"),
        (r"R\&D at 50\% \$5", "R&D at 50% $5"),
        (r"$\alpha$-synuclein \textit{in vivo}", "\u03b1-synuclein in vivo"),
        (r"{COVID}-19 in the {ICU}", "COVID-19 in the ICU"),
        ("Already Unicode – ü", "Already Unicode – ü"),
    ],
)
def test_latex_is_converted_to_unicode(latex, text):
    (entry,) = bibtex.parse(f"@article{{k, title = {{{latex}}}, author = {{{latex}, A.}}}}")

    assert entry.record.title == text
    assert entry.record.authors[0].family == text


def test_broken_syntax_and_unknown_types_are_reported_per_entry():
    text = """
@article{good1, title = {First}, year = {2020}}
@article{broken,
  title = {Unclosed
@weird{strange, title = {What}, year = {2020}}
@article{twice, title = {A}, title = {B}, year = {2020}}
@article{good2, title = {Second}, year = {2021}}
"""

    entries = bibtex.parse(text)

    assert [(e.label, bool(e.record)) for e in entries] == [
        ("BibTeX entry good1 (line 2)", True),
        ("BibTeX entry broken (line 3)", False),
        ("BibTeX entry strange (line 5)", False),
        ("BibTeX entry twice (line 6)", False),
        ("BibTeX entry good2 (line 7)", True),
    ]
    assert "Broken BibTeX syntax" in entries[1].error
    assert entries[2].error.startswith("Unknown entry type @weird")
    assert entries[3].error == "A field appears twice in this entry."


def test_an_entry_without_title_or_year_is_read_and_its_problems_named():
    (entry,) = bibtex.parse("@misc{k, author = {Albers, Bianca}}")

    assert entry.record.problems() == [
        "The record has no title.",
        "The record has no publication date.",
    ]


def test_text_without_entries_says_so():
    (entry,) = bibtex.parse("not bibtex at all")

    assert entry.error == "No BibTeX entry (@article{…}) found."


def test_five_megabytes_parse_in_seconds_with_errors_in_place():
    entry = (
        '@article{{k{n},\n  title = {{A study of implementation support {n} by M{{\\"u}}ller}},\n'
        '  author = {{M{{\\"u}}ller, J{{\\"o}}rg and Smith, Anna}},\n'
        "  journal = {{BMC Health Services Research}}, year = {{2020}},\n"
        "  doi = {{10.5555/big.{n}}},\n  abstract = {{{abstract}}}\n}}\n"
    )
    abstract = "Background: " + "Why {\\'e}cole matters. " * 10 + "Methods: " + "words " * 280
    entries = [entry.format(n=n, abstract=abstract) for n in range(2600)]
    entries[1000] = "@article{broken1000,\n  title = {Unclosed\n"
    text = "".join(entries)
    assert len(text.encode()) > 5 * 1024 * 1024

    started = time.perf_counter()
    parsed = bibtex.parse(text)
    elapsed = time.perf_counter() - started

    assert elapsed < 15  # about 3 s here; generous for slow CI machines
    assert len(parsed) == 2600
    assert [e.label for e in parsed if e.error] == ["BibTeX entry broken1000 (line 7001)"]
    assert parsed[2599].record.authors[0].family == "Müller"


# --- Export and round trip -------------------------------------------------------------------


def test_export_is_a_bibtex_article_entry(stored_papers):
    albers = record_from_article(stored_papers[0])

    text = to_bibtex(albers)

    assert text.startswith("@article{albers2020implementation,\n")
    assert "  author = {Albers, Bianca and Metz, Allison and Burke, Katie},\n" in text
    assert "  journal = {BMC Health Services Research},\n" in text
    assert "  month = may,\n" in text
    assert "  eid = {368},\n" in text
    assert "  doi = {10.1186/s12913-020-05145-1},\n" in text


def test_special_characters_are_escaped_and_survive_the_round_trip():
    record = ArticleRecord(
        title="R&D at 50% for $5: a_b {c} #1 -- not a dash, ~ and ^ too",
        authors=[AuthorRecord("Müller", "Jörg"), AuthorRecord("World Health Organization")],
        journal_title="Health & Care",
        published_on=datetime.date(2020, 1, 1),
        published_precision="year",
    )

    text = to_bibtex(record)
    (entry,) = parse_records(text)

    assert r"R\&D at 50\% for \$5: a\_b \{c\} \#1 -{}- not" in text
    assert "{World Health Organization}" in text
    assert dataclasses.replace(entry.record, label="") == record


@pytest.mark.parametrize("index", [0, 1])
def test_round_trip_gives_the_same_record_but_orcid_and_affiliations(stored_papers, index):
    """BibTeX has no field for an author's ORCID iD or affiliation; all else comes back."""
    original = record_from_article(stored_papers[index])

    (entry,) = parse_records(to_bibtex(original), filename="paper.bib")

    assert entry.record == dataclasses.replace(
        original,
        authors=[AuthorRecord(a.family, a.given) for a in original.authors],
    )
