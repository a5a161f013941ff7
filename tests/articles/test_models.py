import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory


def test_clean_normalises_doi_and_blank_doi_becomes_null(db):
    article = ArticleFactory.build(doi="https://doi.org/10.1186/ABC", slug="x")
    article.clean()
    assert article.doi == "10.1186/abc"
    article.doi = "  "
    article.clean()
    assert article.doi is None


def test_doi_is_unique_regardless_of_case(db):
    ArticleFactory(doi="10.1186/abc")
    duplicate = ArticleFactory.build(doi="10.1186/ABC", slug="another", journal=None)
    with pytest.raises(ValidationError, match="already exists"):
        duplicate.full_clean()


def test_papers_without_doi_do_not_collide(db):
    ArticleFactory(doi=None)
    ArticleFactory(doi=None)
    assert Article.objects.filter(doi__isnull=True).count() == 2


def test_short_authors_for_listings(db):
    article = ArticleFactory(with_record=False)
    assert article.short_authors == ""
    AuthorFactory(article=article, position=1, family_name="Albers")
    assert Article.objects.get().short_authors == "Albers"
    AuthorFactory(article=article, position=2, family_name="Metz")
    AuthorFactory(article=article, position=3, family_name="Burke")
    assert Article.objects.get().short_authors == "Albers, Metz & Burke"
    AuthorFactory(article=article, position=4, family_name="Fourth")
    assert Article.objects.get().short_authors == "Albers et al."


def test_reference_name_uses_initials(db):
    author = AuthorFactory.build(given_name="Mary-Kate Ann", family_name="Smith")
    assert author.reference_name == "Smith, M. K. A."
    assert AuthorFactory.build(given_name="", family_name="WHO").reference_name == "WHO"


def test_language_name_falls_back_to_the_code(db):
    assert ArticleFactory.build(language="en").language_name == "English"
    assert ArticleFactory.build(language="xx-unknown").language_name == "xx-unknown"


def test_malformed_doi_is_reported_against_the_doi_field(db):
    article = ArticleFactory.build(doi="not a doi", slug="x")
    with pytest.raises(ValidationError) as error:
        article.clean()
    assert "doi" in error.value.message_dict
