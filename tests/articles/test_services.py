import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError

from articles import services
from articles.models import AbstractSection, Article, Author, Journal, Subject
from articles.records import ArticleRecord, AuthorRecord, ParsedEntry
from articles.sources import crossref, doaj
from tests.articles.conftest import ALBERS_DOI, data_json, data_text
from tests.factories import ArticleFactory, JournalFactory


def albers() -> ArticleRecord:
    return crossref.parse_work(data_json("crossref-albers.json")["message"])


def minimal(**fields) -> ArticleRecord:
    defaults = {
        "title": "A paper",
        "published_on": datetime.date(2021, 1, 1),
        "published_precision": "year",
    }
    return ArticleRecord(**(defaults | fields))


def test_create_writes_the_whole_record(db):
    article = services.article_create_from_record(record=albers())

    article.refresh_from_db()
    assert article.slug == "albers-2020-implementation-support-practitioners"
    assert article.doi == ALBERS_DOI
    assert (article.volume, article.issue, article.article_number) == ("20", "1", "368")
    assert article.published_on == datetime.date(2020, 5, 1)
    assert article.licence == "CC BY 4.0"
    assert article.is_open_access
    assert [(a.position, a.family_name, a.affiliations) for a in article.authors.all()] == [
        (1, "Albers", "European Implementation Collaborative"),
        (2, "Metz", "University of North Carolina at Chapel Hill"),
        (3, "Burke", "Centre for Effective Services"),
    ]
    assert [s.heading for s in article.abstract_sections.all()] == [
        "Background",
        "Main body",
        "Conclusion",
    ]
    assert [s.name for s in article.subjects.all()] == ["Health Policy"]
    journal = article.journal
    assert (journal.title, journal.issn_electronic, journal.slug) == (
        "BMC Health Services Research",
        "1472-6963",
        "bmc-health-services-research",
    )


def test_the_journal_is_found_by_issn_before_title_and_completed(db):
    journal = JournalFactory(title="BMC Health Serv Res", publisher="", issn_electronic="1472-6963")

    article = services.article_create_from_record(record=albers())

    assert article.journal == journal
    journal.refresh_from_db()
    assert journal.title == "BMC Health Serv Res"  # a curator's title is kept
    assert journal.publisher == "Springer Science and Business Media LLC"  # a blank is filled


def test_the_journal_is_found_by_title_regardless_of_case(db):
    journal = JournalFactory(title="bmc health services research", issn_electronic="")

    article = services.article_create_from_record(record=albers())

    assert article.journal == journal
    assert Journal.objects.count() == 1


def test_subjects_are_shared_between_papers_regardless_of_case(db):
    services.article_create_from_record(record=minimal(subjects=["Program logic"]))
    services.article_create_from_record(record=minimal(title="B", subjects=["program LOGIC"]))

    assert Subject.objects.count() == 1


def test_slugs_are_unique_and_fall_back_when_there_is_little_to_go_on(db):
    first = services.article_create_from_record(record=albers())
    second = services.article_create_from_record(record=dataclasses.replace(albers(), doi=""))
    bare = services.article_create_from_record(record=minimal(title="The Of A"))

    assert second.slug == f"{first.slug}-2"
    assert bare.slug == "2021"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (minimal(title=""), "The record has no title."),
        (ArticleRecord(title="No date"), "The record has no publication date."),
        (minimal(doi="10.1186"), "is not a DOI"),
        (minimal(issn_print="1472-6964"), "is not a valid ISSN"),
        (minimal(authors=[AuthorRecord("Smith", orcid="0000-0002-1825-0098")]), "Author 1 (Smith)"),
        (minimal(title="x" * 501), "Title: Ensure this value has at most 500 characters"),
        (minimal(abstract_sections=[("Background", " ")]), "Abstract section 1"),
    ],
)
def test_a_bad_record_raises_and_saves_nothing(db, record, message):
    with pytest.raises(ValidationError) as error:
        services.article_create_from_record(record=record)

    assert message in services.describe(error.value)
    for model in (Article, Author, AbstractSection, Journal, Subject):
        assert not model.objects.exists()


