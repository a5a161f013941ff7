"""
Structured abstracts from flat text.

Sources that give an abstract as one string label its sections in one of two ways:

* inline labels with a colon: "Background: ... Methods: ... Results: ...", often also
  as one paragraph per section ("Background: ...\\n\\nMethods: ...");
* bare headings run into the text, as DOAJ's catalogue does: "Abstract Background
  Workforce development ... Main body To progress ... Conclusion The development ...".

``split_abstract`` recognises both, using a list of the headings structured abstracts
use, and only when the abstract *starts* with a heading: a plain abstract that merely
contains "... Results were mixed." stays one unlabelled section.
"""

import re

# Headings of structured abstracts (IMRaD, BMC, CONSORT, PRISMA, Emerald), canonical spelling.
KNOWN_HEADINGS = [
    "Abstract",
    "Aim",
    "Aims",
    "Aims and objectives",
    "Analysis",
    "Approach",
    "Background",
    "Background and aims",
    "Background and objectives",
    "Case description",
    "Case presentation",
    "Clinical trial registration",
    "Conclusion",
    "Conclusions",
    "Conclusions and implications",
    "Conclusions and relevance",
    "Context",
    "Data extraction",
    "Data sources",
    "Data synthesis",
    "Design",
    "Design and methods",
    "Design/methodology/approach",
    "Discussion",
    "Eligibility criteria",
    "Ethics and dissemination",
    "Evidence acquisition",
    "Evidence synthesis",
    "Exposure",
    "Findings",
    "Funding",
    "Implications",
    "Implications for practice",
    "Importance",
    "Interpretation",
    "Intervention",
    "Interventions",
    "Introduction",
    "Limitations",
    "Main body",
    "Main outcome measures",
    "Main outcomes and measures",
    "Materials and methods",
    "Measurements",
    "Method",
    "Methodology",
    "Methods",
    "Methods and analysis",
    "Methods/design",
    "Objective",
    "Objectives",
    "Originality/value",
    "Outcomes",
    "Participants",
    "Patients",
    "Plain English summary",
    "Practical implications",
    "Purpose",
    "Rationale",
    "Registration",
    "Research limitations/implications",
    "Results",
    "Review methods",
    "Setting",
    "Settings",
    "Significance",
    "Social implications",
    "Strengths and limitations",
    "Study design",
    "Study selection",
    "Summary",
    "Trial registration",
]
_CANONICAL = {heading.lower(): heading for heading in KNOWN_HEADINGS}
# Longest first, so "Background and aims" wins over "Background".
_ALTERNATIVES = "|".join(
    re.escape(h).replace(r"\ ", r"\s+") for h in sorted(KNOWN_HEADINGS, key=len, reverse=True)
)
# A heading stands at the start, after a line break, or after the end of a sentence. The
# text is scanned for sentence starts (cheap) and the headings tried only there.
_SENTENCE_START = re.compile(r"(?:(?<=[.!?)\]\"”’])[ \t]{1,2}|\n\s*)(?=[A-Za-z])")
_HEADING = re.compile(rf"(?P<heading>{_ALTERNATIVES})(?P<separator>\s*:\s*|\s+)", re.IGNORECASE)
# A labelled paragraph: "Some heading: text", the label short and capitalised.
_LABELLED_PARAGRAPH = re.compile(r"^(?P<heading>[A-Z][^\n:.!?]{0,58}):\s+(?P<body>\S.*)$", re.S)
_PARAGRAPHS = re.compile(r"\n\s*\n")
_LEADING_ABSTRACT = re.compile(r"^(?:abstract)(?:\s*[:.]\s*|\s+(?=\S))", re.IGNORECASE)


def tidy(text: str) -> str:
    """Collapse whitespace inside paragraphs; keep blank lines between paragraphs."""
    paragraphs = (" ".join(part.replace("\xa0", " ").split()) for part in _PARAGRAPHS.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def split_abstract(text: str) -> list[tuple[str, str]]:
    """Split an abstract into (heading, text) sections; a plain one is one ("", text)."""
    text = tidy(text or "")
    if not text:
        return []
    text = _LEADING_ABSTRACT.sub("", text, count=1) or text
    return _labelled_paragraphs(text) or _inline_headings(text) or [("", text)]


def _labelled_paragraphs(text: str) -> list[tuple[str, str]]:
    """Every paragraph starts with "Label: " (at least two paragraphs, any labels)."""
    paragraphs = _PARAGRAPHS.split(text)
    if len(paragraphs) < 2:
        return []
    matches = [_LABELLED_PARAGRAPH.match(p) for p in paragraphs]
    if not all(matches) or not all(len(m.group("heading").split()) <= 6 for m in matches):
        return []
    return [(_canonical(m.group("heading")), tidy(m.group("body"))) for m in matches]


def _inline_headings(text: str) -> list[tuple[str, str]]:
    """Known headings run into the text, the first of them at the very start."""
    if not _heading_at(text, 0):
        return []  # most abstracts: nothing more to look at
    found = []
    for start in [0, *(m.end() for m in _SENTENCE_START.finditer(text))]:
        heading = _heading_at(text, start)
        if heading:
            found.append(heading)
    if not any(colon for _match, colon in found) and len(found) < 2:
        return []
    sections = []
    for index, (match, _colon) in enumerate(found):
        end = found[index + 1][0].start() if index + 1 < len(found) else len(text)
        body = tidy(text[match.end() : end])
        if body:
            sections.append((_canonical(match.group("heading")), body))
    return sections


def _heading_at(text: str, position: int) -> tuple[re.Match, bool] | None:
    """A heading starting at ``position``, if one does, and whether a colon follows it."""
    match = _HEADING.match(text, position)
    if not match or not match.group("heading")[0].isupper():
        return None
    colon = ":" in match.group("separator")
    following = text[match.end() : match.end() + 1]
    # A bare heading must look like one: followed by a new, capitalised sentence.
    if not colon and not (following.isupper() or following.isdigit() or following in '“"('):
        return None
    return match, colon


def _canonical(heading: str) -> str:
    """ "BACKGROUND" → "Background", "main  body" → "Main body"; unknown labels as given."""
    heading = " ".join(heading.split())
    known = _CANONICAL.get(heading.lower())
    if known:
        return known
    return heading[:1].upper() + heading[1:].lower() if heading.isupper() else heading
