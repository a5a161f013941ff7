from articles.sources.jats import jats_to_sections, jats_to_text


def test_jats_sections_with_titles_become_sections_and_markup_goes():
    markup = (
        "<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title>"
        "<jats:p>Brokers <jats:italic>connect</jats:italic> research &amp; practice.</jats:p>"
        "</jats:sec><jats:sec><jats:title>Methods</jats:title><jats:p>First.</jats:p>"
        "<jats:p>Second, with x<jats:sup>2</jats:sup>.</jats:p></jats:sec>"
    )

    assert jats_to_sections(markup) == [
        ("Background", "Brokers connect research & practice."),
        ("Methods", "First.\n\nSecond, with x2."),
    ]


def test_a_jats_paragraph_with_inline_labels_is_split():
    markup = "<jats:p>Background: Why it matters. Methods: What we did.</jats:p>"

    assert jats_to_sections(markup) == [
        ("Background", "Why it matters."),
        ("Methods", "What we did."),
    ]


def test_an_unstructured_jats_abstract_is_one_section():
    markup = (
        "<jats:title>Abstract</jats:title><jats:p>One.</jats:p><jats:p>Two &lt; three.</jats:p>"
    )

    assert jats_to_sections(markup) == [("", "One.\n\nTwo < three.")]


def test_labels_and_figures_are_left_out():
    markup = (
        "<jats:sec><jats:label>1</jats:label><jats:title>Aims</jats:title>"
        "<jats:p>To see.</jats:p><jats:fig><jats:caption>Figure 1</jats:caption></jats:fig>"
        "</jats:sec>"
    )

    assert jats_to_sections(markup) == [("Aims", "To see.")]


def test_jats_to_text_strips_inline_markup():
    assert jats_to_text("Brokering <i>in situ</i>: H<sub>2</sub>O &amp; more") == (
        "Brokering in situ: H2O & more"
    )
