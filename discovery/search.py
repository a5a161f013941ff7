"""
Reading what a visitor typed into the search box, and showing where it matched.

The archive is in English and French. On PostgreSQL each entry's text is indexed with its
own language's stemming (``search_config``), and a query is read both ways, as English and
as French, so that it finds both: "connaissances" finds "connaissance", and "evaluation"
finds "évaluation" as well as "evaluation" (both configurations drop accents first).

Whatever arrives (empty, 10 KB long, quotes, operators, SQL, control characters) becomes a
query that cannot fail: on PostgreSQL, ``websearch_to_tsquery`` accepts any text; the
fallback only ever uses plain words in ``icontains`` lookups. Highlighted snippets are
built by escaping the text first and adding ``<mark>`` afterwards, so no text from the
database reaches the page unescaped.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8
# Characters that never occur in indexed text (``discovery.index`` strips control
# characters), so PostgreSQL's headline can mark matches with them unambiguously.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
# PostgreSQL's parser takes <...> for HTML tags and leaves them out of headlines; the text
# goes to it with angle brackets swapped for these, and they are swapped back afterwards,
# so that a comment quoting "<script>" shows it, escaped, like any other text.
ANGLE_OPEN = "\x04"
ANGLE_CLOSE = "\x05"
# Typo fallback (``discovery.models.typo_query``): a paper search whose words find fewer
# papers than this also looks for corrected spellings of its words.
TYPO_FALLBACK_BELOW = 3
# Trigram similarity (0 to 1) from which a word of the spelling list is a candidate
# correction: 0.3 lets "Albrs" reach "Albers" (0.44). The edit distance then decides.
TRIGRAM_THRESHOLD = 0.3
# Candidates looked at, and corrections kept, per word of a query.
SPELLING_CANDIDATES = 8
SPELLING_CORRECTIONS = 3
SNIPPET_LENGTH = 240

# PostgreSQL's English and French text search configurations with accents removed before
# stemming, created by migration 0005: French text is indexed with the French one,
# everything else with the English one.
ENGLISH_CONFIG = "english_unaccent"
FRENCH_CONFIG = "french_unaccent"
SEARCH_CONFIGS = (ENGLISH_CONFIG, FRENCH_CONFIG)
# What papers' free language codes (ISO 639-1 and both 639-2 codes) say French with.
FRENCH_CODES = {"fr", "fre", "fra"}

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_SPACE = re.compile(r"\s+")
# A phrase in quotes (its closing quote may be missing) or a word, each perhaps after a minus.
_TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')


def clean_query(raw: str | None) -> str:
    """The query as searched: control characters dropped, spaces collapsed, 200 at most."""
    text = "".join(
        " " if char.isspace() else char
        for char in (raw or "")[: MAX_QUERY_LENGTH * 4]
        if char.isspace() or unicodedata.category(char) not in {"Cc", "Cs", "Co", "Cn"}
    )
    return _SPACE.sub(" ", text).strip()[:MAX_QUERY_LENGTH].strip()


def content_language(code: str | None) -> str:
    """
    The language a text is indexed in, from a language code: "fr" for French ("fr",
    "fr-CA", "fre", "fra"), "en" for anything else (English stemming, the best guess for
    the other languages of a mostly English archive).
    """
    code = (code or "").strip().lower().replace("_", "-")
    return "fr" if code.split("-")[0] in FRENCH_CODES else "en"


def search_config(language: str) -> str:
    """The text search configuration of an entry in ``language`` (see ``content_language``)."""
    return FRENCH_CONFIG if content_language(language) == "fr" else ENGLISH_CONFIG


def search_query(text: str) -> SearchQuery:
    """
    PostgreSQL's web-search syntax ("a phrase", -excluded, either OR other), read as
    English and as French: an entry matches if it matches either reading.

    An excluded word is left out in both languages' stemming: the French reading of
    "engagement -policy" looks for "policy" where an English entry holds "polici", and so
    would let through the English entries it was meant to exclude.
    """
    query = websearch_query(text, ENGLISH_CONFIG) | websearch_query(text, FRENCH_CONFIG)
    for phrase in excluded_phrases(text):
        query &= _without(phrase)
    return query


def websearch_query(text: str, config: str) -> SearchQuery:
    """The query in web-search syntax, read with one language's configuration."""
    return SearchQuery(text, search_type="websearch", config=config)


