import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.discovery import factories as make

SEARCH = "/search/"


def menus(client) -> tuple[str, bool]:
    """The search page's HTML, and whether it read the menus from the database."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SEARCH, {"q": "fidelity"})
    assert response.status_code == 200
    read = any("articles_subject" in query["sql"] for query in captured)
    return response.content.decode(), read


def test_the_filter_menus_are_read_once_then_cached(client, db):
    make.paper(subjects=("Nursing",))
    html, read = menus(client)
    assert read
    assert '<option value="nursing">Nursing</option>' in html
    assert '<option value="2020">2020</option>' in html
    html, read = menus(client)
    assert not read
    assert '<option value="nursing">Nursing</option>' in html


def test_the_cached_menus_follow_a_new_paper_once_it_is_saved(
    client, db, django_capture_on_commit_callbacks
):
    make.paper(subjects=("Nursing",))
    menus(client)
    with django_capture_on_commit_callbacks(execute=True):
        make.paper(
            "Midwives and fidelity",
            subjects=("Midwifery",),
            published_on=datetime.date(1999, 1, 1),
        )
    html, read = menus(client)
    assert read
    assert '<option value="midwifery">Midwifery</option>' in html
    assert '<option value="1999">1999</option>' in html


def test_a_paper_not_yet_committed_leaves_the_cached_menus_alone(
    client, db, django_capture_on_commit_callbacks
):
    make.paper(subjects=("Nursing",))
    menus(client)
    with django_capture_on_commit_callbacks(execute=False):
        make.paper("Midwives and fidelity", subjects=("Midwifery",))
        html, read = menus(client)
    assert not read
    assert "Midwifery" not in html
