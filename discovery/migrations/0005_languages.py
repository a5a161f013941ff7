"""
Search in English and French: each entry's text is indexed with its own
language's stemming, and a query is read both ways.

On every database: the entries' ``language`` column ("fr" for French, "en" for anything
else), filled from their paper (its free language code: "fr", "fr-CA", "fre", "fra" are
French), discussion or comment.

PostgreSQL only, outside the model state as in 0002: the ``unaccent`` extension and two
text search configurations, ``english_unaccent`` and ``french_unaccent``, copies of
PostgreSQL's ``english`` and ``french`` that drop accents before stemming (so that
"evaluation" finds "évaluation"); then the vectors of existing rows are computed again,
each with its language's configuration (the SQL of ``discovery.index.entry_vector`` as
of this migration). The GIN indexes of 0002 index the ``search_vector`` column itself,
not an expression naming a configuration, so they stay as they are and follow the
UPDATE. Going back computes the vectors with ``english`` again and drops the two
configurations; the extension stays, as pg_trgm does in 0002 (something else may use it).
"""

from django.db import migrations, models

TABLE = "discovery_searchentry"


def _french(column: str) -> str:
    """SQL: 'fr' when a language code says French, else 'en' (``search.content_language``)."""
    code = f"lower(trim(replace({column}, '_', '-')))"
    return (
        f"CASE WHEN {code} IN ('fr', 'fre', 'fra') OR substr({code}, 1, 3) = 'fr-' "
        "THEN 'fr' ELSE 'en' END"
    )


# Correlated subqueries rather than UPDATE ... FROM: SQLite runs them too.
LANGUAGES = [
    f"UPDATE {TABLE} SET language = (SELECT {_french('a.language')} FROM articles_article a "
    f"WHERE a.id = {TABLE}.article_id) WHERE kind = 'paper'",
    f"UPDATE {TABLE} SET language = (SELECT {_french('d.language')} "
    f"FROM discussions_discussion d WHERE d.id = {TABLE}.discussion_id) "
    "WHERE kind = 'commentary'",
    f"UPDATE {TABLE} SET language = (SELECT {_french('c.language')} "
    f"FROM discussions_comment c WHERE c.id = {TABLE}.comment_id) WHERE kind = 'comment'",
]

CONFIGURATIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{language}_unaccent') THEN
                CREATE TEXT SEARCH CONFIGURATION {language}_unaccent (COPY = {language});
                ALTER TEXT SEARCH CONFIGURATION {language}_unaccent
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {language}_stem;
            END IF;
        END $$
        """
        for language in ("english", "french")
    ),
]
NO_CONFIGURATIONS = [
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent",
]


def _vectors(config: str) -> str:
    vector = " || ".join(
        f"setweight(to_tsvector({config}, coalesce({column}, '')), '{weight}')"
        for column, weight in (("title", "A"), ("authors", "A"), ("keywords", "B"), ("body", "C"))
    )
    return f"UPDATE {TABLE} SET search_vector = {vector}"  # noqa: S608 - our own names


VECTORS = [
    _vectors(
        "CASE WHEN language = 'fr' THEN 'french_unaccent'::regconfig "
        "ELSE 'english_unaccent'::regconfig END"
    )
]
ENGLISH_VECTORS = [_vectors("'english'::regconfig")]


def run(statements, *, postgresql_only: bool):
    def operation(apps, schema_editor):
        if postgresql_only and schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("discovery", "0004_spelling_words"),
        ("discussions", "0010_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="language",
            field=models.CharField(blank=True, max_length=10, verbose_name="language"),
        ),
        migrations.RunPython(
            run(LANGUAGES, postgresql_only=False), migrations.RunPython.noop, elidable=False
        ),
        migrations.RunPython(
            run(CONFIGURATIONS, postgresql_only=True),
            run(NO_CONFIGURATIONS, postgresql_only=True),
            elidable=False,
        ),
        migrations.RunPython(
            run(VECTORS, postgresql_only=True),
            run(ENGLISH_VECTORS, postgresql_only=True),
            elidable=False,
        ),
    ]
