"""
Search over 10,000 papers and 100,000 comments on PostgreSQL, against an ILIKE scan.

It builds the archive fast (bulk inserts in batches; the search index written by
``discovery.index.rebuild``: rows streamed with COPY, then written with their vectors in
one INSERT). A third of it is in French (``--french``): papers with language "fr" and
French titles and abstracts, their discussions' commentaries, comments marked "fr"; and
every fourth discussion has its commentary translated into the other language. Then it
measures, in the same run, for a set of realistic queries (phrases, exclusions, OR, an
author, typos, a DOI, and French ones with and without accents, plural and singular):

- view: the search results page through Django's test client (routing, middleware, every
  query, the template), as an anonymous reader; the median over repeated requests;
- fts: the core full-text query alone (count the matches, fetch the best 20 by rank);
- ilike: the same count and 20 rows with ``ILIKE '%word%'`` on every word over the same
  text, the plain scan a search without an index does;

and prints the medians, the ratios, and whether PostgreSQL's plan for the search uses the
GIN index (a Bitmap Index Scan on ``discovery_search_vector_comment_gin``), with an excerpt,
and whether the typo fallback's look-up of misspelled words uses the spelling list's
trigram index (``discovery_spellingword_trgm``).

Usage (from the project root, PostgreSQL running):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/search.py

It works in a throwaway database (test_bench_search, created and dropped here), never in
yours. Options: --papers, --comments, --french, --repeat.
"""

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone
from django.utils.html import escape

# Words of the field, most frequent first; the rest of the vocabulary is made-up words
# drawn with a Zipf distribution, so that some query words are common and some rare.
FIELD_WORDS = [
    "implementation",
    "practice",
    "evidence",
    "research",
    "health",
    "care",
    "support",
    "knowledge",
    "intervention",
    "study",
    "programme",
    "services",
    "outcomes",
    "community",
    "practitioners",
    "organisations",
    "policy",
    "fidelity",
    "training",
    "capacity",
    "quality",
    "primary",
    "stakeholder",
    "engagement",
    "facilitation",
    "broker",
    "brokers",
    "sustainability",
    "adaptation",
    "evaluation",
    "framework",
    "strategies",
    "barriers",
    "facilitators",
    "context",
    "workforce",
    "leadership",
    "trial",
    "randomised",
    "controlled",
    "review",
    "systematic",
    "mixed",
    "methods",
    "qualitative",
    "interviews",
    "nurses",
    "physicians",
    "clinics",
    "hospital",
    "patients",
    "families",
    "children",
    "mental",
    "youth",
    "social",
    "welfare",
    "education",
    "schools",
    "coaching",
    "consultation",
    "readiness",
    "culture",
    "climate",
    "scale-up",
    "spread",
    "uptake",
    "adoption",
    "acceptability",
    "feasibility",
    "cost",
    "effectiveness",
    "de-implementation",
    "low-value",
    "guideline",
    "guidelines",
    "decision",
    "making",
    "partnership",
    "co-design",
    "collaboration",
    "network",
    "networks",
    "communities",
    "equity",
    "rural",
    "indigenous",
    "low-income",
    "countries",
    "measurement",
    "instruments",
    "survey",
    "data",
    "learning",
    "improvement",
    "audit",
    "feedback",
    "reminders",
    "champions",
    "workers",
    "relational",
    "technical",
    "competencies",
    "roles",
    "functions",
    "tasks",
    "skills",
]
# The same field in French, with the stop words that fill French text.
FRENCH_WORDS = [
    "de",
    "la",
    "des",
    "les",
    "et",
    "le",
    "en",
    "du",
    "pour",
    "dans",
    "une",
    "sur",
    "par",
    "avec",
    "mise",
    "œuvre",
    "pratique",
    "pratiques",
    "données",
    "santé",
    "connaissances",
    "connaissance",
    "recherche",
    "soutien",
    "intervention",
    "interventions",
    "étude",
    "programme",
    "programmes",
    "services",
    "résultats",
    "communauté",
    "praticiens",
    "organisations",
    "politiques",
    "fidélité",
    "formation",
    "capacité",
    "qualité",
    "soins",
    "primaires",
    "parties",
    "prenantes",
    "engagement",
    "facilitation",
    "courtier",
    "courtiers",
    "pérennité",
    "adaptation",
    "évaluation",
    "évaluations",
    "cadre",
    "stratégies",
    "obstacles",
    "facilitateurs",
    "contexte",
    "leadership",
    "essai",
    "randomisé",
    "contrôlé",
    "revue",
    "systématique",
    "méthodes",
    "mixtes",
    "qualitative",
    "entretiens",
    "infirmières",
    "infirmière",
    "médecins",
    "cliniques",
    "hôpital",
    "patients",
    "familles",
    "enfants",
    "jeunes",
    "sociale",
    "éducation",
    "écoles",
    "accompagnement",
    "réseau",
    "réseaux",
    "équité",
    "rurales",
    "autochtones",
    "mesure",
    "instruments",
    "enquête",
    "apprentissage",
    "amélioration",
    "rétroaction",
    "rappels",
    "agents",
    "compétences",
    "rôles",
    "fonctions",
    "tâches",
]
GIVEN_NAMES = [
    "Bianca",
    "Allison",
    "Melissa",
    "Ada",
    "Grace",
    "Alan",
    "Priya",
    "Kwame",
    "Mei",
    "Sofia",
    "Lars",
    "Amara",
]
FAMILY_NAMES = [
    "Albers",
    "Metz",
    "Burke",
    "Aarons",
    "Damschroder",
    "Powell",
    "Proctor",
    "Fixsen",
    "Glasgow",
    "Greenhalgh",
    "Kitson",
    "Rycroft-Malone",
    "Harvey",
    "Nilsen",
    "Brownson",
    "Chambers",
    "Wensing",
    "Grol",
    "Eccles",
    "Michie",
]
QUERIES = [
    "implementation fidelity",
    "knowledge broker",
    '"community health workers"',
    "stakeholder engagement -policy",
    "sustainability OR scale-up",
    "randomised controlled trial",
    "de-implementation low-value care",
    "capacity building in primary care",
    "coaching consultation readiness",
    "Albers",
    "Albrs",
    "implemntation facilitaton",
    "what works for whom",
    "DOI",  # replaced by a paper's DOI
]
# French: accents or none, plural or singular, French stop words, an exclusion, and a word
# whose stem both languages share ("fidélité" and "fidelity").
FRENCH_QUERIES = [
    "évaluation des programmes",
    "evaluation des programmes",
    "connaissances des infirmières",
    "connaissance infirmiere",
    "mise en œuvre -politiques",
    "fidélité",
]
QUERIES += FRENCH_QUERIES


