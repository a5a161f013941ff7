"""
A club as schema.org describes one (``Organization``), for the JSON-LD of its page, of
its discussions and of its sessions (``core.structured`` explains ``base``).
"""

from core.structured import compact


def organization(club, *, base: str) -> dict:
    """The club: its name, page, tagline, logo and language."""
    logo = club.logo.url if club.logo else ""
    if logo.startswith("/"):  # stored on this server: a path, made whole
        logo = base + logo
    return compact(
        {
            "@type": "Organization",
            "name": club.name,
            "url": base + club.get_absolute_url(),
            "description": club.tagline,
            "logo": logo,
            "knowsLanguage": club.language,
        }
    )


def club_page(club, *, base: str) -> dict:
    """The club's page (a ``CollectionPage`` of its discussions), as what a discussion is in."""
    return {"@type": "CollectionPage", "name": club.name, "url": base + club.get_absolute_url()}
