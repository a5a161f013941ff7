"""
A paper as schema.org describes one (``ScholarlyArticle``), for the JSON-LD of the pages
that show it (``core.structured`` explains ``base``).

Built from what a page already read (the paper with its journal, its authors, subjects
and abstract sections, each a list the view or a prefetch filled), so it costs no query.
"""

from core.structured import compact

ORCID = "https://orcid.org/"


def published(article) -> str:
    """The publication date as precisely as it is known: "2020", "2020-05" or "2020-05-01"."""
    day = article.published_on
    precision = article.published_precision
    if precision == article.DatePrecision.YEAR:
        return f"{day.year:04d}"
    if precision == article.DatePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def author(entry) -> dict:
    """
    One author of the byline: a ``Person`` with their ORCID iD (``sameAs``) when the record
    has one, or an ``Organization`` for a group author (a family name alone, no iD).
    """
    if not entry.given_name and not entry.orcid:
        return {"@type": "Organization", "name": entry.family_name}
    return compact(
        {
            "@type": "Person",
            "name": entry.full_name,
            "givenName": entry.given_name,
            "familyName": entry.family_name,
            "sameAs": ORCID + entry.orcid if entry.orcid else None,
            "affiliation": [
                {"@type": "Organization", "name": name} for name in entry.affiliation_list
            ],
        }
    )


def periodical(journal) -> dict:
    """A journal: its title, ISSNs and publisher."""
    return compact(
        {
            "@type": "Periodical",
            "name": journal.title,
            "issn": journal.issns,
            "publisher": {"@type": "Organization", "name": journal.publisher}
            if journal.publisher
            else None,
        }
    )


def container(article) -> dict | None:
    """
    Where the paper appeared, most specific first: the issue, in the volume, in the
    journal (``PublicationIssue`` → ``PublicationVolume`` → ``Periodical``).
    """
    if article.journal is None:
        return None
    part = periodical(article.journal)
    if article.volume:
        part = {"@type": "PublicationVolume", "volumeNumber": article.volume, "isPartOf": part}
    if article.issue:
        part = {"@type": "PublicationIssue", "issueNumber": article.issue, "isPartOf": part}
    return part


def pagination(article) -> dict:
    """The pages ("1–10": first and last page too), else the article number."""
    pages = article.pages.strip()
    if not pages:
        return {"pagination": article.article_number}
    first, dash, last = pages.replace("–", "-").partition("-")
    return compact(
        {
            "pagination": pages,
            "pageStart": first.strip() if dash else None,
            "pageEnd": last.strip() if dash else None,
        }
    )


def scholarly_article(
    article, *, base: str, authors=None, subjects=None, abstract_sections=None
) -> dict:
    """
    The paper: title, authors, date, where it appeared, pages, DOI (``identifier`` and
    ``sameAs``, the resolver's URL), abstract, subjects, licence, and its page here
    (``url``). Without ``authors``, ``subjects`` or ``abstract_sections`` (a page that did
    not read them), those are left out rather than read.
    """
    doi = article.doi_url
    abstract = "\n\n".join(
        f"{section.heading}: {section.body}" if section.heading else section.body
        for section in abstract_sections or ()
    )
    names = [subject.name for subject in subjects or ()]
    return compact(
        {
            "@type": "ScholarlyArticle",
            "headline": article.title,
            "name": article.title,
            "author": [author(entry) for entry in authors or ()],
            "datePublished": published(article),
            "isPartOf": container(article),
            **pagination(article),
            "identifier": {"@type": "PropertyValue", "propertyID": "DOI", "value": article.doi}
            if article.doi
            else None,
            "sameAs": doi or article.url or None,
            "abstract": abstract,
            "keywords": names,
            "about": [{"@type": "Thing", "name": name} for name in names],
            "license": article.licence_url or article.licence,
            "isAccessibleForFree": True if article.is_open_access else None,
            "inLanguage": article.content_language,
            "url": base + article.get_absolute_url(),
        }
    )


def article_reference(article, *, base: str) -> dict:
    """The paper named, for what is about it (a session, a listing): title, DOI, page here."""
    return compact(
        {
            "@type": "ScholarlyArticle",
            "name": article.title,
            "sameAs": article.doi_url or None,
            "url": base + article.get_absolute_url(),
        }
    )