def excluded_phrases(text: str) -> list[str]:
    """
    What a query leaves out, as ``websearch_to_tsquery`` reads it: each word after a minus
    (-policy, - policy, -de-implementation) and each phrase after one (-"low value"),
    outside quotes; not after two (--policy, which it reads as a double negation).
    """
    phrases, minus = [], False
    for token in _TOKEN.findall(text):
        if token == "-":  # noqa: S105 - a minus, not a password
            minus = True
            continue
        if minus:
            token, minus = f"-{token}", False
        if token.startswith('-"'):
            phrases.append(token[2:].rstrip('"'))
        elif len(token) > 1 and token[0] == "-" and token[1] != "-":
            phrases.append(token[1:])
    return [phrase for phrase in phrases if _WORD.search(phrase)]


def fallback_terms(text: str) -> list[str]:
    """The words of a query for the fallback search: up to 8, without operators."""
    terms = []
    for word in _WORD.findall(text):
        if word in {"OR", "AND", "NOT"} or word.lower() in {t.lower() for t in terms}:
            continue
        terms.append(word)
    return terms[:MAX_FALLBACK_TERMS]


def fuzzy_terms(text: str) -> list[str]:
    """
    The words whose spelling the typo fallback may correct: every word of at least three
    letters, except excluded ones (-word); none for a query with OR, whose words are
    alternatives rather than all wanted.
    """
    words = text.replace('"', " ").split()
    if "OR" in words:
        return []
    wanted = [word for word in words if not word.startswith("-")]
    return [term for term in fallback_terms(" ".join(wanted)) if len(term) >= 3][:4]


def spelling_words(*texts: str) -> set[str]:
    """
    The words of these texts that typos are corrected to: lowercased, at least three
    characters with at least one letter (no bare numbers), at most 100.
    """
    return {
        word
        for text in texts
        for word in (match.lower() for match in _WORD.findall(text or ""))
        if 3 <= len(word) <= 100 and _LETTER.search(word)
    }


def edit_distance(first: str, second: str) -> int:
    """
    Insertions, deletions, substitutions and swaps of two neighbours that turn one word
    into the other (optimal string alignment distance).
    """
    previous_row = None
    row = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            row[j] = min(
                previous_row[j] + 1,
                row[j - 1] + 1,
                previous_row[j - 1] + (char != other),
            )
            if i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def is_typo_of(term: str, word: str) -> bool:
    """
    Whether ``term`` may be a misspelling of ``word``: at most one edit for a word of up to
    five characters, two for a longer one (what web search engines allow). Trigram
    similarity finds the candidates, but for short words it is too loose to decide alone
    ("works" is as close to "workers" as "Albrs" to "Albers").
    """
    allowed = 1 if len(term) <= 5 else 2
    return abs(len(term) - len(word)) <= allowed and edit_distance(term, word) <= allowed


def widened_query(text: str, corrections: dict[str, list[str]]) -> SearchQuery | None:
    """
    The query's words, each also found as one of its corrections ("albrs" or "albers"),
    all required, without the words the query leaves out; None when no word has a
    correction (nothing to widen). ``corrections`` maps each word worth looking for (not
    a stop word) to its corrections, if any. Each word is read in English and in French.
    """
    if not any(corrections.values()):
        return None
    wanted = None
    for term, words in corrections.items():
        either = _plain(term)
        for word in words:
            either |= _plain(word)
        wanted = either if wanted is None else wanted & either
    for phrase in excluded_phrases(text):
        wanted &= _without(phrase)
    return wanted


def _plain(word: str) -> SearchQuery:
    """A word as English or French."""
    return SearchQuery(word, config=ENGLISH_CONFIG) | SearchQuery(word, config=FRENCH_CONFIG)


def _without(phrase: str) -> SearchQuery:
    """Neither the English nor the French reading of a word or phrase."""
    return ~SearchQuery(phrase, search_type="phrase", config=ENGLISH_CONFIG) & ~SearchQuery(
        phrase, search_type="phrase", config=FRENCH_CONFIG
    )


def marked_headline(headline: str | None) -> SafeString:
    """PostgreSQL's headline, escaped, with its match markers turned into <mark>."""
    text = (headline or "").replace(ANGLE_OPEN, "<").replace(ANGLE_CLOSE, ">")
    text = escape(_SPACE.sub(" ", text).strip())
    text = text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(text)  # noqa: S308 - escaped above; only our own <mark> tags added


def highlight(text: str, query: str, *, window: int | None = SNIPPET_LENGTH) -> SafeString:
    """
    A window of ``text`` around the first match of a query word, escaped, with every
    match marked (the fallback for PostgreSQL's headline). ``window=None`` keeps it all.
    """
    text = _SPACE.sub(" ", text or "").strip()
    terms = fallback_terms(query)
    if not terms:
        return escape(text[:window] if window else text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    if window and len(text) > window:
        first = pattern.search(text)
        start = max(0, (first.start() if first else 0) - window // 3)
        end = start + window
        text = ("… " if start else "") + text[start:end].strip() + (" …" if end < len(text) else "")
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text escaped above
