"""
PostgreSQL only: GIN indexes on the search vector, one per kind of entry (partial
indexes: a search reads one kind at a time, and a comment search should not wade through
paper matches), and trigram indexes (pg_trgm) on paper titles and author names for
typo-tolerant matching. Other databases get nothing
here: they search with the plain fallback, and their schema must not see these indexes,
so the indexes live outside the model state (no Meta.indexes) and `makemigrations`
stays clean on every database.
"""

from django.db import migrations

TABLE = "discovery_searchentry"
KINDS = ("paper", "commentary", "comment")

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS discovery_search_vector_{kind}_gin ON {TABLE} "
        f"USING gin (search_vector) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
    f"CREATE INDEX IF NOT EXISTS discovery_search_title_trgm ON {TABLE} USING gin (title gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS discovery_search_authors_trgm ON {TABLE} USING gin (authors gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS discovery_search_authors_trgm",
    "DROP INDEX IF EXISTS discovery_search_title_trgm",
    *(f"DROP INDEX IF EXISTS discovery_search_vector_{kind}_gin" for kind in KINDS),
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("discovery", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
    ]
