"""
Routes for the recorded Unpaywall and Crossref answers of the open-copy and notice checks,
on the ``api`` fixture's transport (tests/articles/conftest.py).
"""

from urllib.parse import quote

PREPRINT_DOI = "10.5555/jc.preprint.2020.17"
RETRACTION_DOI = "10.5555/jc.2023.0101"
CORRECTION_DOI = "10.5555/jc.2021.0077"
CONCERN_DOI = "10.5555/jc.2022.0950"


def unpaywall(api, doi: str, status: int = 200, body=None, **kwargs) -> None:
    api.add(f"api.unpaywall.org/v2/{doi}?", status, body, **kwargs)


def crossref_updates(api, doi: str, status: int = 200, body=None, **kwargs) -> None:
    """The works that update ``doi`` (Crossref's ``filter=updates:<doi>``)."""
    api.add(
        f"api.crossref.org/works?filter=updates%3A{quote(doi, safe='')}&", status, body, **kwargs
    )


def crossref_work(api, doi: str, status: int = 200, body=None, **kwargs) -> None:
    api.add(f"api.crossref.org/works/{doi}?", status, body, **kwargs)
