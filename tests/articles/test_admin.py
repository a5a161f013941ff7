import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DiscussionFactory,
    JournalFactory,
    SubjectFactory,
)

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def _management(prefix, *, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _paper_data(**fields):
    """What the add form posts for a paper with one author and a one-section abstract."""
    return {
        "title": "Implementation support in practice",
        "slug": "implementation-support-in-practice",
        "doi": "",
        "journal": "",
        "volume": "",
        "issue": "",
        "article_number": "",
        "pages": "",
        "published_on": "2020-05-01",
        "published_precision": "day",
        "language": "en",
        "url": "",
        "licence": "",
        "licence_url": "",
        **_management("authors", total=1),
        "authors-0-position": "1",
        "authors-0-given_name": "Bianca",
        "authors-0-family_name": "Albers",
        "authors-0-orcid": "",
        "authors-0-affiliations": "",
        **_management("abstract_sections", total=1),
        "abstract_sections-0-position": "1",
        "abstract_sections-0-heading": "Background",
        "abstract_sections-0-body": "Why it matters.",
        **fields,
    }


def _existing_paper_data(article, **fields):
    """What the change form posts, unchanged, for a paper without authors or abstract."""
    return _paper_data(
        **{
            "title": article.title,
            "slug": article.slug,
            "doi": article.doi or "",
            "journal": article.journal_id or "",
            "published_on": article.published_on.isoformat(),
            **_management("authors", total=0),
            **_management("abstract_sections", total=0),
            **fields,
        }
    )


def _delete_selected(client, articles, *, confirm):
    data = {"action": "delete_selected", "_selected_action": [a.pk for a in articles]}
    if confirm:
        data["post"] = "yes"
    return client.post(CHANGELIST, data)


def _query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "entered",
    [
        "10.1186/S12913-020-05145-1",
        "doi:10.1186/s12913-020-05145-1",
        "https://doi.org/10.1186/S12913-020-05145-1",
        "http://dx.doi.org/10.1186/s12913-020-05145-1",
    ],
)
def test_adding_a_paper_stores_its_doi_normalised(staff_client, entered):
    response = staff_client.post(ADD, _paper_data(doi=entered))

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.doi == "10.1186/s12913-020-05145-1"
    assert [a.family_name for a in article.authors.all()] == ["Albers"]
    assert [s.heading for s in article.abstract_sections.all()] == ["Background"]


def test_adding_a_paper_whose_doi_is_on_file_in_another_form_is_refused(staff_client):
    ArticleFactory(doi="10.1186/s12913-020-05145-1")

    response = staff_client.post(ADD, _paper_data(doi="https://doi.org/10.1186/S12913-020-05145-1"))

    assert response.status_code == 200
    assert (
        "A paper with this DOI already exists."
        in response.context["adminform"].form.errors["__all__"]
    )
    assert "A paper with this DOI already exists." in response.content.decode()
    assert Article.objects.count() == 1


