import io
import re

import httpx
import pytest
from django.contrib.auth.models import Permission
from django.core import signing
from django.urls import reverse

from articles.forms import PAYLOAD_SALT
from articles.models import Article, Author
from tests.articles.conftest import ALBERS_DOI, SECOND_DOI, data_json, data_text
from tests.factories import ArticleFactory, UserFactory

ADD_BY_DOI = reverse("admin:articles_article_add_by_doi")
IMPORT = reverse("admin:articles_article_import")
CHANGELIST = reverse("admin:articles_article_changelist")


def review_data(response) -> dict:
    """What the review page's form would post back unchanged, plus the confirm button."""
    context = response.context
    data = {"confirm": "1"}
    for form in (context["form"], *context["authors"], *context["sections"]):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    for formset in (context["authors"], context["sections"]):
        for field in formset.management_form:
            data[field.html_name] = field.value()
    return data


# --- Add by DOI ---------------------------------------------------------------------------


def test_the_changelist_links_both_import_pages(staff_client):
    content = staff_client.get(CHANGELIST).content.decode()

    assert f'href="{ADD_BY_DOI}"' in content
    assert f'href="{IMPORT}"' in content


def test_a_doi_is_looked_up_reviewed_and_saved_only_on_confirm(staff_client, albers_api):
    response = staff_client.post(ADD_BY_DOI, {"doi": f"https://doi.org/{ALBERS_DOI.upper()}"})

    assert response.status_code == 200
    assert not Article.objects.exists()
    form = response.context["form"]
    assert form.initial["title"].startswith("Implementation support practitioners")
    assert form.initial["article_number"] == "368"
    assert [f.initial["family"] for f in response.context["authors"].initial_forms] == [
        "Albers",
        "Metz",
        "Burke",
    ]
    assert [f.initial["heading"] for f in response.context["sections"].initial_forms] == [
        "Background",
        "Main body",
        "Conclusion",
    ]
    content = response.content.decode()
    assert "European Implementation Collaborative" in content

    response = staff_client.post(ADD_BY_DOI, review_data(response))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_change", args=[article.pk])
    assert article.slug == "albers-2020-implementation-support-practitioners"
    assert [a.family_name for a in article.authors.all()] == ["Albers", "Metz", "Burke"]
    assert article.abstract_sections.count() == 3
    assert article.journal.issn_electronic == "1472-6963"


def test_the_curator_can_correct_reorder_and_drop_before_saving(staff_client, albers_api):
    response = staff_client.post(ADD_BY_DOI, {"doi": ALBERS_DOI})
    data = review_data(response)
    data |= {
        "title": "Implementation support practitioners",
        "authors-0-ORDER": "3",  # Albers last
        "authors-2-DELETE": "on",  # Burke dropped
        "authors-1-orcid": "https://orcid.org/0000-0002-1825-0097",
        "authors-3-family": "Newcomer",  # the empty extra row
        "authors-3-ORDER": "2",
    }

    staff_client.post(ADD_BY_DOI, data)

    article = Article.objects.get()
    assert article.title == "Implementation support practitioners"
    assert [(a.family_name, a.orcid) for a in article.authors.all()] == [
        ("Metz", "0000-0002-1825-0097"),
        ("Newcomer", ""),
        ("Albers", ""),
    ]


def test_the_review_shows_where_the_abstract_came_from(staff_client, second_api):
    response = staff_client.post(ADD_BY_DOI, {"doi": SECOND_DOI})

    assert "The abstract comes from DOAJ (Crossref has none)." in response.content.decode()
    assert len(response.context["sections"].initial_forms) == 4


def test_a_doi_crossref_does_not_know_is_explained_on_the_doi_field(staff_client, api):
    api.crossref(ALBERS_DOI, 404, "Resource not found.")

    response = staff_client.post(ADD_BY_DOI, {"doi": ALBERS_DOI})

    assert response.status_code == 200
    assert "Crossref has no record of this DOI." in response.context["form"].errors["doi"][0]
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("status", "body", "raises", "message"),
    [
        (200, None, httpx.ConnectError("Name or service not known"), "could not be reached"),
        (200, None, httpx.ReadTimeout("timed out"), "could not be reached"),
        (503, "Service unavailable", None, "could not be reached"),
        (500, "Oops", None, "could not be reached"),
        (200, "<html>", None, "sent an answer that could not be read"),
    ],
)
def test_when_crossref_fails_the_doi_is_kept_and_the_other_ways_in_are_offered(
    staff_client, api, status, body, raises, message
):
    api.crossref(ALBERS_DOI, status, body, raises=raises)
    typed = f"https://doi.org/{ALBERS_DOI}"

    response = staff_client.post(ADD_BY_DOI, {"doi": typed})

    assert response.status_code == 200
    assert not Article.objects.exists()
    assert not response.context["form"].errors  # nothing is wrong with the DOI
    content = response.content.decode()
    assert f"Crossref {message}" in content
    assert "Please correct the error below." not in content
    assert f'value="{typed}"' in content
    assert f'href="{IMPORT}"' in content
    add_by_hand = reverse("admin:articles_article_add") + "?doi=10.1186/s12913-020-05145-1"
    assert f'href="{add_by_hand}"' in content