def test_a_doi_already_on_file_is_refused(db):
    ArticleFactory(doi=ALBERS_DOI)

    with pytest.raises(ValidationError, match="A paper with this DOI already exists"):
        services.article_create_from_record(record=albers())


def test_update_replaces_what_the_record_gives_and_keeps_what_it_lacks(db):
    article = services.article_create_from_record(record=albers())
    (entry,) = doaj.parse_catalogue_text(data_text("doaj-record.txt"))
    entry.record.title = "Implementation support practitioners (corrected)"

    services.article_update_from_record(article=article, record=entry.record)

    article.refresh_from_db()
    assert article.slug == "albers-2020-implementation-support-practitioners"  # unchanged
    assert article.title == "Implementation support practitioners (corrected)"
    # The catalogue text has no volume, article number or licence: those are kept.
    assert (article.volume, article.article_number, article.licence) == ("20", "368", "CC BY 4.0")
    assert [s.name for s in article.subjects.all()] == [
        "Implementation support",
        "Implementation support practitioner",
        "Program logic",
    ]
    assert article.authors.count() == 3


def test_a_failed_update_leaves_the_paper_as_it_was(db):
    article = services.article_create_from_record(record=albers())

    with pytest.raises(ValidationError):
        services.article_update_from_record(
            article=article,
            record=dataclasses.replace(albers(), title="New", authors=[AuthorRecord("")]),
        )

    article.refresh_from_db()
    assert article.title.startswith("Implementation support practitioners")
    assert article.authors.count() == 3


def test_import_goes_on_past_a_bad_record_and_reports_each(db):
    records = [
        ParsedEntry(label="entry 1", error="Broken BibTeX syntax."),
        minimal(title="Good one", label="entry 2"),
        minimal(title="", label="entry 3"),
        minimal(title="Good two", label="entry 4", doi="10.5555/two"),
    ]

    summary = services.article_import(records=records)

    assert [(o.label, o.status) for o in summary.outcomes] == [
        ("entry 1", "failed"),
        ("entry 2", "created"),
        ("entry 3", "failed"),
        ("entry 4", "created"),
    ]
    assert summary.failed[0].reason == "Broken BibTeX syntax."
    assert summary.failed[1].reason == "The record has no title."
    assert Article.objects.count() == 2


def test_import_skips_duplicates_unless_asked_to_update_them(db):
    existing = ArticleFactory(doi=ALBERS_DOI, title="Old title")
    other = ArticleFactory(doi="10.5555/two", title="Other old title")
    batch = [albers(), minimal(title="New title two", doi="10.5555/two")]

    skipped = services.article_import(records=batch)
    chosen = services.article_import(records=batch, update_dois={"10.5555/two"})

    assert [o.status for o in skipped.outcomes] == ["skipped", "skipped"]
    assert "already on file: “Old title”" in skipped.skipped[0].reason
    assert [o.status for o in chosen.outcomes] == ["skipped", "updated"]
    other.refresh_from_db()
    assert other.title == "New title two"
    everything = services.article_import(records=batch, update_existing=True)
    assert [o.status for o in everything.outcomes] == ["updated", "updated"]
    existing.refresh_from_db()
    assert existing.title.startswith("Implementation support practitioners")


def test_a_doi_twice_in_one_batch_is_created_once(db):
    summary = services.article_import(records=[albers(), albers()])

    assert [o.status for o in summary.outcomes] == ["created", "skipped"]


def test_preview_flags_problems_duplicates_and_repeats_in_one_query(db, django_assert_num_queries):
    ArticleFactory(doi=ALBERS_DOI)
    entries = [
        ParsedEntry(label="1", record=albers()),
        ParsedEntry(label="2", error="Broken."),
        ParsedEntry(label="3", record=minimal(doi="10.5555/new")),
        ParsedEntry(label="4", record=minimal(doi="10.5555/new")),
        ParsedEntry(label="5", record=minimal(title="")),
    ]

    with django_assert_num_queries(1):
        rows = services.article_import_preview(entries=entries)

    assert [(bool(r.duplicate), r.repeated, r.problems, r.importable) for r in rows] == [
        (True, False, [], True),
        (False, False, ["Broken."], False),
        (False, False, [], True),
        (False, True, [], False),
        (False, False, ["The record has no title."], False),
    ]