def test_saving_a_paper_again_does_not_collide_with_its_own_doi(staff_client):
    article = ArticleFactory(doi="10.1186/abc", with_record=False)
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = staff_client.post(url, _existing_paper_data(article, doi="DOI:10.1186/ABC"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.doi == "10.1186/abc"


def test_a_malformed_doi_is_reported_on_the_doi_field(staff_client):
    response = staff_client.post(ADD, _paper_data(doi="not a doi"))

    assert response.status_code == 200
    assert "is not a DOI" in response.context["adminform"].form.errors["doi"][0]
    assert not Article.objects.exists()


def test_several_papers_may_have_no_doi(staff_client):
    staff_client.post(ADD, _paper_data(slug="first"))
    response = staff_client.post(ADD, _paper_data(slug="second"))

    assert response.status_code == 302
    assert list(Article.objects.values_list("doi", flat=True)) == [None, None]


def test_an_author_orcid_is_stored_hyphenated(staff_client):
    response = staff_client.post(ADD, _paper_data(**{"authors-0-orcid": "000000021825009x"}))

    assert response.status_code == 200  # wrong check digit: refused, not a 500
    response = staff_client.post(ADD, _paper_data(**{"authors-0-orcid": "0000000218250097"}))

    assert response.status_code == 302
    assert Article.objects.get().authors.get().orcid == "0000-0002-1825-0097"


def test_authors_are_reordered_by_their_positions(staff_client):
    article = ArticleFactory()  # Lovelace (1), Turing (2)
    lovelace, turing = article.authors.all()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = _existing_paper_data(article, **_management("authors", total=2, initial=2))
    for index, (author, position) in enumerate([(lovelace, 2), (turing, 1)]):
        data |= {
            f"authors-{index}-id": author.pk,
            f"authors-{index}-article": article.pk,
            f"authors-{index}-position": position,
            f"authors-{index}-given_name": author.given_name,
            f"authors-{index}-family_name": author.family_name,
        }

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert [a.family_name for a in article.authors.all()] == ["Turing", "Lovelace"]


def test_add_and_change_pages_render(staff_client):
    article = ArticleFactory()

    assert staff_client.get(ADD).status_code == 200
    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    assert "Lovelace" in response.content.decode()


def test_a_paper_under_discussion_cannot_be_deleted(staff_client):
    discussion = DiscussionFactory()
    url = reverse("admin:articles_article_delete", args=[discussion.article.pk])

    page = staff_client.get(url)
    response = staff_client.post(url, {"post": "yes"})

    for shown in (page, response):
        assert shown.status_code == 200
        assert shown.context["protected"]
        assert "would require deleting the following protected" in shown.content.decode()
    assert Article.objects.filter(pk=discussion.article.pk).exists()


def test_deleting_selected_papers_is_refused_when_one_is_under_discussion(staff_client):
    free = ArticleFactory()
    discussed = DiscussionFactory().article

    page = _delete_selected(staff_client, [free, discussed], confirm=False)
    response = _delete_selected(staff_client, [free, discussed], confirm=True)

    for shown in (page, response):
        assert shown.status_code == 200
        assert shown.context["protected"]
        assert "would require deleting the following protected" in shown.content.decode()
    assert Article.objects.count() == 2


def test_a_paper_not_under_discussion_is_deleted_with_its_record(staff_client):
    article = ArticleFactory()

    response = _delete_selected(staff_client, [article], confirm=True)

    assert response.status_code == 302
    assert not Article.objects.exists()


def test_changelist_shows_authors_journal_year_and_doi(staff_client):
    article = ArticleFactory(doi="10.1186/xyz", published_on=datetime.date(2019, 3, 1))

    content = staff_client.get(CHANGELIST).content.decode()

    assert escape(article.short_authors) in content  # Lovelace & Turing
    assert "BMC Health Services Research" in content
    assert "2019" in content
    assert "10.1186/xyz" in content


def test_changelist_query_count_does_not_grow_with_the_papers(
    staff_client, django_assert_num_queries
):
    for _ in range(3):
        ArticleFactory().subjects.add(SubjectFactory())
    _query_count(staff_client, CHANGELIST)  # warm up per-process caches
    expected = _query_count(staff_client, CHANGELIST)
    for number in range(27):
        ArticleFactory(
            journal=JournalFactory(title=f"Journal {number}"),
            published_on=datetime.date(2000 + number, 1, 1),
        )

    with django_assert_num_queries(expected):
        response = staff_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 30


@pytest.mark.parametrize("term", ["implementation", "10.1186/TEST", "Smith", "Grace"])
def test_papers_are_found_by_title_doi_and_author_name_once_each(staff_client, term):
    article = ArticleFactory(title="Implementation support", doi="10.1186/test-1")
    # Two matching authors must not list the paper twice.
    AuthorFactory(article=article, position=3, given_name="Grace", family_name="Smith")
    AuthorFactory(article=article, position=4, given_name="Grace", family_name="Smithson")
    ArticleFactory(title="Something else", doi="10.1000/other", with_record=False)

    response = staff_client.get(CHANGELIST, {"q": term})

    assert list(response.context["cl"].result_list) == [article]


def test_year_filter_offers_the_years_present_and_filters_by_year(staff_client):
    old = ArticleFactory(published_on=datetime.date(2019, 12, 31))
    ArticleFactory(published_on=datetime.date(2021, 1, 1))
    ArticleFactory(published_on=datetime.date(2021, 6, 1))

    response = staff_client.get(CHANGELIST)
    (year_filter,) = [f for f in response.context["cl"].filter_specs if f.title == "year"]
    assert [value for value, _label in year_filter.lookup_choices] == ["2021", "2019"]

    response = staff_client.get(CHANGELIST, {"year": "2019"})
    assert list(response.context["cl"].result_list) == [old]


def test_year_filter_ignores_a_value_that_is_not_a_year(staff_client):
    ArticleFactory()

    response = staff_client.get(CHANGELIST, {"year": "twenty"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_journal_and_subject_filters(staff_client):
    subject = SubjectFactory(name="Knowledge mobilisation")
    tagged = ArticleFactory(journal=JournalFactory(title="Implementation Science"))
    tagged.subjects.add(subject)
    ArticleFactory()

    by_journal = staff_client.get(CHANGELIST, {"journal__id__exact": tagged.journal_id})
    by_subject = staff_client.get(CHANGELIST, {"subjects__id__exact": subject.pk})

    assert list(by_journal.context["cl"].result_list) == [tagged]
    assert list(by_subject.context["cl"].result_list) == [tagged]


@pytest.mark.parametrize(("field_name", "term"), [("journal", "bmc"), ("subjects", "mobil")])
def test_journal_and_subjects_are_chosen_by_autocomplete(staff_client, field_name, term):
    JournalFactory()
    SubjectFactory(name="Knowledge mobilisation")
    params = {"app_label": "articles", "model_name": "article", "field_name": field_name}

    response = staff_client.get(reverse("admin:autocomplete"), {**params, "term": term})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_journal_changelist_counts_papers(staff_client, django_assert_max_num_queries):
    journal = JournalFactory()
    ArticleFactory.create_batch(2, journal=journal)
    JournalFactory(title="Empty Journal")

    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:articles_journal_changelist"))

    counts = {j.title: j.paper_count for j in response.context["cl"].result_list}
    assert counts == {"BMC Health Services Research": 2, "Empty Journal": 0}


def test_subject_changelist_counts_papers(staff_client):
    subject = SubjectFactory(name="Evidence use")
    ArticleFactory().subjects.add(subject)

    response = staff_client.get(reverse("admin:articles_subject_changelist"), {"q": "evidence"})

    assert [s.paper_count for s in response.context["cl"].result_list] == [1]


def test_journal_issns_are_stored_normalised(staff_client):
    data = {
        "title": "Implementation Science",
        "publisher": "BMC",
        "issn_print": "",
        "issn_electronic": "17485908",
        "slug": "implementation-science",
    }

    response = staff_client.post(reverse("admin:articles_journal_add"), data)

    assert response.status_code == 302
    assert JournalFactory._meta.model.objects.get().issn_electronic == "1748-5908"
