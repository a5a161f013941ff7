"""
PostgreSQL only, for the speed of a search over a large archive (bench/search.py):

- partial indexes on the few rows a search must leave out, draft discussions and
  unlisted (deleted, hidden, pending) comments: the search excludes them with NOT EXISTS,
  which PostgreSQL answers by hashing these small indexes once per query instead of
  looking up the discussion and the comment of every match;
- the search vector kept in the table row (storage MAIN) rather than moved out to TOAST
  with the long texts: ranking reads the vector of every match, and fetching it from TOAST
  cost several page reads per paper. It applies to rows written from now on;
  ``manage.py rebuild_search_index`` rewrites them all.

Like 0002, this stays outside the model state, and other databases get nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS discovery_comment_unlisted ON discussions_comment (id) "
    "WHERE deleted_at IS NOT NULL OR NOT (status = 'published')",
    "CREATE INDEX IF NOT EXISTS discovery_discussion_draft ON discussions_discussion (id) "
    "WHERE status = 'draft'",
    "ALTER TABLE discovery_searchentry ALTER COLUMN search_vector SET STORAGE MAIN",
]
BACKWARD = [
    "ALTER TABLE discovery_searchentry ALTER COLUMN search_vector SET STORAGE EXTENDED",
    "DROP INDEX IF EXISTS discovery_discussion_draft",
    "DROP INDEX IF EXISTS discovery_comment_unlisted",
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
        ("discovery", "0002_postgres_search_indexes"),
        ("discussions", "0003_moderation"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
    ]