def test_the_paper_form_linked_after_a_failed_lookup_starts_with_the_doi(staff_client):
    response = staff_client.get(reverse("admin:articles_article_add"), {"doi": ALBERS_DOI})

    assert response.context["adminform"].form["doi"].value() == ALBERS_DOI


def test_a_malformed_doi_is_refused_without_asking_anyone(staff_client, api):
    response = staff_client.post(ADD_BY_DOI, {"doi": "10.1186"})

    assert "is not a DOI" in response.context["form"].errors["doi"][0]
    assert api.requests == []


def test_a_doi_already_on_file_links_to_the_paper(staff_client, api):
    article = ArticleFactory(doi=ALBERS_DOI)

    response = staff_client.post(ADD_BY_DOI, {"doi": ALBERS_DOI})

    error = response.context["form"].errors["doi"][0]
    assert "already on file" in error
    assert reverse("admin:articles_article_change", args=[article.pk]) in error
    assert api.requests == []


def test_a_record_without_title_cannot_be_saved(staff_client, api):
    body = data_json("crossref-albers.json")
    body["message"]["title"] = []
    api.crossref(ALBERS_DOI, body=body)
    response = staff_client.post(ADD_BY_DOI, {"doi": ALBERS_DOI})

    response = staff_client.post(ADD_BY_DOI, review_data(response))

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Article.objects.exists()


def test_a_save_that_fails_validation_saves_nothing_and_says_why(staff_client, albers_api):
    response = staff_client.post(ADD_BY_DOI, {"doi": ALBERS_DOI})
    data = review_data(response) | {"issn_electronic": "1472-6964"}

    response = staff_client.post(ADD_BY_DOI, data)

    assert response.status_code == 200
    assert "is not a valid ISSN" in str(response.context["form"].non_field_errors())
    assert not Article.objects.exists()
    assert not Author.objects.exists()


def test_only_curators_who_may_add_papers_reach_the_pages(client, db):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(editor)

    assert client.get(ADD_BY_DOI).status_code == 403
    assert client.get(IMPORT).status_code == 403
    client.logout()
    assert client.get(IMPORT).status_code == 302  # to the admin login


# --- Import records -------------------------------------------------------------------------

BIBTEX = r"""
@article{muller2021,
  author = {M{\"u}ller, J{\"o}rg and Smith, Anna},
  title = {{\"U}ber implementation support},
  journal = {Implementation Science},
  year = {2021},
  doi = {10.5555/muller}
}
@article{broken,
  title = {Unclosed
@weird{odd, title = {Odd}, year = {2020}}
@article{albers2020,
  author = {Albers, Bianca},
  title = {Implementation support practitioners, as BibTeX has it},
  journal = {BMC Health Services Research},
  year = {2020},
  doi = {10.1186/s12913-020-05145-1}
}
"""


def preview(client, **data):
    response = client.post(IMPORT, {"fmt": "auto", **data})
    assert response.status_code == 200
    return response


def test_pasted_records_are_previewed_with_errors_and_duplicates(staff_client):
    ArticleFactory(doi=ALBERS_DOI, title="On file already")

    response = preview(staff_client, text=BIBTEX)

    rows = response.context["rows"]
    assert [(row.label, bool(row.problems), bool(row.duplicate)) for row in rows] == [
        ("BibTeX entry muller2021 (line 2)", False, False),
        ("BibTeX entry broken (line 9)", True, False),
        ("BibTeX entry odd (line 11)", True, False),
        ("BibTeX entry albers2020 (line 12)", False, True),
    ]
    content = response.content.decode()
    assert "Über implementation support" in content
    assert "Broken BibTeX syntax" in content
    assert "Unknown entry type @weird" in content
    assert 'name="update" value="10.1186/s12913-020-05145-1"' in content
    assert not Article.objects.filter(doi="10.5555/muller").exists()  # nothing saved yet


def test_confirming_imports_the_good_records_and_skips_unticked_duplicates(staff_client):
    ArticleFactory(doi=ALBERS_DOI, title="On file already")
    payload = preview(staff_client, text=BIBTEX).context["confirm"]["payload"].value()

    response = staff_client.post(IMPORT, {"confirm": "1", "payload": payload})

    summary = response.context["summary"]
    assert [o.status for o in summary.outcomes] == ["created", "failed", "failed", "skipped"]
    created = Article.objects.get(doi="10.5555/muller")
    assert created.title == "Über implementation support"
    assert [a.family_name for a in created.authors.all()] == ["Müller", "Smith"]
    assert Article.objects.get(doi=ALBERS_DOI).title == "On file already"
    assert "Created 1, updated 0, skipped 1, failed 2." in response.content.decode()


