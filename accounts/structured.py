"""
Members as schema.org describes people (``Person``), for the JSON-LD of the pages that
show them (``core.structured`` explains ``base``).

An ORCID iD goes out as ``sameAs`` only when ORCID's own sign-in proved it the member's
(``User.orcid_verified``): a typed iD could be anyone's, and ``sameAs`` tells machines
that both are one person.
"""

from django.urls import reverse

from core.structured import compact, iso
from core.structured import plain_text as _plain_text

ORCID = "https://orcid.org/"


def person(member, *, base: str) -> dict:
    """A member: their name, profile, affiliation, and their ORCID iD when it is verified."""
    orcid = member.orcid if getattr(member, "orcid_verified", False) else ""
    return person_named(
        name=member.name,
        username=member.username,
        affiliation=member.affiliation,
        orcid=orcid,
        base=base,
    )


def person_named(
    *, name: str, username: str, affiliation: str = "", orcid: str = "", base: str
) -> dict:
    """
    A member from the parts a page read of them (a comment's row: no model instance).
    ``orcid``: an iD already known to be verified, or "".
    """
    return compact(
        {
            "@type": "Person",
            "name": name,
            "url": base + reverse("accounts:profile", kwargs={"username": username})
            if username
            else None,
            "affiliation": {"@type": "Organization", "name": affiliation} if affiliation else None,
            "sameAs": ORCID + orcid if orcid else None,
        }
    )


def pseudonym(name: str) -> dict:
    """Someone who posts under a pseudonym: the name, and nothing that leads to them."""
    return {"@type": "Person", "name": name}


def profile_page(member, *, base: str, url: str, bio_html: str = "") -> dict:
    """A member's profile page (``ProfilePage``), about them (``mainEntity``)."""
    about = person(member, base=base)
    about["alternateName"] = f"@{member.username}"
    if bio_html:
        about["description"] = _plain_text(bio_html)
    return compact(
        {
            "@type": "ProfilePage",
            "url": url,
            "name": member.name,
            "dateCreated": iso(member.date_joined),
            "mainEntity": about,
        }
    )
