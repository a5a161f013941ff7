"""
The spelling list for the typo fallback: the words of papers' titles and author names,
filled here from the papers already in the search index.

PostgreSQL only, outside the model state as in 0002: a GIN trigram index on the list's
words (what a misspelled query word is matched against), and the trigram indexes on the
index's titles and author lists dropped, since searches no longer read them.
"""

import re

from django.db import migrations, models

FORWARD = [
    "CREATE INDEX IF NOT EXISTS discovery_spellingword_trgm ON discovery_spellingword "
    "USING gin (word gin_trgm_ops)",
    "DROP INDEX IF EXISTS discovery_search_authors_trgm",
    "DROP INDEX IF EXISTS discovery_search_title_trgm",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS discovery_search_title_trgm ON discovery_searchentry "
    "USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS discovery_search_authors_trgm ON discovery_searchentry "
    "USING gin (authors gin_trgm_ops)",
    "DROP INDEX IF EXISTS discovery_spellingword_trgm",
]

# discovery.search.spelling_words as of this migration.
WORD = re.compile(r"\w+")
LETTER = re.compile(r"[^\W\d_]")


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def fill(apps, schema_editor):
    SearchEntry = apps.get_model("discovery", "SearchEntry")
    SpellingWord = apps.get_model("discovery", "SpellingWord")
    words = set()
    papers = SearchEntry.objects.filter(kind="paper").values_list("title", "authors")
    for title, authors in papers.iterator(chunk_size=1000):
        for match in WORD.findall(f"{title} {authors}"):
            word = match.lower()
            if 3 <= len(word) <= 100 and LETTER.search(word):
                words.add(word)
    SpellingWord.objects.bulk_create(
        (SpellingWord(word=word) for word in sorted(words)), batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0003_postgres_search_speed"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpellingWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=100, unique=True, verbose_name="word")),
            ],
            options={
                "verbose_name": "spelling word",
                "verbose_name_plural": "spelling words",
            },
        ),
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