def test_a_ticked_duplicate_is_updated(staff_client):
    ArticleFactory(doi=ALBERS_DOI, title="On file already")
    payload = preview(staff_client, text=BIBTEX).context["confirm"]["payload"].value()

    staff_client.post(IMPORT, {"confirm": "1", "payload": payload, "update": [ALBERS_DOI]})

    assert Article.objects.get(doi=ALBERS_DOI).title == (
        "Implementation support practitioners, as BibTeX has it"
    )


def test_without_change_permission_duplicates_cannot_be_updated(client, db):
    adder = UserFactory(is_staff=True)
    adder.user_permissions.add(Permission.objects.get(codename="add_article"))
    client.force_login(adder)
    ArticleFactory(doi=ALBERS_DOI, title="On file already")
    response = preview(client, text=BIBTEX)
    assert 'name="update"' not in response.content.decode()

    client.post(
        IMPORT,
        {
            "confirm": "1",
            "payload": response.context["confirm"]["payload"].value(),
            "update": [ALBERS_DOI],
        },
    )

    assert Article.objects.get(doi=ALBERS_DOI).title == "On file already"


def test_an_altered_payload_imports_nothing(staff_client):
    forged = signing.dumps({"text": BIBTEX, "fmt": "auto", "filename": ""}, salt="other")
    payload = preview(staff_client, text=BIBTEX).context["confirm"]["payload"].value()

    for bad in (forged, payload[:-3] + "abc"):
        response = staff_client.post(IMPORT, {"confirm": "1", "payload": bad}, follow=True)
        assert "This preview has expired or was altered" in response.content.decode()
    assert not Article.objects.exists()


def test_an_uploaded_doaj_record_is_imported(staff_client):
    upload = io.BytesIO(data_text("doaj-record.txt").encode())
    upload.name = "record.txt"
    response = preview(staff_client, file=upload)
    assert response.context["rows"][0].record.doi == ALBERS_DOI

    staff_client.post(
        IMPORT, {"confirm": "1", "payload": response.context["confirm"]["payload"].value()}
    )

    article = Article.objects.get()
    assert article.slug == "albers-2020-implementation-support-practitioners"


def test_a_cp1252_ris_file_is_read(staff_client):
    upload = io.BytesIO("TY  - JOUR\nTI  - Caf\xe9 culture\nPY  - 2020\nER  - \n".encode("cp1252"))
    upload.name = "endnote.ris"

    response = preview(staff_client, file=upload)

    assert response.context["rows"][0].record.title == "Café culture"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Paste records or upload a file (one of the two)."),
        ({"text": "   "}, "Paste records or upload a file (one of the two)."),
    ],
)
def test_the_import_form_wants_one_input(staff_client, data, message):
    response = staff_client.post(IMPORT, {"fmt": "auto", **data})

    assert message in response.context["form"].non_field_errors()


def test_more_than_five_megabytes_is_refused_with_a_pointer_to_the_command(staff_client):
    upload = io.BytesIO(b"@misc{a, title={x}}\n" * 270_000)
    upload.name = "huge.bib"

    response = staff_client.post(IMPORT, {"fmt": "auto", "file": upload})

    (error,) = response.context["form"].non_field_errors()
    assert re.match(r"This is 5\.\d\sMB; the limit here is 5\.0\sMB", error)
    assert "manage.py import_articles" in error


def test_the_import_pages_render(staff_client):
    response = staff_client.get(IMPORT)

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert staff_client.get(ADD_BY_DOI).status_code == 200


def test_the_payload_is_signed_with_its_own_salt(staff_client):
    payload = preview(staff_client, text=BIBTEX).context["confirm"]["payload"].value()

    assert signing.loads(payload, salt=PAYLOAD_SALT)["text"] == BIBTEX


def test_five_megabytes_are_previewed_with_the_broken_entry_named(staff_client):
    entry = (
        "@article{{k{n},\n  title = {{Implementation support, study {n}}},\n"
        '  author = {{M{{\\"u}}ller, J{{\\"o}}rg}},\n  year = {{2020}},\n'
        "  doi = {{10.5555/big.{n}}},\n  abstract = {{{abstract}}}\n}}\n"
    )
    abstract = "Background: " + "Why it matters. " * 35 + "Methods: " + "What was done. " * 60
    entries = [entry.format(n=n, abstract=abstract) for n in range(3000)]
    entries[1234] = "@article{broken,\n  title = {Unclosed\n"
    text = "".join(entries)
    assert 4.5 * 1024 * 1024 < len(text.encode()) < 5 * 1024 * 1024
    upload = io.BytesIO(text.encode())
    upload.name = "big.bib"

    response = preview(staff_client, file=upload)

    rows = response.context["rows"]
    assert len(rows) == 3000
    assert [row.label for row in rows if row.problems] == ["BibTeX entry broken (line 8639)"]
    assert rows[0].record.authors[0].family == "Müller"
    assert response.context["importable"] == 2999
