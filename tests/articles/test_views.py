import pytest

from discussions.models import Discussion
from tests.factories import AbstractSectionFactory, ArticleFactory, DiscussionFactory


def test_article_page_shows_the_full_record(client, db):
    article = ArticleFactory(issue="4", licence_url="https://creativecommons.org/licenses/by/4.0/")
    article.authors.filter(position=1).update(orcid="0000-0002-1825-0097")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert f'<h1 lang="en">{article.title}</h1>' in content
    assert "Ada Lovelace" in content
    assert "University of Somewhere" in content
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in content
    assert "1472-6963" in content
    assert "20 (4)" in content
    assert "<h3>Background</h3>" in content
    assert 'rel="license"' in content
    assert "not discussed this paper yet" in content


@pytest.mark.parametrize(
    ("volume", "issue", "shown"),
    [
        ("20", "", "<dt>Volume</dt><dd>20</dd>"),
        ("20", "3", "<dt>Volume</dt><dd>20 (3)</dd>"),
        ("", "3", "<dt>Issue</dt><dd>3</dd>"),
    ],
)
def test_the_record_names_the_volume_and_the_issue_only_when_there_is_one(
    client, db, volume, issue, shown
):
    article = ArticleFactory(volume=volume, issue=issue)

    content = client.get(article.get_absolute_url()).content.decode()

    assert shown in content
    assert "Volume (issue)" not in content


def test_the_record_has_no_volume_line_without_volume_or_issue(client, db):
    article = ArticleFactory(volume="", issue="")

    content = client.get(article.get_absolute_url()).content.decode()

    assert "<dt>Volume</dt>" not in content
    assert "<dt>Issue</dt>" not in content


def test_article_page_links_published_discussions_only(client, db):
    article = ArticleFactory()
    shown = DiscussionFactory(article=article)
    hidden = DiscussionFactory(article=article, status=Discussion.Status.DRAFT)
    content = client.get(article.get_absolute_url()).content.decode()
    assert shown.get_absolute_url() in content
    assert hidden.get_absolute_url() not in content


def test_single_unlabelled_abstract_section(client, db):
    article = ArticleFactory(with_record=False)
    AbstractSectionFactory(article=article, heading="", body="Just one paragraph.")
    content = client.get(article.get_absolute_url()).content.decode()
    assert "Just one paragraph." in content
    assert "<h3></h3>" not in content


def test_unknown_article_is_a_styled_404(client, db):
    response = client.get("/papers/no-such-paper/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.usefixtures("clubs_counted")
def test_article_page_query_count(client, db, django_assert_num_queries):
    article = ArticleFactory()
    # article+journal, authors, abstract sections, subjects, discussions
    with django_assert_num_queries(5):
        client.get(article.get_absolute_url())
