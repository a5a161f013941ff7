import pytest

from articles.sources.abstracts import split_abstract
from tests.articles.conftest import data_text


def test_doaj_run_in_headings_become_sections():
    description = next(
        line[len("description ") :]
        for line in data_text("doaj-record.txt").splitlines()
        if line.startswith("description ")
    )

    sections = split_abstract(description)

    assert [heading for heading, _body in sections] == ["Background", "Main body", "Conclusion"]
    assert sections[0][1].startswith("Workforce development for implementation practice")
    assert sections[1][1].startswith("To progress the debate")
    assert sections[2][1].endswith("the competencies needed to provide this support.")


def test_inline_labels_with_colons_become_sections():
    text = "Background: Why. Methods: How we did it. Results: What. Conclusions: So what."

    assert split_abstract(text) == [
        ("Background", "Why."),
        ("Methods", "How we did it."),
        ("Results", "What."),
        ("Conclusions", "So what."),
    ]


def test_upper_case_labels_are_given_their_usual_spelling():
    assert split_abstract("BACKGROUND: Why.\nMETHODS: How.") == [
        ("Background", "Why."),
        ("Methods", "How."),
    ]


def test_labelled_paragraphs_keep_any_label():
    text = "Trial registration: ISRCTN12345.\n\nPatient and public involvement: None."

    assert split_abstract(text) == [
        ("Trial registration", "ISRCTN12345."),
        ("Patient and public involvement", "None."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "We studied things. Results were mixed. Conclusion The end.",
        "Background noise is a problem. Methods We did.",
        "Just a plain abstract about methods and results.",
        "Conclusion matters here, in one paragraph.",
    ],
)
def test_a_plain_abstract_stays_one_unlabelled_section(text):
    assert split_abstract(text) == [("", text)]


def test_empty_text_gives_no_sections():
    assert split_abstract("  ") == []
