"""
Fixtures for the papers' tests: recorded API answers and an HTTP layer that never reaches
the network.

Every test here runs with a mock transport installed in ``articles.sources.http``; a
request nobody recorded fails the test instead of going out. ``api`` is that transport:
register answers with ``api.add(url_part, status, body)`` and read ``api.requests``.
"""

import json
from pathlib import Path

import httpx
import pytest

DATA = Path(__file__).parent / "data"

ALBERS_DOI = "10.1186/s12913-020-05145-1"
SECOND_DOI = "10.5555/jc.2021.0042"


def data_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def data_json(name: str):
    return json.loads(data_text(name))


class RecordedApi:
    """A MockTransport answering from registered (URL fragment → response) pairs."""

    def __init__(self):
        self.routes: list[tuple[str, object]] = []
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)

    def add(self, url_part: str, status: int = 200, body=None, *, raises=None):
        """Answer requests whose URL contains ``url_part`` (first match wins)."""
        self.routes.insert(0, (url_part, (status, body, raises)))

    def crossref(self, doi: str, status: int = 200, body=None, **kwargs):
        self.add(f"api.crossref.org/works/{doi}", status, body, **kwargs)

    def doaj(self, doi: str, status: int = 200, body=None, **kwargs):
        self.add(
            f"doaj.org/api/search/articles/doi%3A%22{doi.replace('/', '%2F')}",
            status,
            body,
            **kwargs,
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        for part, (status, body, raises) in self.routes:
            if part in url:
                if raises:
                    raise raises
                if isinstance(body, (dict, list)):
                    return httpx.Response(status, json=body)
                return httpx.Response(status, text=body or "")
        pytest.fail(f"Unexpected request to {url}: tests never reach the network")


@pytest.fixture(autouse=True)
def _offline(api):
    """Every test of the papers' app answered by ``api`` (tests/conftest.py)."""


@pytest.fixture
def albers_api(api):
    """Crossref knows Albers et al. (2020), with its structured abstract."""
    api.crossref(ALBERS_DOI, body=data_json("crossref-albers.json"))
    return api


@pytest.fixture
def second_api(api):
    """Crossref has the second paper without abstract; DOAJ has its abstract."""
    api.crossref(SECOND_DOI, body=data_json("crossref-no-abstract.json"))
    api.doaj(SECOND_DOI, body=data_json("doaj-search-no-abstract.json"))
    return api


@pytest.fixture
def stored_papers(db):
    """Both recorded papers saved through the service (the second with DOAJ's abstract)."""
    from articles import services
    from articles.sources import crossref, doaj

    albers = crossref.parse_work(data_json("crossref-albers.json")["message"])
    second = crossref.parse_work(data_json("crossref-no-abstract.json")["message"])
    second.abstract_sections = doaj.parse_article(
        data_json("doaj-search-no-abstract.json")["results"][0]
    ).abstract_sections
    second.subjects = ["Knowledge brokering", "Realist evaluation"]
    return [
        services.article_create_from_record(record=albers),
        services.article_create_from_record(record=second),
    ]
