import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from discussions.models import Discussion
from tests.discovery import factories as make
from tests.factories import DiscussionFactory

pytestmark = pytest.mark.django_db


def get(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def papers(count: int, **kwargs) -> list:
    """Papers on the subject "Knowledge brokering" by Bianca Albers, every other discussed."""
    made = []
    for number in range(count):
        article = make.paper(
            f"Brokering study {number:03}",
            subjects=("Knowledge brokering",),
            authors=(("Bianca", "Albers", ""), ("Grace", f"Coauthor{number}", "")),
            published_on=datetime.date(2000 + number % 20, 1, 1),
            **kwargs,
        )
        if number % 2:
            make.discussion(article)
        made.append(article)
    return made


def test_the_browse_index_links_every_way_to_browse(client):
    html = get(client, "/browse/")
    for url in ("/browse/subjects/", "/browse/authors/", "/browse/journals/", "/browse/years/"):
        assert f'href="{url}"' in html


def test_a_subject_lists_its_papers_discussed_first(client):
    made = papers(4)
    html = get(client, "/browse/subjects/knowledge-brokering/")
    assert "<h1>Knowledge brokering</h1>" in html
    discussed = [article.title for number, article in enumerate(made) if number % 2]
    undiscussed = [article.title for number, article in enumerate(made) if not number % 2]
    assert max(html.index(title) for title in discussed) < min(
        html.index(title) for title in undiscussed
    )
    assert "Not discussed by the club yet." in html
    # Authors and journal link to their own pages.
    assert 'href="/browse/authors/albers-b/"' in html
    assert 'href="/browse/journals/implementation-science/"' in html


def test_authors_not_yet_filed_by_the_index_are_named_without_a_link(client):
    """Authors written outside the services (the demo, the admin) get a page on indexing."""
    make.paper(
        "Not indexed yet",
        subjects=("Knowledge brokering",),
        authors=(("Bianca", "Albers", ""), ("Allison", "Metz", "")),
        indexed=False,
    )
    make.paper("Indexed", authors=(("Allison", "Metz", ""),))
    html = get(client, "/browse/subjects/knowledge-brokering/")
    assert 'Bianca Albers, <a href="/browse/authors/metz-a/">Allison Metz</a>' in html
    assert client.get("/browse/authors/albers-b/").status_code == 404


def test_an_author_with_a_long_name_has_a_page_where_the_link_points(client):
    family_name = ("Albers" * 34)[:200]  # as long as a family name may be
    make.paper("A long name", subjects=("Naming",), authors=(("Ann Beth", family_name, ""),))
    html = get(client, "/browse/subjects/naming/")
    url = re.search(r'href="(/browse/authors/[^"]+)"', html).group(1)
    assert len(url) > 200
    assert "A long name" in get(client, url)


def test_the_subject_index_counts_papers(client):
    papers(3)
    html = get(client, "/browse/subjects/")
    assert 'href="/browse/subjects/knowledge-brokering/"' in html
    assert "3 papers" in html


def test_an_author_page_by_name_and_initials(client):
    papers(2)
    make.paper("By someone else", authors=(("Ada", "Lovelace", ""),))
    html = get(client, "/browse/authors/albers-b/")
    assert "<h1>Bianca Albers</h1>" in html
    assert "Brokering study 000" in html
    assert "By someone else" not in html


def test_an_author_page_by_orcid(client):
    make.paper("With an ORCID iD", authors=(("Allison", "Metz", "0000-0002-1825-0097"),))
    html = get(client, "/browse/authors/0000-0002-1825-0097/")
    assert "With an ORCID iD" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert 'href="/browse/authors/0000-0002-1825-0097/"' in html


def test_the_author_index(client):
    papers(2)
    html = get(client, "/browse/authors/")
    assert '<a href="/browse/authors/albers-b/">Albers, Bianca</a>' in html
    assert "2 papers" in html


def test_a_journal_page(client):
    papers(2)
    html = get(client, "/browse/journals/implementation-science/")
    assert "Implementation Science" in html
    assert "Brokering study 001" in html
    assert 'href="/browse/journals/implementation-science/"' in get(client, "/browse/journals/")


def test_the_archive_by_year(client):
    DiscussionFactory(opens_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC))
    DiscussionFactory(opens_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    DiscussionFactory(
        opens_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC), status=Discussion.Status.DRAFT
    )
    html = get(client, "/browse/years/")
    assert 'href="/browse/years/2025/"' in html
    assert 'href="/browse/years/2024/"' in html
    assert "1 discussion" in html  # the draft does not count
    html = get(client, "/browse/years/2025/")
    assert html.count('<article class="card">') == 1


@pytest.mark.parametrize(
    "url",
    [
        "/browse/subjects/no-such-subject/",
        "/browse/authors/nobody-x/",
        "/browse/journals/no-such-journal/",
        "/browse/years/1999/",
        "/browse/years/99999/",
        "/browse/years/0/",
    ],
)
def test_unknown_things_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("number", ["999", "0", "x", "-3"])
def test_page_numbers_out_of_range_show_a_page(client, number):
    papers(23)
    html = get(client, "/browse/subjects/knowledge-brokering/", page=number)
    assert "Brokering study" in html


def test_lists_are_paginated(client):
    papers(23)
    html = get(client, "/browse/subjects/knowledge-brokering/")
    assert html.count('class="paper-item"') == 20
    assert "Page 1 of 2" in html
    assert (
        get(client, "/browse/subjects/knowledge-brokering/", page=2).count('class="paper-item"')
        == 3
    )


BROWSE_PAGES = [
    # (url, queries): what each page costs, whatever the number of papers on it.
    ("/browse/subjects/", 2),  # count, page
    # subject, count, page, 3 prefetches, the authors with a page
    ("/browse/subjects/knowledge-brokering/", 7),
    ("/browse/authors/", 2),
    ("/browse/authors/albers-b/", 7),  # name, count, page, 3 prefetches, authors with a page
    ("/browse/journals/", 2),
    ("/browse/journals/implementation-science/", 7),
    ("/browse/years/", 2),
]


@pytest.mark.parametrize(("url", "expected"), BROWSE_PAGES)
@pytest.mark.usefixtures("clubs_counted")
def test_browse_pages_run_the_same_queries_for_few_or_many_papers(client, url, expected):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        return len(captured)

    papers(3)
    assert queries() == expected
    papers(20)
    assert queries() == expected


@pytest.mark.usefixtures("clubs_counted")
def test_a_year_runs_the_same_queries_for_few_or_many_discussions(member_client):
    opened = datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)

    def queries(browser) -> int:
        with CaptureQueriesContext(connection) as captured:
            get(browser, "/browse/years/2024/")
        return len(captured)

    DiscussionFactory.create_batch(2, opens_at=opened)
    anonymous, signed_in = queries(Client()), queries(member_client)
    DiscussionFactory.create_batch(20, opens_at=opened)
    assert queries(Client()) == anonymous == 4  # exists, count, page, authors
    assert queries(member_client) == signed_in