def vocabulary(rng: random.Random, field_words: list[str], size: int = 6000) -> list[str]:
    syllables = [
        "ba",
        "ce",
        "di",
        "fo",
        "gu",
        "ka",
        "le",
        "mi",
        "no",
        "pu",
        "ra",
        "se",
        "ti",
        "vo",
        "zu",
        "an",
        "el",
        "in",
        "or",
        "um",
    ]
    made = set()
    while len(made) < size - len(field_words):
        made.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return field_words + sorted(made)


class Words:
    """Draws words with Zipf-like frequencies (the k-th word about 1/k as often)."""

    def __init__(self, rng: random.Random, field_words: list[str] = FIELD_WORDS):
        self.rng = rng
        self.words = vocabulary(rng, field_words)
        self.weights = [1 / (rank + 10) ** 1.05 for rank in range(len(self.words))]
        self.cumulative = []
        total = 0.0
        for weight in self.weights:
            total += weight
            self.cumulative.append(total)

    def take(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, count: int) -> str:
        words = self.take(count)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."


def build(papers: int, comments: int, french: float, seed: int = 7) -> dict:
    """
    The archive: papers with authors, abstracts and subjects; discussions; comments. A
    ``french`` share of papers and comments is in French, and so are the discussions of
    French papers; every fourth discussion is translated into the other language.
    """
    from accounts.models import User
    from articles.models import AbstractSection, Article, Author, Journal, Subject
    from clubs.models import Club
    from discussions.models import Comment, Discussion, DiscussionTranslation, Question

    rng = random.Random(seed)
    english = Words(rng)
    words = {"en": english, "fr": Words(rng, FRENCH_WORDS)}
    headings = {
        "en": ("Background", "Methods", "Results"),
        "fr": ("Contexte", "Méthodes", "Résultats"),
    }

    def language() -> str:
        return "fr" if rng.random() < french else "en"

    batch = 5000
    journals = Journal.objects.bulk_create(
        Journal(title=f"Journal of {' '.join(english.take(2)).title()} {n}", slug=f"journal-{n}")
        for n in range(60)
    )
    subjects = Subject.objects.bulk_create(
        Subject(name=f"{' '.join(english.take(2)).title()} {n}", slug=f"subject-{n}")
        for n in range(300)
    )
    languages = [language() for _ in range(papers)]
    articles = Article.objects.bulk_create(
        (
            Article(
                title=words[languages[n]].sentence(rng.randint(7, 14)).rstrip("."),
                slug=f"paper-{n}",
                doi=f"10.5555/bench.{n}",
                journal=rng.choice(journals),
                published_on=datetime.date(rng.randint(1995, 2025), rng.randint(1, 12), 1),
                language=languages[n],
            )
            for n in range(papers)
        ),
        batch_size=batch,
    )
    Author.objects.bulk_create(
        (
            Author(
                article=article,
                position=position,
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES)
                if rng.random() < 0.3
                else english.take(1)[0].capitalize(),
            )
            for article in articles
            for position in range(1, rng.randint(1, 6) + 1)
        ),
        batch_size=batch,
    )
    AbstractSection.objects.bulk_create(
        (
            AbstractSection(
                article=article,
                position=position,
                heading=heading,
                body=words[article.language].sentence(60),
            )
            for article in articles
            for position, heading in enumerate(headings[article.language], start=1)
        ),
        batch_size=batch,
    )
    Article.subjects.through.objects.bulk_create(
        (
            Article.subjects.through(article_id=article.pk, subject_id=subject.pk)
            for article in articles
            for subject in rng.sample(subjects, rng.randint(1, 4))
        ),
        batch_size=batch,
    )
    members = User.objects.bulk_create(
        User(
            username=f"bench{n}",
            display_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
            email=f"bench{n}@example.org",
            password="!",
        )
        for n in range(400)
    )
    now = timezone.now()
    club = Club.objects.create(name="Bench club", slug="bench-club")

    def commentary(language: str) -> str:
        return " ".join(words[language].sentence(25) for _ in range(4))

    discussions = Discussion.objects.bulk_create(
        Discussion(
            club=club,
            article=article,
            slug=f"discussion-{n}",
            host=rng.choice(members),
            commentary=commentary(article.language),
            language=article.language,
            status=Discussion.Status.CLOSED if n % 5 else Discussion.Status.OPEN,
            opens_at=now - datetime.timedelta(days=n),
        )
        for n, article in enumerate(articles[: max(1, papers // 20)])
    )
    other = {"en": "fr", "fr": "en"}
    DiscussionTranslation.objects.bulk_create(
        DiscussionTranslation(
            discussion=discussion,
            language=other[discussion.language],
            commentary=commentary(other[discussion.language]),
        )
        for discussion in discussions[::4]
    )
    questions = Question.objects.bulk_create(
        Question(discussion=discussion, number=number, text=english.sentence(12))
        for discussion in discussions
        for number in (1, 2, 3)
    )

    def comment(n: int) -> Comment:
        written_in = language()
        body = " ".join(
            words[written_in].sentence(rng.randint(8, 18)) for _ in range(rng.randint(1, 4))
        )
        return Comment(
            question=rng.choice(questions),
            author=rng.choice(members),
            body=body,
            body_html=f"<p>{escape(body)}</p>",
            language=written_in,
            created_at=now - datetime.timedelta(minutes=n),
            deleted_at=now if n % 97 == 0 else None,
        )

    for start in range(0, comments, batch):
        Comment.objects.bulk_create(comment(n) for n in range(start, min(comments, start + batch)))
    return {"doi": articles[len(articles) // 2].doi}


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


# The bare full-text query over every kind, read as English and as French: one condition
# per kind, so that PostgreSQL reads the kinds' partial GIN indexes (BitmapOr) as the
# page's own queries do.
TSQUERY = (
    "(websearch_to_tsquery('english_unaccent', %(q)s)"
    " || websearch_to_tsquery('french_unaccent', %(q)s))"
)
FTS_SQL = f"""
SELECT count(*) OVER (), id FROM discovery_searchentry
WHERE (kind = 'paper' AND search_vector @@ {TSQUERY})
   OR (kind = 'commentary' AND search_vector @@ {TSQUERY})
   OR (kind = 'comment' AND search_vector @@ {TSQUERY})
ORDER BY ts_rank(search_vector, {TSQUERY}) DESC LIMIT 20
"""
ILIKE_TEXT = "(title || ' ' || authors || ' ' || keywords || ' ' || body)"


def run_sql(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def measure(queries: list[str], repeat: int) -> list[dict]:
    from discovery.search import fallback_terms

    client = Client()
    rows = []
    for query in queries:
        response = client.get("/search/", {"q": query})  # warm up, and check it works
        assert response.status_code == 200, (query, response.status_code)
        terms = fallback_terms(query) or [query]
        ilike_sql = (
            "SELECT count(*) OVER (), id FROM discovery_searchentry WHERE "
            + " AND ".join(f"{ILIKE_TEXT} ILIKE %s" for _ in terms)
            + " LIMIT 20"
        )
        ilike_params = [f"%{term}%" for term in terms]
        rows.append(
            {
                "query": query,
                "view": median_ms(lambda q=query: client.get("/search/", {"q": q}), repeat),
                "fts": median_ms(lambda q=query: run_sql(FTS_SQL, {"q": q}), repeat),
                "ilike": median_ms(lambda: run_sql(ilike_sql, ilike_params), repeat),
                "found": response.content.decode().split('role="status">', 1)[-1][:40],
            }
        )
    return rows


def explain(query: str) -> str:
    """PostgreSQL's plan for the comments list of the results page (the biggest kind)."""
    from discovery.models import SearchEntry

    entries = (
        SearchEntry.objects.visible_of_kind(SearchEntry.Kind.COMMENT)
        .matching(query)
        .ranked(query)
        .values_list("pk", flat=True)[:5]
    )
    return entries.explain(analyze=True)


def explain_spelling(terms: list[str]) -> str:
    """PostgreSQL's plan for the typo fallback's look-up of misspelled words."""
    from django.db import transaction

    from discovery.models import NEAREST_WORDS_SQL, nearest_words_params
    from discovery.search import TRIGRAM_THRESHOLD

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TRIGRAM_THRESHOLD)]
        )
        cursor.execute("EXPLAIN ANALYZE " + NEAREST_WORDS_SQL, nearest_words_params(terms))
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument(
        "--french", type=float, default=1 / 3, help="share of papers and comments in French"
    )
    parser.add_argument("--repeat", type=int, default=9, help="requests per median")
    parser.add_argument(
        "--keep", action="store_true", help="keep the test_bench_search database to inspect"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(
            "bench/search.py measures PostgreSQL's full-text search: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres "
            ".venv/bin/python bench/search.py"
        )
    logging.disable(logging.INFO)  # no request log line per measured request
    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "test_bench_search"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from discovery import index

        started = time.perf_counter()
        facts = build(args.papers, args.comments, args.french)
        built = time.perf_counter() - started
        started = time.perf_counter()
        counts = index.rebuild()
        indexed = time.perf_counter() - started
        with connection.cursor() as cursor:
            # What autovacuum does soon after a bulk load: statistics and visibility maps.
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT count(*) FROM discovery_searchentry WHERE language = 'fr'")
            in_french = cursor.fetchone()[0]
        queries = [facts["doi"] if query == "DOI" else query for query in QUERIES]
        rows = measure(queries, args.repeat)
        plan = explain("implementation fidelity")
        spelling_plan = explain_spelling(["implemntation", "facilitaton"])
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"Search on PostgreSQL: {args.papers:,} papers, {args.comments:,} comments; "
        f"built in {built:.0f} s, indexed {sum(counts.values()):,} entries in {indexed:.0f} s"
        f" ({in_french:,} in French, {counts['commentary']:,} commentaries with translations)"
    )
    print(f"median of {args.repeat} runs per query, ms\n")
    print(f"{'query':<36} {'view':>7} {'fts':>7} {'ilike':>8} {'fts/ilike':>10}  results")
    for row in rows:
        print(
            f"{row['query'][:36]:<36} {row['view']:>7.1f} {row['fts']:>7.1f} {row['ilike']:>8.1f}"
            f" {row['fts'] / row['ilike']:>10.3f}  {row['found'].split('.')[0]}"
        )
    view = statistics.median(row["view"] for row in rows)
    fts = statistics.median(row["fts"] for row in rows)
    ilike = statistics.median(row["ilike"] for row in rows)
    print(f"\nmedian over queries: view {view:.1f} ms, fts {fts:.1f} ms, ilike scan {ilike:.1f} ms")
    for label, group in (
        ("English", [row for row in rows if row["query"] not in FRENCH_QUERIES]),
        ("French", [row for row in rows if row["query"] in FRENCH_QUERIES]),
    ):
        print(
            f"  {label} queries ({len(group)}): view {statistics.median(r['view'] for r in group):.1f}"
            f" ms, fts {statistics.median(r['fts'] for r in group):.1f} ms"
        )
    print(f"ratio fts / ilike: {fts / ilike:.3f} ({ilike / fts:.0f}x faster)")
    print(f"ratio view / ilike: {view / ilike:.2f} (the whole page against the bare scan)")
    uses_gin = "Bitmap Index Scan on discovery_search_vector_comment_gin" in plan
    print(f"\nEXPLAIN uses the GIN index: {'yes' if uses_gin else 'NO'}")
    for line in plan.splitlines():
        if any(key in line for key in ("Bitmap", "Index Cond", "Execution Time", "Limit")):
            print("  " + line.strip())
    uses_trigram = "Bitmap Index Scan on discovery_spellingword_trgm" in spelling_plan
    print(
        f"\nEXPLAIN of the spelling look-up uses the trigram index: {'yes' if uses_trigram else 'NO'}"
    )
    for line in spelling_plan.splitlines():
        if any(key in line for key in ("Bitmap Index", "Index Cond", "Execution Time")):
            print("  " + line.strip())


if __name__ == "__main__":
    main()
