from articles.models import Author
from discovery.templatetags.discovery import author_links


def authors(*names: tuple[str, str]) -> list[Author]:
    return [Author(given_name=given, family_name=family, orcid="") for given, family in names]


def test_author_links_name_five_authors_then_et_al():
    html = author_links(authors(*((f"Ann{n}", "Albers") for n in range(7))), {"albers-a"})
    assert html.count("<a ") == 5
    assert html.startswith('<a href="/browse/authors/albers-a/">Ann0 Albers</a>, <a ')
    assert html.endswith("Ann4 Albers</a>, et al.")


def test_author_links_without_et_al_for_five_or_fewer():
    html = author_links(authors(("Bianca", "Albers"), ("Allison", "Metz")), {"albers-b", "metz-a"})
    assert html == (
        '<a href="/browse/authors/albers-b/">Bianca Albers</a>, '
        '<a href="/browse/authors/metz-a/">Allison Metz</a>'
    )


def test_author_links_escape_names_and_leave_unlinkable_names_plain():
    html = author_links(authors(("Ann", "<O'Neil>"), ("", "†")), {"oneil-a", ""})
    assert html == '<a href="/browse/authors/oneil-a/">Ann &lt;O&#x27;Neil&gt;</a>, †'


def test_author_links_link_only_authors_with_a_page():
    html = author_links(authors(("Bianca", "Albers"), ("Allison", "Metz")), {"metz-a"})
    assert html == 'Bianca Albers, <a href="/browse/authors/metz-a/">Allison Metz</a>'
