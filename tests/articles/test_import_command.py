import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from articles.citations import record_from_article, to_bibtex, to_ris
from articles.models import Article
from tests.articles.conftest import ALBERS_DOI, DATA, SECOND_DOI


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_doaj_seed_record_is_imported(db):
    out, err = run(str(DATA / "doaj-record.txt"))

    article = Article.objects.get()
    assert article.slug == "albers-2020-implementation-support-practitioners"
    assert article.doi == ALBERS_DOI
    assert [a.affiliation_list for a in article.authors.all()] == [
        ["European Implementation Collaborative"],
        ["University of North Carolina at Chapel Hill"],
        ["Centre for Effective Services"],
    ]
    assert out.splitlines() == [
        "Created  albers-2020-implementation-support-practitioners  "
        "(DOAJ record 1 (Implementation support practitioners – a proposal for…))",
        "1 created, 0 updated, 0 skipped, 0 failed.",
    ]
    assert err == ""  # no terminal: no progress bar in the output


def test_running_again_skips_and_update_updates(db):
    path = str(DATA / "doaj-record.txt")
    run(path)

    out, _ = run(path)
    assert "0 created, 0 updated, 1 skipped, 0 failed." in out
    assert "A paper with this DOI is already on file" in out

    out, _ = run("--update", path)
    assert out.endswith("0 created, 1 updated, 0 skipped, 0 failed.\n")


def test_dois_are_looked_up(second_api, albers_api, db):
    out, _ = run(ALBERS_DOI, f"https://doi.org/{SECOND_DOI}")

    assert out.endswith("2 created, 0 updated, 0 skipped, 0 failed.\n")
    second = Article.objects.get(doi=SECOND_DOI)
    assert second.abstract_sections.count() == 4  # from DOAJ


def test_failures_are_listed_with_reasons_and_the_exit_status_is_1(api, db, tmp_path):
    api.crossref("10.5555/missing", 404, "Resource not found.")
    api.crossref("10.5555/down", 503, "Service unavailable")
    bib = tmp_path / "library.bib"
    bib.write_text(
        "@article{good, title = {Good}, year = {2020}}\n"
        "@article{notitle, year = {2020}}\n"
        "@weird{odd, title = {Odd}}\n",
        encoding="utf-8",
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"4 record\(s\) failed") as error:
        call_command("import_articles", str(bib), "10.5555/missing", "10.5555/down", stdout=out)

    assert error.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines == [
        "Created  2020-good  (BibTeX entry good (line 1))",
        "Failed   BibTeX entry notitle (line 2): The record has no title.",
        "Failed   BibTeX entry odd (line 3): Unknown entry type @weird; use @article or "
        "another standard type.",
        "Failed   10.5555/missing: Crossref has no record of this DOI.",
        "Failed   10.5555/down: Crossref could not be reached just now. Please try again in a "
        "minute.",
        "1 created, 0 updated, 0 skipped, 4 failed.",
    ]
    assert Article.objects.count() == 1


def test_an_argument_that_is_neither_file_nor_doi_is_refused(db):
    with pytest.raises(CommandError, match="neither a file nor a DOI") as error:
        run("no-such-file.bib")

    assert error.value.returncode == 2


def test_files_of_each_format_in_one_run(stored_papers, db, tmp_path):
    albers, second = (record_from_article(a) for a in stored_papers)
    Article.objects.all().delete()
    (tmp_path / "a.bib").write_text(to_bibtex(albers), encoding="utf-8")
    (tmp_path / "b.ris").write_text(to_ris(second), encoding="utf-8")
    shutil.copy(DATA / "doaj-search-albers.json", tmp_path / "c.json")

    out, _ = run(*(str(tmp_path / name) for name in ("a.bib", "b.ris", "c.json")))

    assert out.endswith("2 created, 0 updated, 1 skipped, 0 failed.\n")


def test_a_progress_bar_on_a_terminal(db, monkeypatch):
    err = io.StringIO()
    err.isatty = lambda: True
    monkeypatch.setattr("sys.stderr", err)

    call_command("import_articles", str(DATA / "doaj-record.txt"), stdout=io.StringIO())

    assert "1/1" in err.getvalue()
