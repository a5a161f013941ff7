import pytest
from django.db import connection


@pytest.fixture
def postgres_only(db):
    """Skip unless the suite runs on PostgreSQL (decided when the test runs, not at import)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: full-text search, trigrams and GIN indexes")


@pytest.fixture
def sqlite_only(db):
    if connection.vendor == "postgresql":
        pytest.skip("the fallback search of databases other than PostgreSQL")
